import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../../lib/clock.ts';
import { type Campaign, type CampaignCatalog, nextOpening, roundsDue } from '../campaigns/index.ts';
import { roundsOf, scheduleOf } from './campaign-schedule.ts';
import { formatSeoul, formatSeoulMillis } from '../../lib/seoul-time.ts';
import { adaptRate, type ControllerState, type PathHealth } from './domain/admission-rate.ts';
import { PACE, QueuePace } from './domain/queue-pace.ts';
import { etaPace } from './domain/eta.ts';
import { queueState } from './domain/queue-state.ts';
import type { Metrics } from '../../infra/metrics.ts';
import { BookingPathHealth } from './booking-path-health.ts';
import { isSoldOut } from './domain/sold-out.ts';
import { KnownPlaces } from './known-places.ts';
import { LeftPlaces } from './left-places.ts';
import type { JournalWriter } from './journal-writer.ts';
import type { RemainingDosesCache } from './remaining-doses-cache.ts';
import type { QueueSnapshot, QueueStore, TickPolicy } from './queue-store.ts';
import type { QueueStatus } from './queue-status.schema.ts';

/** The shared status document (API.md), identical for everyone; its fields are described in the schema. */
export type { QueueStatus } from './queue-status.schema.ts';

interface Board {
  status: QueueStatus;
  /** The document, serialised once per refresh: a poll costs a lookup and a write. */
  body: string;
  snapshot: QueueSnapshot;
  refreshedAtMs: number;
}

/** How often each node refreshes its snapshot (and ticks the queue forward). */
export const REFRESH_MS = 250;

/**
 * One node's view of every waiting room. Every REFRESH_MS it ticks each live campaign's queue in
 * the store (ticks are idempotent in elapsed time, so N nodes do not advance it N times), performs
 * each round's opening once its instant has passed (in order; idempotent across nodes), and keeps
 * the status document serialised in memory —
 * so a poll touches neither the database nor the store. In adaptive mode the rate follows the
 * health of this node's booking path (AIMD) within the campaign's bounds.
 */
export class WaitingRoom {
  private readonly boards = new Map<string, Board>();
  private readonly rates = new Map<string, ControllerState>();
  private readonly paces = new Map<string, QueuePace>();
  private timer: NodeJS.Timeout | null = null;
  private refreshing: Promise<void> | null = null;
  private held: () => boolean = () => false;
  /** The last refresh failed to reach the store. */
  storeHealthy = true;
  /** This node's booking path, measured (the adaptive controller follows it). */
  readonly bookingPath = new BookingPathHealth();
  /**
   * Each campaign's remaining doses as this node last read them; while one is sold out its queue
   * holds. Each node decides from its own figure (they agree within the cache's interval). Null
   * where there is no database (the national simulation): the hold then never happens.
   */
  doses: RemainingDosesCache | null = null;
  /** Places handed back to people who asked again, answered from memory next time. */
  readonly knownPlaces = new KnownPlaces();
  /** The places given up in each campaign, as this node knows them (`left-places.ts`). */
  readonly left = new LeftPlaces();

  constructor(
    readonly store: QueueStore,
    // Only the list is read: the national simulation (sim/) hands it one campaign without a database.
    private readonly campaigns: Pick<CampaignCatalog, 'list'>,
    private readonly clock: Clock,
    private readonly metrics?: Metrics,
    private readonly log?: FastifyBaseLogger,
    /** How long an admission lasts unextended (the controller's limit on active admissions weighs it). */
    private readonly admissionTtlSeconds = 600,
  ) {}

