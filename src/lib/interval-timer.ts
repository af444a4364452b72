/**
 * A process-telemetry tick every `intervalMs` that never keeps the process alive (unref'd):
 * started once, stopped any number of times.
 */
export class IntervalTimer {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly tick: () => void,
    readonly intervalMs: number,
  ) {}

  get running(): boolean {
    return this.timer !== null;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(this.tick, this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
