/** When a failed delivery is tried again: exponential back-off with jitter, then the dead-letter list. */
export interface BackoffPolicy {
  /** Delay after the first failure, in ms. */
  baseMs: number;
  /** Longest delay between two attempts, in ms. */
  capMs: number;
  /** Attempts before a job goes to the dead-letter list. */
  maxAttempts: number;
}

/**
 * 20 attempts: the last comes 29–59 minutes after the first failure (44 on average), so a system
 * that fails every other call for half an hour still gets every event, and dead letters stay what
 * an operator must look at: refusals, or a system broken for most of an hour. A full outage spends
 * no attempts at all (the circuit breaker claims no job while open).
 */
export const DEFAULT_BACKOFF: BackoffPolicy = Object.freeze({ baseMs: 1_000, capMs: 300_000, maxAttempts: 20 });

/**
 * The delay before attempt `attempts + 1`, after `attempts` failed ones: base·2^(attempts−1) capped,
 * with "equal jitter" (half fixed, half random) so many jobs failed by one outage do not all come
 * back at the same instant, yet none comes back sooner than half its step.
 */
export function retryDelayMs(policy: BackoffPolicy, attempts: number, random: () => number): number {
  const step = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, Math.min(attempts - 1, 30)));
  return Math.round(step / 2 + random() * (step / 2));
}

/** What to do with a job that failed its `attempts`-th attempt. */
export function afterFailure(policy: BackoffPolicy, attempts: number, permanent: boolean, now: number, random: () => number): { dead: true } | { dead: false; nextAttemptAt: number } {
  if (permanent || attempts >= policy.maxAttempts) return { dead: true };
  return { dead: false, nextAttemptAt: now + retryDelayMs(policy, attempts, random) };
}
