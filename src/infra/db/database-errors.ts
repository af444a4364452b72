/**
 * The one place where what PostgreSQL, node-postgres and PGlite's thread throw when the database
 * cannot serve becomes "unavailable" (503 with Retry-After, the client retries) rather than a bug
 * (500). A failover is the common case: connections to the old primary are cut, new ones are
 * refused until the standby is promoted, and a demoted primary still up refuses writes.
 */

// Socket errors while connecting or talking to the server (or to HAProxy in front of it).
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN']);

// SQLSTATEs by which a server says it cannot serve now (not that the statement is wrong).
const UNAVAILABLE_STATES = new Set([
  '57P01', // admin_shutdown: the server is stopping (fast shutdown, failover)
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up, or in recovery
  '53300', // too_many_connections
  '25006', // read_only_sql_transaction: a write reached a standby (a demoted primary)
  '40001', // serialization_failure is retried by the transaction helper; here only if it gave up
  // query_canceled: the statement outlived statement_timeout (10 s), waiting on a lock held by a
  // transaction stuck elsewhere — e.g. a commit waiting for a synchronous standby that is gone.
  '57014',
]);

// node-postgres' and pg-pool's own messages when a connection dies or never comes.
const CLIENT_MESSAGES = [
  'Connection terminated unexpectedly',
  'Connection terminated due to connection timeout',
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
];

/**
 * True when a statement prepared on this connection no longer fits the table it reads: a column
 * was added or dropped since (a migration while the node runs — the old nodes of a rolling deploy).
 * PostgreSQL refuses it on that connection until the statement is prepared again; the pool
 * discards the connection (`src/infra/db/database.ts`), so a retry meets a fresh one.
 */
export function isStalePlan(error: unknown): boolean {
  return error instanceof Error && (error as { code?: unknown }).code === '0A000' && error.message.startsWith('cached plan must not change result type');
}

/** True when `error` says the database could not be reached or could not serve, not that we erred. */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (isStalePlan(error)) return true;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || UNAVAILABLE_STATES.has(code) || code.startsWith('08'))) return true;
  return CLIENT_MESSAGES.some((message) => error.message.startsWith(message));
}

/**
 * True when the database refused a value of the statement itself — a data exception (SQLSTATE
 * class 22, e.g. a NUL byte in text) or a violated constraint (class 23) — which the same
 * statement without that value would not meet.
 */
export function isDataRefused(error: unknown): boolean {
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'));
}
