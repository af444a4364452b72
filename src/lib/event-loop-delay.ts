import { monitorEventLoopDelay, type ELDHistogram } from 'node:perf_hooks';

/**
 * How long a ready callback waits for this process's event loop: the 99th percentile of each
 * second's delay, averaged over the last `windowSeconds`. Process telemetry in real time (not the
 * injected clock): it measures this process, not the domain. Nothing runs until `start()`.
 */
export class EventLoopDelayWindow {
  private histogram: ELDHistogram | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** One p99 per second, newest last. */
  private readonly perSecond: number[] = [];

  constructor(
    private readonly windowSeconds = 10,
    private readonly resolutionMs = 10,
  ) {}

  start(): void {
    if (this.histogram) return;
    this.histogram = monitorEventLoopDelay({ resolution: this.resolutionMs });
    this.histogram.enable();
    this.timer = setInterval(() => this.roll(), 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.histogram?.disable();
    this.histogram = null;
    this.timer = null;
    this.perSecond.length = 0;
  }

  /** The mean of the last seconds' p99 delays in milliseconds (0 before the first second, or stopped). */
  p99Ms(): number {
    if (this.perSecond.length === 0) return 0;
    return this.perSecond.reduce((sum, x) => sum + x, 0) / this.perSecond.length;
  }

  private roll(): void {
    const h = this.histogram;
    if (!h) return;
    // The histogram records each sampling interval; the delay is what exceeds the resolution.
    this.perSecond.push(h.count > 0 ? Math.max(0, h.percentile(99) / 1e6 - this.resolutionMs) : 0);
    if (this.perSecond.length > this.windowSeconds) this.perSecond.shift();
    h.reset();
  }
}
