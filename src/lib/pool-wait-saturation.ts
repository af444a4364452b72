import { IntervalTimer } from './interval-timer.ts';
import { SustainedLevel } from './sustained-level.ts';

/** At most this many waits are kept per interval (a sample of them past that: the median holds). */
const MAX_SAMPLES = 1024;

export interface PoolWaitOptions {
  /** A sustained median wait for a connection above this is saturation (ms); 0 never reports it. */
  thresholdMs: number;
  /** Requests waiting for a connection now (the pool's queue: a field read). */
  waiting: () => number;
  windowMs?: number;
  intervalMs?: number;
  now?: () => number;
}

/**
 * Whether a database pool is saturated: the median time a checkout waited for a connection, per
 * 250 ms interval, above the threshold over a whole window (`SustainedLevel`) — the database, not
 * the event loop, is then what holds every request back, and more requests only lengthen the
 * queue. An interval in which nobody got a connection while someone waited counts the time since
 * the last checkout (a stalled pool's wait grows with the stall). Real time, like the event loop's measure: it measures this process.
 */
export class PoolWaitSaturation {
  private readonly level: SustainedLevel;
  private readonly timer: IntervalTimer;
  private samples: number[] = [];
  private seen = 0;
  private lastCheckoutMs = 0;

  constructor(private readonly options: PoolWaitOptions) {
    this.level = new SustainedLevel({ windowMs: options.windowMs, now: options.now });
    this.timer = new IntervalTimer(() => this.roll(), options.intervalMs ?? 250);
  }

  /** One checkout's wait for a connection (ms). */
  observe(waitMs: number): void {
    this.lastCheckoutMs = this.level.now();
    this.seen += 1;
    if (this.samples.length < MAX_SAMPLES) this.samples.push(waitMs);
    else {
      // Reservoir sampling: every wait of the interval equally likely to be kept.
      const slot = Math.floor(Math.random() * this.seen);
      if (slot < MAX_SAMPLES) this.samples[slot] = waitMs;
    }
  }

  start(): void {
    if (this.timer.running || this.options.thresholdMs === 0) return;
    this.reset();
    this.timer.start();
  }

  stop(): void {
    this.timer.stop();
  }

  reset(): void {
    this.level.reset();
    this.samples = [];
    this.seen = 0;
    this.lastCheckoutMs = this.level.now();
  }

  /** The wait the pool has kept up over the whole window (ms); 0 while less than a window has been seen. */
  sustainedWaitMs(): number {
    return this.level.sustained();
  }

  /**
   * Whether the pool is saturated now: its wait sustained over the threshold, and someone waiting
   * for a connection at this moment. Once the queue has drained (a burst is over), a request takes
   * a connection without waiting, and refusing it would shorten nothing: the window's slow
   * intervals do not go on refusing work for up to another interval after the last waiter.
   */
  saturated(): boolean {
    return this.options.thresholdMs > 0 && this.options.waiting() > 0 && this.sustainedWaitMs() > this.options.thresholdMs;
  }

  /** Closes an interval (the timer calls it; tests call it after their own `observe`s). */
  roll(): void {
    let median = 0;
    if (this.samples.length > 0) {
      this.samples.sort((a, b) => a - b);
      median = this.samples[this.samples.length >> 1]!;
    } else if (this.options.waiting() > 0) median = this.level.now() - this.lastCheckoutMs;
    this.level.record(median);
    this.samples = [];
    this.seen = 0;
  }
}
