import { monitorEventLoopDelay, type ELDHistogram } from 'node:perf_hooks';

/** One sampling interval of the event loop: when it began and its median delay. */
interface Interval {
  startedAtMs: number;
  medianDelayMs: number;
}

export interface SaturationOptions {
  /** A sustained median delay above this is saturation (ms); 0 never reports it. */
  thresholdMs: number;
  /** How long the delay must stay above the threshold (ms). */
  windowMs?: number;
  /** How many consecutive sampling intervals it must stay there, at the least. */
  minIntervals?: number;
  intervalMs?: number;
  /** Process time in ms (performance.now by default); tests step it by hand. */
  now?: () => number;
}

const RESOLUTION_MS = 10;

/**
 * Whether this process's event loop is behind, not merely interrupted (BRIEF §4.1: below capacity
 * a node never sheds — not while starting, not after one slow request). Every interval the median
 * delay of the loop's turns is recorded; the loop is saturated only when every interval of the last
 * `windowMs` — and at least `minIntervals` of them — had a median above the threshold. One long
 * task (a big JSON parse, a garbage collection, a slow query) is one bad interval among good
 * ones; a loop that is really behind is bad in each. Until a full window has been seen (the first
 * seconds after start) the answer is "not saturated". Process telemetry in real time, not the
 * injected clock: it measures this process, not the domain.
 */
export class EventLoopSaturation {
  private histogram: ELDHistogram | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly intervals: Interval[] = [];
  /** Where the next interval begins: the end of the last one, or the reset. */
  private nextStartMs = 0;
  private readonly windowMs: number;
  private readonly minIntervals: number;
  private readonly intervalMs: number;
  private readonly now: () => number;

  constructor(private readonly options: SaturationOptions) {
    this.windowMs = options.windowMs ?? 2_000;
    this.minIntervals = options.minIntervals ?? 3;
    this.intervalMs = options.intervalMs ?? 250;
    this.now = options.now ?? (() => performance.now());
  }

  /** Starts measuring (idempotent); what came before is forgotten. */
  start(): void {
    if (this.timer || this.options.thresholdMs === 0) return;
    this.histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    this.histogram.enable();
    this.reset();
    this.timer = setInterval(() => this.roll(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.histogram?.disable();
    this.histogram = null;
  }

  /** Forgets every interval seen so far: the window starts again now (after start-up work). */
  reset(): void {
    this.intervals.length = 0;
    this.histogram?.reset();
    this.nextStartMs = this.now();
  }

  /** Records one interval's median delay (the timer calls it; tests call it with their own figures). */
  record(medianDelayMs: number): void {
    const nowMs = this.now();
    this.intervals.push({ startedAtMs: this.nextStartMs, medianDelayMs });
    this.nextStartMs = nowMs;
    // Keep what the window needs: the intervals that reach into it, and enough of them.
    while (this.intervals.length > this.minIntervals && this.intervals[1]!.startedAtMs <= nowMs - this.windowMs) this.intervals.shift();
  }

  /**
   * The delay the loop has kept up over the whole window (the smallest median of its intervals),
   * in ms; 0 while less than a window has been seen.
   */
  sustainedDelayMs(): number {
    const windowStartMs = this.now() - this.windowMs;
    let least = Infinity;
    for (let i = this.intervals.length - 1; i >= 0; i--) {
      const interval = this.intervals[i]!;
      least = Math.min(least, interval.medianDelayMs);
      if (this.intervals.length - i >= this.minIntervals && interval.startedAtMs <= windowStartMs) return least;
    }
    return 0;
  }

  /** True when the loop has been behind by more than the threshold for the whole window. */
  saturated(): boolean {
    return this.options.thresholdMs > 0 && this.sustainedDelayMs() > this.options.thresholdMs;
  }

  private roll(): void {
    const h = this.histogram;
    if (!h) return;
    // Each sample is one turn's wait for the histogram's timer; the delay is what exceeds the
    // resolution. A loop blocked in every turn records no sample at all (seen on Node 24): the
    // interval's delay is then how late this roll itself came.
    const lateMs = this.now() - this.nextStartMs - this.intervalMs;
    this.record(h.count > 0 ? Math.max(0, h.percentile(50) / 1e6 - RESOLUTION_MS) : Math.max(0, lateMs));
    h.reset();
  }
}
