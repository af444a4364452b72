/** The answer to one hit: allowed, or refused with the seconds until the window frees up. */
export interface RateDecision {
  allowed: boolean;
  retryAfterSeconds: number;
}

/** A store of fixed-window counters (in-process here; a shared store plugs in for many nodes). */
export interface RateLimiter {
  hit(key: string, limit: number, windowMs: number, now: Date): Promise<RateDecision>;
}

/**
 * Fixed-window counters in memory. Windows are aligned to multiples of `windowMs` of the server
 * clock, so all keys roll over together and old windows are dropped in one sweep.
 */
export class MemoryRateLimiter implements RateLimiter {
  private readonly counts = new Map<string, { window: number; count: number }>();
  private lastSweep = 0;

  async hit(key: string, limit: number, windowMs: number, now: Date): Promise<RateDecision> {
    const t = now.getTime();
    const window = Math.floor(t / windowMs);
    if (t - this.lastSweep > 60_000) this.sweep(t, windowMs);
    const entry = this.counts.get(key);
    const current = entry && entry.window === window ? entry : { window, count: 0 };
    current.count += 1;
    this.counts.set(key, current);
    if (current.count <= limit) return { allowed: true, retryAfterSeconds: 0 };
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(((window + 1) * windowMs - t) / 1000)) };
  }

  private sweep(t: number, windowMs: number): void {
    this.lastSweep = t;
    const current = Math.floor(t / windowMs);
    for (const [key, entry] of this.counts) if (entry.window < current) this.counts.delete(key);
  }
}