  start(): void {
    if (this.timer) return;
    this.bookingPath.watchEventLoop();
    this.timer = setInterval(() => void this.refresh().catch(() => {}), REFRESH_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.bookingPath.unwatchEventLoop();
    await this.refreshing?.catch(() => {});
    await this.doses?.settled();
  }

  /** Stops and closes the queue store's connection (the process is shutting down). */
  async close(): Promise<void> {
    await this.stop();
    await this.store.close();
  }

  /**
   * admitted → booked (progress.ts): a booking made with this person's admission frees its place
   * under the active cap for the next person. Best effort: an admission not released lapses.
   */
  async admissionUsed(campaignId: string, personKey: string): Promise<void> {
    await this.store.release(campaignId, personKey, this.clock.now().getTime()).catch(() => {});
  }

  /** The queue's counts as the store holds them now (operator statistics; a citizen reads the board). */
  counts(campaignId: string): Promise<QueueSnapshot> {
    return this.store.snapshot(campaignId, this.clock.now().getTime());
  }

  /** Whether the queue store answers (readiness reports it; new places and admissions need it). */
  reachable(): Promise<boolean> {
    return this.store.ping().then(() => true, () => false);
  }

  /**
   * No refresh runs while `held()`: a node whose clock disagrees with the database's must not tick
   * the shared queue by its own time (src/lib/clock-agreement.ts), whoever calls (timer, warm-up).
   */
  holdRefreshWhile(held: () => boolean): void {
    this.held = held;
  }

  /** Refreshes every campaign's board now (the timer calls this; tests call it after moving the clock). */
  refresh(): Promise<void> {
    if (this.held()) return this.pingWhileHeld();
    this.refreshing ??= this.refreshAll().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  /**
   * What the controller lets through now for this campaign: the rate and the active admissions.
   * While the campaign is sold out the rate is 0: no one new is admitted, nobody loses a place.
   */
  policy(campaign: Campaign, activeAdmissions: number, soldOut = false): TickPolicy {
    const { mode, ratePerSecond, maxActive } = campaign.admission;
    if (mode === 'fixed') return { ratePerSecond: soldOut ? 0 : ratePerSecond, maxActive };
    const nowMs = this.clock.now().getTime();
    const current = this.rates.get(campaign.id) ?? { rate: ratePerSecond / 2, activeLimit: maxActive, lastCutAtMs: null, lastAtMs: null };
    const health: PathHealth = this.bookingPath.health(nowMs, activeAdmissions);
    // Operator bounds: up to the configured rate and cap, never below a trickle; one cut per health
    // window. Growth from floor to ceiling takes five minutes: the booking path answers for a rate
    // only a minute or more later (people choose a clinic first), and a rate that holds still is one
    // the wait estimate can promise (docs/performance.md: a one-minute ramp overshot by half).
    const bounds = {
      minRate: Math.max(0.1, ratePerSecond / 20),
      maxRate: ratePerSecond,
      targetLatencyMs: 1000,
      maxErrorRate: 0.02,
      maxActive,
      minActive: Math.min(maxActive, Math.max(10, Math.ceil(maxActive / 50))),
      cooldownMs: this.bookingPath.windowMs,
      rampSeconds: 300,
      admissionSeconds: this.admissionTtlSeconds,
    };
    const next = adaptRate(current, health, bounds, nowMs, this.paceOf(campaign.id).flow());
    this.rates.set(campaign.id, next);
    this.metrics?.queueActiveLimit.set({ campaign: campaign.id }, next.activeLimit);
    this.metrics?.bookingPathP99.set(health.p99LatencyMs / 1000);
    this.metrics?.eventLoopDelayP99.set((health.loopDelayMs ?? 0) / 1000);
    // The controller keeps its state through a hold (the queue not moving, it does not grow).
    return { ratePerSecond: soldOut ? 0 : next.rate, maxActive: next.activeLimit };
  }

  private paceOf(campaignId: string): QueuePace {
    let pace = this.paces.get(campaignId);
    if (!pace) this.paces.set(campaignId, (pace = new QueuePace(PACE)));
    return pace;
  }

  private async refreshAll(): Promise<void> {
    const now = this.clock.now();
    let healthy = true;
    const campaigns = await this.campaigns.list();
    for (const campaign of campaigns) {
      try {
        await this.refreshCampaign(campaign, now);
      } catch (error) {
        healthy = false;
        this.log?.warn({ campaignId: campaign.id, err: error }, 'waiting room refresh failed');
      }
    }
    this.storeHealthy = healthy;
    this.metrics?.queueStoreUp.set(healthy ? 1 : 0);
    await this.afterRefresh?.(
      now,
      campaigns.map((c) => c.id),
    );
  }

  /**
   * Held (the node's clock disagrees): nothing moves, but whether the store answers is still known,
   * so `yeyak_queue_store_up` does not report a store down that is only not being asked.
   */
  private async pingWhileHeld(): Promise<void> {
    const up = await this.store.ping().then(
      () => true,
      () => false,
    );
    this.metrics?.queueStoreUp.set(up ? 1 : 0);
  }

  /** Runs after every refresh (the stores journal their changes to the database here, and the log is written). */
  afterRefresh: ((now: Date, campaignIds: readonly string[]) => Promise<void>) | null = null;

  /**
   * Where a store that is not durable itself (the in-process one) makes what it handed out
   * durable: its journal's writer (group commit). Null for Redis, whose AOF is.
   */
  journal: Pick<JournalWriter, 'settled'> | null = null;

  /** Resolves once every place and admission handed out so far (of `campaignId`, when given) is committed (at once where the store is durable). */
  durable(campaignId?: string): Promise<void> {
    return this.journal ? this.journal.settled(campaignId) : Promise.resolve();
  }

  private async refreshCampaign(campaign: Campaign, now: Date): Promise<Board> {
    const schedule = scheduleOf(campaign);
    const rounds = roundsOf(campaign);
    const nowMs = now.getTime();
    // Every refresh, not only when this node's last snapshot lacks it: a store restored from an
    // older checkpoint must still get every due round (the script is idempotent and cheap).
    const due = roundsDue(rounds, nowMs);
    if (due > 0) await this.store.open(campaign.id, due - 1, nowMs);
    const next = nextOpening(rounds, nowMs);
    const before = this.boards.get(campaign.id)?.snapshot;
    const doses = this.doses?.current(campaign.id);
    const soldOut = isSoldOut(doses);
    const snapshot = await this.store.tick(campaign.id, nowMs, this.policy(campaign, before?.activeAdmissions ?? 0, soldOut));
    await this.left.sync(this.store, campaign.id, snapshot.abandoned);
    const pace = this.paceOf(campaign.id);
    // A hold counts like a pause: its time is not the queue's pace, so the estimate is not diluted.
    const moving = snapshot.opened && !snapshot.paused && !snapshot.closed && !soldOut && snapshot.issuedUpTo > snapshot.servingUpTo;
    pace.observe({ atMs: nowMs, servingUpTo: snapshot.servingUpTo, admitted: snapshot.admitted, activeAdmissions: snapshot.activeAdmissions, moving });
    const round = (x: number) => Math.round(x * 100) / 100;
    const etaRate = etaPace({
      measured: pace.ratePerSecond,
      measuredDeviation: pace.deviation,
      mode: campaign.admission.mode,
      targetRate: snapshot.targetRatePerSecond,
      open: snapshot.opened && !snapshot.paused && !snapshot.closed,
      soldOut,
    });
    const status: QueueStatus = {
      state: queueState(schedule, now, { paused: snapshot.paused, closed: snapshot.closed }),
      servingUpTo: snapshot.servingUpTo,
      issuedUpTo: snapshot.issuedUpTo,
      admitRatePerSecond: round(snapshot.admitRatePerSecond),
      admitRateDeviation: round(snapshot.admitRateDeviation),
      etaRatePerSecond: etaRate.rate === null ? null : round(etaRate.rate),
      etaRateDeviation: round(etaRate.deviation),
      prequeueSize: snapshot.prequeueSize,
      pausedReason: snapshot.pausedReason,
      opensAt: formatSeoul(schedule.opensAt),
      nextOpensAt: next === null ? null : formatSeoul(new Date(next)),
      remainingDoses: doses?.remaining ?? null,
      soldOut,
      updatedAt: formatSeoulMillis(now),
    };
    const board = { status, body: JSON.stringify(status), snapshot, refreshedAtMs: nowMs };
    this.boards.set(campaign.id, board);
    this.publish(campaign.id, snapshot);
    this.metrics?.queueSoldOut.set({ campaign: campaign.id }, soldOut ? 1 : 0);
    this.metrics?.queueOpen.set({ campaign: campaign.id }, status.state === 'open' ? 1 : 0);
    if (doses) this.metrics?.campaignRemainingDoses.set({ campaign: campaign.id }, doses.remaining);
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
    m.queueJoined.set(labels, s.issuedUpTo + s.prequeueSize);
    m.queueWaiting.set(labels, Math.max(0, s.issuedUpTo - s.servingUpTo) + s.prequeueSize);
    m.queueServingUpTo.set(labels, s.servingUpTo);
    m.queuePlacedWaiting.set(labels, Math.max(0, s.issuedUpTo - s.servingUpTo));
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
