/**
 * A circuit breaker for a slow, sometimes-down outside system: after `threshold` failures in a row
 * it opens and refuses calls at once for `cooldownMs`; then one trial call is let through (half
 * open): success closes it, failure opens it again. Time is passed in, so tests move it by hand.
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt: number | null = null;
  private trialInFlight = false;

  constructor(private readonly threshold = 5, private readonly cooldownMs = 30_000) {}

  /** 'closed' (calls pass), 'open' (refused), or 'half-open' (one trial may pass). */
  state(now: number): 'closed' | 'open' | 'half-open' {
    if (this.openedAt === null) return 'closed';
    return now - this.openedAt >= this.cooldownMs ? 'half-open' : 'open';
  }

  /** May a call go out now? In half-open, only one trial at a time. */
  allow(now: number): boolean {
    const state = this.state(now);
    if (state === 'closed') return true;
    if (state === 'open' || this.trialInFlight) return false;
    this.trialInFlight = true;
    return true;
  }

  succeeded(): void {
    this.failures = 0;
    this.openedAt = null;
    this.trialInFlight = false;
  }

  failed(now: number): void {
    this.failures++;
    if (this.trialInFlight || this.failures >= this.threshold) this.openedAt = now;
    this.trialInFlight = false;
  }
}
