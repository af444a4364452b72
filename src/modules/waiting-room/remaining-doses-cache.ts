import type { Clock } from '../../lib/clock.ts';
import type { DosesFigure } from './domain/sold-out.ts';

/**
 * How often a node re-reads a campaign's remaining doses: often enough that a cancellation or new
 * capacity starts the queue again within a couple of seconds, rare enough that N nodes × campaigns
 * cost the database nothing next to the booking path (one indexed sum over clinic-days each).
 */
export const REMAINING_DOSES_INTERVAL_MS = 2_000;

/** Reads a campaign's doses from the first bookable date at `now` on (the capacity repository). */
export type DosesReader = (campaignId: string, now: Date) => Promise<DosesFigure>;

/**
 * One node's figure of each campaign's remaining doses, for the waiting room's refresher (every
 * 250 ms), never read per poll. `current` answers from memory at once and, at most once per
 * interval on the injected clock, starts a re-read in the background: a slow or failing database
 * never delays or stops the queue's refresh, and a failed read keeps the last known figure.
 */
export class RemainingDosesCache {
  private readonly known = new Map<string, DosesFigure>();
  private readonly startedAtMs = new Map<string, number>();
  private readonly reading = new Map<string, Promise<void>>();
  /** Reads that failed (the last known figure stood); a metric and the tests read it. */
  failures = 0;

  constructor(
    private readonly read: DosesReader,
    private readonly clock: Clock,
    private readonly intervalMs = REMAINING_DOSES_INTERVAL_MS,
    private readonly onError?: (campaignId: string, error: unknown) => void,
  ) {}

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
    if (last !== undefined && nowMs >= last && nowMs - last < this.intervalMs) return;
    this.startedAtMs.set(campaignId, nowMs);
    const reading = Promise.resolve()
      .then(() => this.read(campaignId, now))
      .then(
        (figure) => void this.known.set(campaignId, { capacity: figure.capacity, remaining: figure.remaining }),
        (error: unknown) => {
          this.failures += 1;
          this.onError?.(campaignId, error);
        },
      )
      .finally(() => this.reading.delete(campaignId));
    this.reading.set(campaignId, reading);
  }
}
