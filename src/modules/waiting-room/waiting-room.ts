import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../../lib/clock.ts';
import type { Campaign } from '../campaigns/campaign.ts';
import type { CampaignCatalog } from '../campaigns/campaign-catalog.ts';
import { formatSeoul } from '../campaigns/domain/seoul-time.ts';
import { adaptRate, type ControllerState, type PathHealth } from './domain/admission-rate.ts';
import { PACE, QueuePace } from './domain/queue-pace.ts';
import { queueState, type QueueSchedule, type QueueState } from './domain/queue-state.ts';
import type { Metrics } from '../../infra/metrics.ts';
import { BookingPathHealth } from './booking-path-health.ts';
import type { QueueSnapshot, QueueStore } from './queue-store.ts';

/** The shared status document (API.md), identical for everyone. */
export interface QueueStatus {
  state: QueueState;
  servingUpTo: number;
  issuedUpTo: number;
  admitRatePerSecond: number;
  /** Spread of the measured rate, so clients can work out a p90 like the server does. */
  admitRateDeviation: number;
  /**
   * The pace the wait estimate divides by (domain/eta.ts `waitFor`): places passed per second over
   * the last minute the queue was moving; null while it is still being measured after the opening.
   */
  etaRatePerSecond: number | null;
  /** Spread of that pace between 5 s slices of the minute (the p90 widens with it). */
  etaRateDeviation: number;
  prequeueSize: number;
  pausedReason: string | null;
  opensAt: string;
  updatedAt: string;
}

interface Board {
  status: QueueStatus;
  /** The document, serialised once per refresh: a poll costs a lookup and a write. */
  body: string;
  snapshot: QueueSnapshot;
  refreshedAtMs: number;
}

/** The campaign's queue schedule: the queue opens, the first window opens, the last one closes. */
export function scheduleOf(campaign: Campaign): QueueSchedule {
  const opens = campaign.windows.map((w) => w.opensAt.getTime());
  const closes = campaign.windows.map((w) => w.closesAt.getTime());
  return { queueOpensAt: campaign.queueOpensAt, opensAt: new Date(Math.min(...opens)), closesAt: new Date(Math.max(...closes)) };
}

/** How often each node refreshes its snapshot (and ticks the queue forward). */
export const REFRESH_MS = 250;

/**
 * One node's view of every waiting room. Every REFRESH_MS it ticks each live campaign's queue in
 * the store (ticks are idempotent in elapsed time, so N nodes do not advance it N times), performs
 * the opening when its instant has passed, and keeps the status document serialised in memory —
 * so a poll touches neither the database nor the store. In adaptive mode the rate follows the
 * health of this node's booking path (AIMD) within the campaign's bounds.
 */
export class WaitingRoom {
  private readonly boards = new Map<string, Board>();
  private readonly rates = new Map<string, ControllerState>();
  private readonly paces = new Map<string, QueuePace>();
  private timer: NodeJS.Timeout | null = null;
  private refreshing: Promise<void> | null = null;
  /** The last refresh failed to reach the store. */
  storeHealthy = true;
  /** This node's booking path, measured (the adaptive controller follows it). */
  readonly bookingPath = new BookingPathHealth();

  constructor(
    readonly store: QueueStore,
    // Only the list is read: the national simulation (sim/) hands it one campaign without a database.
    private readonly campaigns: Pick<CampaignCatalog, 'list'>,
    private readonly clock: Clock,
    private readonly metrics?: Metrics,
    private readonly log?: FastifyBaseLogger,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.refresh().catch(() => {}), REFRESH_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.refreshing?.catch(() => {});
  }

