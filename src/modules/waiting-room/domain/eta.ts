/**
 * The measured admission rate, smoothed: an exponentially weighted mean and variance of the rate
 * seen in each interval (BRIEF §4.5: the wait estimate comes from what the queue really does).
 */
export class RateEstimator {
  private mean = 0;
  private variance = 0;
  private samples = 0;

  /** `alpha` weights the newest interval (0.2 ≈ the last ~10 intervals matter). */
  constructor(private readonly alpha = 0.2) {}

  /** Records that `admitted` places were served over `seconds`. */
  observe(admitted: number, seconds: number): void {
    if (seconds <= 0) return;
    const rate = admitted / seconds;
    if (this.samples === 0) {
      this.mean = rate;
    } else {
      const delta = rate - this.mean;
      this.mean += this.alpha * delta;
      this.variance = (1 - this.alpha) * (this.variance + this.alpha * delta * delta);
    }
    this.samples += 1;
  }

  get ratePerSecond(): number {
    return this.mean;
  }

  get standardDeviation(): number {
    return Math.sqrt(this.variance);
  }
}

export interface Eta {
  p50Seconds: number | null;
  p90Seconds: number | null;
}

/**
 * Seconds until `ahead` more places are served at `rate` (± its spread): p50 at the mean rate,
 * p90 at the rate one 1.28 standard deviations lower (floored at half the mean). Null while
 * nothing has been measured (better no number than the 144 hours of 2021).
 */
export function estimateWait(ahead: number, rate: number, standardDeviation: number): Eta {
  if (ahead <= 0) return { p50Seconds: 0, p90Seconds: 0 };
  if (!(rate > 0)) return { p50Seconds: null, p90Seconds: null };
  const slow = Math.max(rate * 0.5, rate - 1.28 * standardDeviation);
  return { p50Seconds: Math.ceil(ahead / rate), p90Seconds: Math.ceil(ahead / slow) };
}

/** What decides the pace the wait estimate divides by. */
export interface PaceInputs {
  /** The pace measured over the last minute, or null while it settles (or is unsteady). */
  measured: number | null;
  measuredDeviation: number;
  mode: 'fixed' | 'adaptive';
  /** The rate the queue is set to admit at now: the configured one (fixed), the controller's (adaptive). */
  targetRate: number;
  /** The queue can move: opened, neither paused nor closed. */
  open: boolean;
  soldOut: boolean;
}

/**
 * The pace the status document gives (BRIEF §4.5: everyone who waits sees an estimate within 5 s
 * of joining): the measured one once it has settled; until then, and while it is unsteady, the rate
 * the queue is set to admit at, with a spread that widens the p90 — to p50 ÷ 0.75 for a fixed rate
 * (the limit on active admissions may still hold it back), to twice the p50 for the controller's
 * (it moves). The measurement then narrows it. Sold out, the queue is not moving: no pace.
 */
export function etaPace(p: PaceInputs): { rate: number | null; deviation: number } {
  if (p.soldOut) return { rate: null, deviation: 0 };
  if (p.measured !== null) return { rate: p.measured, deviation: p.measuredDeviation };
  if (!p.open || !(p.targetRate > 0)) return { rate: null, deviation: 0 };
  const slowest = p.mode === 'fixed' ? 0.75 : 0.5;
  return { rate: p.targetRate, deviation: ((1 - slowest) * p.targetRate) / 1.28 };
}

/** What the wait estimate reads from the shared status document (API.md, `GET …/queue`). */
export interface PaceStatus {
  servingUpTo: number;
  /** Null while the pace is still being measured (just after the opening). */
  etaRatePerSecond: number | null;
  etaRateDeviation: number;
}

/**
 * A person's figures from their place and the shared status: people ahead and the ETA. The one
 * function the server (`…/tickets/me`, 425 answers), the waiting page and the simulation all use,
 * so a client works out exactly what the server would say.
 */
export function waitFor(position: number | null, status: PaceStatus): { ahead: number | null; eta: Eta } {
  if (position === null) return { ahead: null, eta: { p50Seconds: null, p90Seconds: null } };
  const ahead = Math.max(0, position - status.servingUpTo);
  return { ahead, eta: estimateWait(ahead, status.etaRatePerSecond ?? 0, status.etaRateDeviation) };
}
