import type { Clock } from '../../lib/clock.ts';
import type { DosesFigure } from './domain/sold-out.ts';

/**
 * How often a node re-reads a campaign's remaining doses: often enough that a cancellation or new
 * capacity starts the queue again within a couple of seconds, rare enough that N nodes × campaigns
 * cost the database little next to the booking path (one indexed sum over clinic-days each).
 */
export const REMAINING_DOSES_INTERVAL_MS = 2_000;

/**
 * The share of one database connection's time a node's reads of one campaign may take: a read
 * that took 1 s (a national campaign's millions of clinic-days on a busy database) waits 4 s before
 * the next, not 2 s — never longer than REMAINING_DOSES_MAX_INTERVAL_MS. Ordinary reads (a few ms)
 * keep the 2 s interval.
 */
const REMAINING_DOSES_COST_SHARE = 0.25;
const REMAINING_DOSES_MAX_INTERVAL_MS = 30_000;

/** Reads a campaign's doses from the first bookable date at `now` on (the capacity repository). */
export type DosesReader = (campaignId: string, now: Date) => Promise<DosesFigure>;

export interface RemainingDosesOptions {
  intervalMs?: number;
  costShare?: number;
  /** Called with each failed read (the last known figure stands). */
  onError?: (campaignId: string, error: unknown) => void;
  /**
   * Real elapsed milliseconds, to measure what a read cost the database (it decides nothing about
   * the queue, so it is not the server clock); tests give their own.
   */
  elapsedMs?: () => number;
}

/**
 * One node's figure of each campaign's remaining doses, for the waiting room's refresher (every
 * 250 ms), never read per poll. `current` answers from memory at once and, at most once per
 * interval on the injected clock (longer when reads are costly), starts a re-read in the
 * background: a slow or failing database never delays or stops the queue's refresh, and a failed
 * read keeps the last known figure.
 */
export class RemainingDosesCache {
  private readonly known = new Map<string, DosesFigure>();
  /** When each campaign's last read started, and how long to wait after it (on the injected clock). */
  private readonly startedAtMs = new Map<string, number>();
  private readonly waitMs = new Map<string, number>();
  private readonly reading = new Map<string, Promise<void>>();
  private readonly intervalMs: number;
  private readonly costShare: number;
  private readonly elapsedMs: () => number;
  /** Reads that failed (the last known figure stood). */
  failures = 0;

  constructor(
    private readonly read: DosesReader,
    private readonly clock: Clock,
    private readonly options: RemainingDosesOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? REMAINING_DOSES_INTERVAL_MS;
    this.costShare = options.costShare ?? REMAINING_DOSES_COST_SHARE;
    this.elapsedMs = options.elapsedMs ?? (() => performance.now());
  }

  /** The last figure read for the campaign (undefined before the first read has answered). */
  current(campaignId: string): DosesFigure | undefined {
    this.readIfDue(campaignId);
    return this.known.get(campaignId);
  }

  /** Resolves once every read under way has finished (tests; a node stopping). */
  async settled(): Promise<void> {
    await Promise.all(this.reading.values());
  }

  private readIfDue(campaignId: string): void {
    if (this.reading.has(campaignId)) return;
    const now = this.clock.now();
    const nowMs = now.getTime();
    const last = this.startedAtMs.get(campaignId);
    // A clock stepped back (nowMs < last) re-reads rather than waiting for it to catch up.
    if (last !== undefined && nowMs >= last && nowMs - last < (this.waitMs.get(campaignId) ?? this.intervalMs)) return;
    this.startedAtMs.set(campaignId, nowMs);
    const startedMs = this.elapsedMs();
    const reading = Promise.resolve()
      .then(() => this.read(campaignId, now))
      .then(
        (figure) => void this.known.set(campaignId, { capacity: figure.capacity, remaining: figure.remaining }),
        (error: unknown) => {
          this.failures += 1;
          this.options.onError?.(campaignId, error);
        },
      )
      .finally(() => {
        const costMs = this.elapsedMs() - startedMs;
        this.waitMs.set(campaignId, Math.min(REMAINING_DOSES_MAX_INTERVAL_MS, Math.max(this.intervalMs, costMs / this.costShare)));
        this.reading.delete(campaignId);
      });
    this.reading.set(campaignId, reading);
  }
}
