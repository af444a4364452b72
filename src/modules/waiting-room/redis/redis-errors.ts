import { QueueStoreUnavailableError } from '../queue-store-errors.ts';

/**
 * The one place where what Redis and ioredis throw becomes the queue store's typed errors.
 * The scripts raise no errors of their own: every refusal (place not reached, queue closed, no
 * valid admission) is an ordinary answer. What remains is Redis being unreachable or unable to
 * serve, mapped to `QueueStoreUnavailableError` (503, fail closed); anything else is a bug and
 * goes up unchanged (500).
 */

// Socket errors while connecting or talking to Redis.
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN']);

// ioredis' own messages when it refuses or gives up on a command.
const CLIENT_MESSAGES = [
  "Stream isn't writeable", // not connected and the offline queue is off (fail fast)
  'Connection is closed', // closed while the command was queued or in flight
  'Command timed out', // no reply within commandTimeout
  'Reached the max retries per request limit', // in flight while reconnecting failed
  'Failed to refresh slots cache', // cluster: no node answered
  'None of startup nodes is available',
];

// Reply errors by which a running Redis says it cannot serve right now.
const UNAVAILABLE_REPLIES = new Set([
  'LOADING', // still loading the dataset after a restart
  'BUSY', // another script is running past its time limit
  'MASTERDOWN', // replica lost its primary
  'READONLY', // we reached a replica (failover under way)
  'CLUSTERDOWN',
  'TRYAGAIN',
  'MOVED', // cluster topology changing under us
  'ASK',
  'MISCONF', // cannot persist, so it refuses writes
  'OOM', // out of memory for writes
  'NOREPLICAS',
]);

/** True when `error` says the store could not be reached or could not serve, not that we erred. */
function isUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'MaxRetriesPerRequestError' || error.name === 'ClusterAllFailedError') return true;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
  if (CLIENT_MESSAGES.some((message) => error.message.startsWith(message))) return true;
  const replyCode = /^([A-Z]+)\b/.exec(error.message)?.[1];
  return error.name === 'ReplyError' && replyCode !== undefined && UNAVAILABLE_REPLIES.has(replyCode);
}

/** Maps a failure of a Redis call to the queue store's typed errors; others are returned as they are. */
export function queueStoreError(error: unknown): unknown {
  return isUnavailable(error) ? new QueueStoreUnavailableError(error) : error;
}
