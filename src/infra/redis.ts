import { Redis } from 'ioredis';

export interface RedisClientOptions {
  /** How long one connection attempt may take before it counts as failed. */
  connectTimeoutMs?: number;
  /** How long any command may wait for its reply before it is rejected. */
  commandTimeoutMs?: number;
  /** Upper bound of the delay between reconnection attempts. */
  maxReconnectDelayMs?: number;
  /**
   * Connection errors as they happen (for the log). Commands fail on their own with the cause,
   * so this only observes; without a listener ioredis would print every one to the console.
   */
  onError?: (error: Error) => void;
}

const DEFAULTS = { connectTimeoutMs: 1_000, commandTimeoutMs: 1_000, maxReconnectDelayMs: 2_000 } as const;

/**
 * Delay before reconnection attempt `attempt` (1, 2, …): doubling from 50 ms up to the cap, with
 * full jitter so that many nodes do not hammer a Redis that has just come back all at once.
 */
export function reconnectDelayMs(attempt: number, capMs: number = DEFAULTS.maxReconnectDelayMs, random: () => number = Math.random): number {
  const ceiling = Math.min(capMs, 50 * 2 ** Math.min(attempt - 1, 16));
  return Math.max(10, Math.round(ceiling * (0.5 + random() / 2)));
}

/**
 * An ioredis client that fails fast: while Redis is unreachable every command is rejected at once
 * (no offline queue), a command waits for its reply at most `commandTimeoutMs`, and commands in
 * flight when the connection drops are not replayed later behind their caller's back. The client
 * keeps reconnecting in the background with capped, jittered backoff.
 *
 * @example
 * const redis = createRedisClient(config.redisUrl, { onError: (err) => log.warn({ err }, 'redis') });
 */
export function createRedisClient(url: string, options: RedisClientOptions = {}): Redis {
  const { connectTimeoutMs, commandTimeoutMs, maxReconnectDelayMs } = { ...DEFAULTS, ...options };
  const client = new Redis(url, {
    enableOfflineQueue: false,
    connectTimeout: connectTimeoutMs,
    commandTimeout: commandTimeoutMs,
    maxRetriesPerRequest: 1,
    // The caller of a command that was in flight has been (or will be) told it failed; replaying
    // it after a reconnect would act on a request nobody is waiting for any more.
    autoResendUnfulfilledCommands: false,
    retryStrategy: (attempt) => reconnectDelayMs(attempt, maxReconnectDelayMs),
    lazyConnect: true,
  });
  const onError = options.onError;
  client.on('error', (error: Error) => onError?.(error));
  // Connect in the background; until it is ready, commands are refused immediately.
  client.connect().catch((error: unknown) => onError?.(error instanceof Error ? error : new Error(String(error))));
  return client;
}

/** Waits until `client` is ready to take commands, or rejects after `timeoutMs`. */
export function whenReady(client: Redis, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('ready', onReady);
      reject(new Error(`Redis was not ready within ${timeoutMs} ms (status ${client.status})`));
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    client.once('ready', onReady);
  });
}

/**
 * Creates a fail-fast client and waits until it is ready (boot and tests); on failure the client
 * is disconnected and the error thrown.
 */
export async function connectRedis(url: string, options: RedisClientOptions & { readyTimeoutMs?: number } = {}): Promise<Redis> {
  const client = createRedisClient(url, options);
  try {
    await whenReady(client, options.readyTimeoutMs ?? 5_000);
    return client;
  } catch (error) {
    client.disconnect();
    throw error;
  }
}
