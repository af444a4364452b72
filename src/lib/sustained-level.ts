/** One measuring interval: when it began and the level it measured. */
interface Interval {
  startedAtMs: number;
  level: number;
}

export interface SustainedLevelOptions {
  /** How long the level must have stayed up to count (ms). */
  windowMs?: number;
  /** How many consecutive intervals it must stay there, at the least. */
  minIntervals?: number;
  /** Process time in ms (performance.now by default); tests step it by hand. */
  now?: () => number;
}

/**
 * The level a measure has kept up over a whole window: the least of its intervals' levels, once
 * every interval of the last `windowMs` (and at least `minIntervals` of them) has been recorded,
 * else 0. One bad interval among good ones — a long task, a garbage collection, one slow query —
 * does not move it; a resource that is really saturated is bad in each. Until a full window has
 * been seen (the first seconds after start) it is 0.
 */
export class SustainedLevel {
  private readonly intervals: Interval[] = [];
  /** Where the next interval begins: the end of the last one, or the reset. */
  private nextStartMs: number;
  private readonly windowMs: number;
  private readonly minIntervals: number;
  readonly now: () => number;

  constructor(options: SustainedLevelOptions = {}) {
    this.windowMs = options.windowMs ?? 2_000;
    this.minIntervals = options.minIntervals ?? 3;
    this.now = options.now ?? (() => performance.now());
    this.nextStartMs = this.now();
  }

  /** When the interval being measured began. */
  get intervalStartMs(): number {
    return this.nextStartMs;
  }

  /** Forgets every interval so far: the window starts again now. */
  reset(): void {
    this.intervals.length = 0;
    this.nextStartMs = this.now();
  }

  /** Closes the interval being measured with its level. */
  record(level: number): void {
    const nowMs = this.now();
    this.intervals.push({ startedAtMs: this.nextStartMs, level });
    this.nextStartMs = nowMs;
    // Keep what the window needs: the intervals that reach into it, and enough of them.
    while (this.intervals.length > this.minIntervals && this.intervals[1]!.startedAtMs <= nowMs - this.windowMs) this.intervals.shift();
  }

  /** The least level of the intervals covering the window; 0 while less than a window has been seen. */
  sustained(): number {
    const windowStartMs = this.now() - this.windowMs;
    let least = Infinity;
    for (let i = this.intervals.length - 1; i >= 0; i--) {
      const interval = this.intervals[i]!;
      least = Math.min(least, interval.level);
      if (this.intervals.length - i >= this.minIntervals && interval.startedAtMs <= windowStartMs) return least;
    }
    return 0;
  }
}
