import type { FastifyBaseLogger } from 'fastify';
import type { Ctx } from '../../../context.ts';
import { formatSeoulMillis, seoulDate } from '../../../lib/seoul-time.ts';
import type { LiveFrame } from './live-frame.ts';
import { remainingBySido, type SidoRemaining } from './remaining-by-sido.repository.ts';
import { ClusterRates, type NodeFigures } from './node-figures.ts';
import { nodeFiguresNow } from './node-figures-publisher.ts';

export type { LiveFrame } from './live-frame.ts';

/** How often frames are computed and sent. */
const LIVE_INTERVAL_MS = 1000;
/** Open dashboards per node; operators are few, so more is a mistake or abuse. */
export const MAX_SUBSCRIBERS = 200;
/** The share of the database's time the remaining-by-sido read may take (it scans the campaign's clinic-days). */
const SIDO_COST_SHARE = 0.1;

interface SidoReading {
  key: string;
  rows: SidoRemaining[];
  asOf: Date;
  /** performance.now() after which it is read again. */
  dueAtMs: number;
}

type Send = (chunk: string) => void;


/**
 * The live dashboard's source on one node. While anyone watches, a timer computes one frame per
 * watched campaign per second — the queue figures from this node's in-memory board, the booking
 * path's from every node's figures on the shared board (`node-figures.ts`), remaining doses by sido
 * in one SQL statement for all of them — serialises it once and writes the same bytes to every
 * subscriber. Cost grows with campaigns watched, not with people watching.
 *
 * The sido read scans the watched campaigns' clinic-days (100,000 rows for the demo, several times
 * that nationally), so it is spaced to take at most `sidoCostShare` of real time: every second while
 * it is fast, less often when it is slow (PGlite has one connection, which bookings need too).
 */
export class LiveFeed {
  private readonly subscribers = new Map<string, Set<Send>>();
  private timer: NodeJS.Timeout | null = null;
  private computing: Promise<void> | null = null;
  private readonly rates = new ClusterRates(LIVE_INTERVAL_MS);
  /** Frames computed since start (a test proves they do not multiply with subscribers). */
  framesComputed = 0;

  private sido: SidoReading | null = null;

  constructor(
    private readonly ctx: Pick<Ctx, 'campaigns' | 'clock' | 'db' | 'nodeFigures' | 'waitingRoom'>,
    private readonly log: FastifyBaseLogger,
    private readonly sidoCostShare = SIDO_COST_SHARE,
  ) {}

  get subscriberCount(): number {
    let n = 0;
    for (const set of this.subscribers.values()) n += set.size;
    return n;
  }

  /** Adds a subscriber to a campaign's frames; returns how to remove it. The first frame follows at once. */
  subscribe(campaignId: string, send: Send): () => void {
    const set = this.subscribers.get(campaignId) ?? new Set<Send>();
    this.subscribers.set(campaignId, set);
    set.add(send);
    if (!this.timer) {
      this.timer = setInterval(() => void this.tick(), LIVE_INTERVAL_MS);
      this.timer.unref();
    }
    void this.tick();
    return () => {
      set.delete(send);
      if (set.size === 0) this.subscribers.delete(campaignId);
      if (this.subscribers.size === 0) this.stop();
    };
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Computes and sends one round of frames (shared if one is already under way). */
  tick(): Promise<void> {
    this.computing ??= this.sendFrames()
      .catch((error: unknown) => this.log.warn({ err: error }, 'live dashboard frame failed'))
      .finally(() => {
        this.computing = null;
      });
    return this.computing;
  }

  private async sendFrames(): Promise<void> {
    const campaignIds = [...this.subscribers.keys()];
    if (campaignIds.length === 0) return;
    const frames = await this.computeFrames(campaignIds);
    for (const frame of frames) {
      const chunk = `data: ${JSON.stringify(frame)}\n\n`;
      for (const send of this.subscribers.get(frame.campaignId) ?? []) send(chunk);
    }
  }

  /** The frames of the given campaigns now. */
  private async computeFrames(campaignIds: string[]): Promise<LiveFrame[]> {
    const { ctx } = this;
    const now = ctx.clock.now();
    const nowMs = now.getTime();
    const sido = await this.readSido(campaignIds, now);
    const nodes = await this.clusterFigures();
    const probeCampaigns = (await ctx.campaigns.list()).filter((c) => c.synthetic).map((c) => c.id);
    const frames: LiveFrame[] = [];
    for (const campaignId of campaignIds) {
      const campaign = await ctx.campaigns.get(campaignId).catch(() => null);
      if (!campaign) continue;
      const { status, snapshot } = await ctx.waitingRoom.board(campaign);
      const cluster = this.rates.figures(nodes, campaignId);
      const probeBooked = cluster.lastBookingMs(probeCampaigns);
      const bySido = sido.rows.filter((r) => r.campaignId === campaignId).map(({ sido: name, remaining, capacity }) => ({ sido: name, remaining, capacity }));
      frames.push({
        campaignId,
        at: formatSeoulMillis(now),
        state: status.state,
        pausedReason: status.pausedReason,
        waiting: Math.max(0, snapshot.issuedUpTo - snapshot.servingUpTo) + snapshot.prequeueSize,
        servingUpTo: snapshot.servingUpTo,
        issuedUpTo: snapshot.issuedUpTo,
        admitRatePerSecond: status.admitRatePerSecond,
        targetRatePerSecond: Math.round(snapshot.targetRatePerSecond * 100) / 100,
        activeAdmissions: snapshot.activeAdmissions,
        maxActive: campaign.admission.maxActive,
        bookingsPerSecond: cluster.bookingsPerSecond,
        errorsPerSecond: cluster.errorsPerSecond,
        p99LatencyMs: cluster.p99LatencyMs,
        nodes: cluster.nodes,
        probe: { lastBookingAt: probeBooked === null ? null : formatSeoulMillis(new Date(probeBooked)), secondsAgo: probeBooked === null ? null : Math.max(0, Math.round((nowMs - probeBooked) / 1000)) },
        remainingDoses: bySido.reduce((sum, r) => sum + r.remaining, 0),
        remainingBySido: bySido,
        remainingAsOf: formatSeoulMillis(sido.asOf),
      });
    }
    this.rates.remember(nodes);
    this.framesComputed += 1;
    return frames;
  }

  /**
   * Every node's booking-path figures: this node's published afresh (so they are this frame's), then
   * all of them read back. Without the shared board (Redis down) the frame shows this node alone.
   */
  private async clusterFigures(): Promise<NodeFigures[]> {
    const own = nodeFiguresNow(this.ctx);
    try {
      await this.ctx.nodeFigures.publish(own);
      const all = await this.ctx.nodeFigures.readAll();
      return all.some((f) => f.node === own.node) ? all : [...all, own];
    } catch {
      return [own];
    }
  }

  /** Remaining doses by sido of the watched campaigns, read again once its cost budget allows. */
  private async readSido(campaignIds: string[], now: Date): Promise<SidoReading> {
    const key = `${seoulDate(now)}|${campaignIds.join(',')}`;
    // Real elapsed time, not the server clock: this measures database cost, it decides nothing.
    const startedMs = performance.now();
    if (this.sido && this.sido.key === key && startedMs < this.sido.dueAtMs) return this.sido;
    const rows = await remainingBySido(this.ctx.db, campaignIds, seoulDate(now));
    const tookMs = performance.now() - startedMs;
    this.sido = { key, rows, asOf: now, dueAtMs: startedMs + tookMs / this.sidoCostShare };
    return this.sido;
  }
}
