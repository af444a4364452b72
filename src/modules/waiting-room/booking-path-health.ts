import type { PathHealth } from './domain/admission-rate.ts';
import { EventLoopDelayWindow } from '../../lib/event-loop-delay.ts';

const SIZE = 4096;

/**
 * The measured health of this node's booking path over the last `windowMs`: p99 latency, the
 * share of server errors, and — once `watchEventLoop()` has been called (a serving node; not the
 * simulation, whose loop is its own) — the event loop's own p99 delay, the part of every call's
 * latency that the rest of the node's work imposes. A fixed ring of the latest calls, so recording
 * is O(1) and memory is bounded whatever the load; the adaptive admission controller reads it four
 * times a second.
 */
export class BookingPathHealth {
  private readonly at = new Float64Array(SIZE);
  private readonly latency = new Float64Array(SIZE);
  private readonly failed = new Uint8Array(SIZE);
  private next = 0;
  private count = 0;
  /** Server errors on the booking path since start (the live dashboard turns it into a rate). */
  serverErrorsTotal = 0;
  private readonly committed = new Map<string, number>();
  private readonly lastCommittedMs = new Map<string, number>();

  private eventLoop: EventLoopDelayWindow | null = null;

  constructor(readonly windowMs = 10_000) {}

  /** Starts measuring this process's event-loop delay over the health window. */
  watchEventLoop(): void {
    this.eventLoop ??= new EventLoopDelayWindow(Math.max(1, Math.round(this.windowMs / 1000)));
    this.eventLoop.start();
  }

  unwatchEventLoop(): void {
    this.eventLoop?.stop();
  }

  /** Records one call to the booking path. */
  record(nowMs: number, latencyMs: number, serverError: boolean): void {
    this.at[this.next] = nowMs;
    this.latency[this.next] = latencyMs;
    this.failed[this.next] = serverError ? 1 : 0;
    if (serverError) this.serverErrorsTotal += 1;
    this.next = (this.next + 1) % SIZE;
    this.count = Math.min(SIZE, this.count + 1);
  }

  /** Counts one booking committed by this node in a campaign, at `nowMs`. */
  countBooking(campaignId: string, nowMs: number): void {
    this.committed.set(campaignId, (this.committed.get(campaignId) ?? 0) + 1);
    this.lastCommittedMs.set(campaignId, nowMs);
  }

  /** Bookings this node has committed since start, and the time of the latest, per campaign. */
  bookingTotals(): { bookings: Record<string, number>; lastBookingMs: Record<string, number> } {
    return { bookings: Object.fromEntries(this.committed), lastBookingMs: Object.fromEntries(this.lastCommittedMs) };
  }

  /** The calls of the window per latency bucket (`bucketOf`: the live dashboard merges nodes' histograms). */
  latencyHistogram(nowMs: number, buckets: number, bucketOf: (latencyMs: number) => number): number[] {
    const counts = new Array<number>(buckets).fill(0);
    for (let i = 0; i < this.count; i++) {
      if (nowMs - this.at[i]! > this.windowMs) continue;
      const b = bucketOf(this.latency[i]!);
      counts[b] = (counts[b] ?? 0) + 1;
    }
    return counts;
  }

  /** Bookings this node has committed in a campaign since start. */
  bookingsTotal(campaignId: string): number {
    return this.committed.get(campaignId) ?? 0;
  }

  /** p99 latency and error rate of the calls in the window (zeros when there were none). */
  health(nowMs: number, activeAdmissions: number): PathHealth {
    const recent: number[] = [];
    let errors = 0;
    for (let i = 0; i < this.count; i++) {
      if (nowMs - this.at[i]! > this.windowMs) continue;
      recent.push(this.latency[i]!);
      errors += this.failed[i]!;
    }
    const loopDelayMs = this.eventLoop?.p99Ms() ?? 0;
    if (recent.length === 0) return { p99LatencyMs: 0, errorRate: 0, errors: 0, activeAdmissions, loopDelayMs };
    recent.sort((a, b) => a - b);
    const p99 = recent[Math.min(recent.length - 1, Math.floor(recent.length * 0.99))]!;
    return { p99LatencyMs: p99, errorRate: errors / recent.length, errors, activeAdmissions, loopDelayMs };
  }
}
