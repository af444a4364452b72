import { YeyakError } from '../../errors.ts';

/** Seconds a client should wait before trying again when the queue store is unreachable. */
const QUEUE_STORE_RETRY_AFTER_SECONDS = 2;

/**
 * The queue store cannot be reached (connection refused or lost, timed out, loading, failing
 * over). Answered as 503 `YEYAK_ERR_QUEUE_UNAVAILABLE` with Retry-After: admissions fail closed,
 * never open (BRIEF §4.2), and places are kept. `cause` keeps the client's error for the log.
 */
export class QueueStoreUnavailableError extends YeyakError {
  constructor(cause: unknown) {
    super('YEYAK_ERR_QUEUE_UNAVAILABLE', { retryAfterSeconds: QUEUE_STORE_RETRY_AFTER_SECONDS });
    this.name = 'QueueStoreUnavailableError';
    this.cause = cause;
  }
}
