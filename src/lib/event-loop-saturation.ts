import { monitorEventLoopDelay, type ELDHistogram } from 'node:perf_hooks';
import { IntervalTimer } from './interval-timer.ts';
import { SustainedLevel } from './sustained-level.ts';

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
 * delay of the loop's turns is recorded; the loop is saturated only when that median stayed above
 * the threshold over the whole window (`SustainedLevel`). Process telemetry in real time, not the
 * injected clock: it measures this process, not the domain.
 */
export class EventLoopSaturation {
  private histogram: ELDHistogram | null = null;
  private readonly timer: IntervalTimer;
  private readonly level: SustainedLevel;

  constructor(private readonly options: SaturationOptions) {
    this.level = new SustainedLevel({ windowMs: options.windowMs, minIntervals: options.minIntervals, now: options.now });
    this.timer = new IntervalTimer(() => this.roll(), options.intervalMs ?? 250);
  }

  /** Starts measuring (idempotent); what came before is forgotten. */
  start(): void {
    if (this.timer.running || this.options.thresholdMs === 0) return;
    this.histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    this.histogram.enable();
    this.reset();
    this.timer.start();
  }

  stop(): void {
    this.timer.stop();
    this.histogram?.disable();
    this.histogram = null;
  }

  /** Forgets every interval seen so far: the window starts again now (after start-up work). */
  reset(): void {
    this.level.reset();
    this.histogram?.reset();
  }

  /** Records one interval's median delay (the timer calls it; tests call it with their own figures). */
  record(medianDelayMs: number): void {
    this.level.record(medianDelayMs);
  }

  /**
   * The delay the loop has kept up over the whole window (the smallest median of its intervals),
   * in ms; 0 while less than a window has been seen.
   */
  sustainedDelayMs(): number {
    return this.level.sustained();
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
    const lateMs = this.level.now() - this.level.intervalStartMs - this.timer.intervalMs;
    this.record(h.count > 0 ? Math.max(0, h.percentile(50) / 1e6 - RESOLUTION_MS) : Math.max(0, lateMs));
    h.reset();
  }
}