  /** Refreshes every campaign's board now (the timer calls this; tests call it after moving the clock). */
  refresh(): Promise<void> {
    this.refreshing ??= this.refreshAll().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  /** The rate the controller targets now for this campaign. */
  targetRate(campaign: Campaign, activeAdmissions: number): number {
    const { mode, ratePerSecond, maxActive } = campaign.admission;
    if (mode === 'fixed') return ratePerSecond;
    const nowMs = this.clock.now().getTime();
    const current = this.rates.get(campaign.id) ?? { rate: ratePerSecond / 2, lastCutAtMs: null, lastAtMs: null };
    const health: PathHealth = this.bookingPath.health(nowMs, activeAdmissions);
    // Operator bounds: up to the configured rate, never below a trickle; one cut per health window.
    // Growth from floor to ceiling takes five minutes: the booking path answers for a rate only a
    // minute or more later (people choose a clinic first), and a rate that holds still is one the
    // wait estimate can promise (docs/performance.md: a one-minute ramp overshot by half).
    const bounds = { minRate: Math.max(0.1, ratePerSecond / 20), maxRate: ratePerSecond, targetLatencyMs: 1000, maxErrorRate: 0.02, maxActive, cooldownMs: this.bookingPath.windowMs, rampSeconds: 300 };
    const next = adaptRate(current, health, bounds, nowMs, this.paceOf(campaign.id).flow());
    this.rates.set(campaign.id, next);
    return next.rate;
  }

  private paceOf(campaignId: string): QueuePace {
    let pace = this.paces.get(campaignId);
    if (!pace) this.paces.set(campaignId, (pace = new QueuePace(PACE)));
    return pace;
  }

  private async refreshAll(): Promise<void> {
    const now = this.clock.now();
    let healthy = true;
    for (const campaign of await this.campaigns.list()) {
      try {
        await this.refreshCampaign(campaign, now);
      } catch (error) {
        healthy = false;
        this.log?.warn({ campaignId: campaign.id, err: error }, 'waiting room refresh failed');
      }
    }
    this.storeHealthy = healthy;
    this.metrics?.queueStoreUp.set(healthy ? 1 : 0);
    await this.afterRefresh?.(now);
  }

  /** Runs after every refresh (the in-process store journals its changes to the database here). */
  afterRefresh: ((now: Date) => Promise<void>) | null = null;

  private async refreshCampaign(campaign: Campaign, now: Date): Promise<Board> {
    const schedule = scheduleOf(campaign);
    const nowMs = now.getTime();
    if (nowMs >= schedule.opensAt.getTime()) await this.store.open(campaign.id);
    const before = this.boards.get(campaign.id)?.snapshot;
    const rate = this.targetRate(campaign, before?.activeAdmissions ?? 0);
    const snapshot = await this.store.tick(campaign.id, nowMs, { ratePerSecond: rate, maxActive: campaign.admission.maxActive });
    const pace = this.paceOf(campaign.id);
    const moving = snapshot.opened && !snapshot.paused && !snapshot.closed && snapshot.issuedUpTo > snapshot.servingUpTo;
    pace.observe({ atMs: nowMs, servingUpTo: snapshot.servingUpTo, admitted: snapshot.admitted, activeAdmissions: snapshot.activeAdmissions, moving });
    const round = (x: number) => Math.round(x * 100) / 100;
    const status: QueueStatus = {
      state: queueState(schedule, now, { paused: snapshot.paused, closed: snapshot.closed }),
      servingUpTo: snapshot.servingUpTo,
      issuedUpTo: snapshot.issuedUpTo,
      admitRatePerSecond: round(snapshot.admitRatePerSecond),
      admitRateDeviation: round(snapshot.admitRateDeviation),
      etaRatePerSecond: pace.ratePerSecond === null ? null : round(pace.ratePerSecond),
      etaRateDeviation: round(pace.deviation),
      prequeueSize: snapshot.prequeueSize,
      pausedReason: snapshot.pausedReason,
      opensAt: formatSeoul(schedule.opensAt),
      updatedAt: now.toISOString(),
    };
    const board = { status, body: JSON.stringify(status), snapshot, refreshedAtMs: nowMs };
    this.boards.set(campaign.id, board);
    this.publish(campaign.id, snapshot);
    return board;
  }

  /** The campaign's status document as last refreshed, or undefined before its first refresh. */
  statusBody(campaignId: string): string | undefined {
    return this.boards.get(campaignId)?.body;
  }

  /** The campaign's current board; built once on first use, then only by the refresher. */
  async board(campaign: Campaign): Promise<Board> {
    return this.boards.get(campaign.id) ?? this.refreshCampaign(campaign, this.clock.now());
  }

  private publish(campaignId: string, s: QueueSnapshot): void {
    if (!this.metrics) return;
    const labels = { campaign: campaignId };
    const m = this.metrics;
    m.queueJoined.set(labels, s.opened ? s.issuedUpTo : s.prequeueSize + s.issuedUpTo);
    m.queueWaiting.set(labels, Math.max(0, s.issuedUpTo - s.servingUpTo) + (s.opened ? 0 : s.prequeueSize));
    m.queueServingUpTo.set(labels, s.servingUpTo);
    m.queueAdmitRate.set(labels, s.admitRatePerSecond);
    m.queueTargetRate.set(labels, s.targetRatePerSecond);
    m.queueActiveAdmissions.set(labels, s.activeAdmissions);
    m.queueSnapshotAge.set(labels, 0);
    m.queuePaused.set(labels, s.paused ? 1 : 0);
  }

  /** Age of a campaign's snapshot in seconds (a metric). */
  snapshotAgeSeconds(campaignId: string): number | null {
    const board = this.boards.get(campaignId);
    return board ? (this.clock.now().getTime() - board.refreshedAtMs) / 1000 : null;
  }
}
