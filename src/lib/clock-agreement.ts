import type { Clock } from './clock.ts';
import { IntervalTimer } from './interval-timer.ts';

export interface ClockAgreementOptions {
  /** Largest tolerated difference (ms) between this node's clock and the reference, beyond the reading's own uncertainty. */
  maxSkewMs: number;
  /** How often the clock is compared (ms). */
  intervalMs: number;
  /** Told every reading's difference (ms; the reference minus ours). */
  onReading?: (skewMs: number) => void;
}

/** Told when the verdict changes, and at the first reading: whether the clocks agree, and the difference (ms). */
export type ClockVerdictListener = (agrees: boolean, skewMs: number) => void;

/**
 * Whether this node's clock agrees with the database's (BRIEF §4.3: the server clock is the only
 * authority, so a node whose clock drifted must not decide who is eligible, who is admitted or
 * when a window opens). The reference is read between two readings of our clock; the difference is
 * the reference minus their midpoint, and disagreement needs it to exceed `maxSkewMs` by more than
 * half the round trip, so a slow database never makes a good clock look wrong. A failed reading
 * keeps the last verdict: an unreachable database is readiness's to report, not a clock's.
 */
export class ClockAgreement {
  private skew: number | null = null;
  private disagreeing = false;
  private checking: Promise<void> | null = null;
  private readonly timer: IntervalTimer;
  private readonly listeners: ClockVerdictListener[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly referenceNow: () => Promise<Date>,
    private readonly options: ClockAgreementOptions,
  ) {
    this.timer = new IntervalTimer(() => void this.check().catch(() => {}), options.intervalMs);
  }

  /** The reference's time minus ours at the last reading (ms), null before one succeeded. */
  get skewMs(): number | null {
    return this.skew;
  }

  /** True once a reading found the clocks further apart than allowed, until one finds them together. */
  disagrees(): boolean {
    return this.disagreeing;
  }

  /** Reads the reference once (readings never overlap); rejects when the reference cannot be read. */
  check(): Promise<void> {
    this.checking ??= this.read().finally(() => {
      this.checking = null;
    });
    return this.checking;
  }

  /** Calls `listener` on every change of verdict (after the first reading, once with it). */
  watch(listener: ClockVerdictListener): void {
    this.listeners.push(listener);
  }

  start(): void {
    this.timer.start();
  }

  stop(): void {
    this.timer.stop();
  }

  private async read(): Promise<void> {
    const before = this.clock.now().getTime();
    const reference = (await this.referenceNow()).getTime();
    const after = this.clock.now().getTime();
    const skew = reference - (before + after) / 2;
    const disagrees = Math.abs(skew) - (after - before) / 2 > this.options.maxSkewMs;
    const first = this.skew === null;
    this.skew = skew;
    this.options.onReading?.(skew);
    if (first || disagrees !== this.disagreeing) {
      this.disagreeing = disagrees;
      for (const listener of this.listeners) listener(!disagrees, skew);
    }
  }
}
