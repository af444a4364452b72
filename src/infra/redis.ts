import { Redis, type Callback, type RedisOptions } from 'ioredis';
import type { RedisSentinelConfig } from '../config-redis.ts';

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
  /** Find the primary through these Sentinels (the URL then gives only password, database and TLS). */
  sentinel?: RedisSentinelConfig | null;
}

const DEFAULTS = { connectTimeoutMs: 1_000, commandTimeoutMs: 1_000, maxReconnectDelayMs: 2_000 } as const;

/**
 * Delay before reconnection attempt `attempt` (1, 2, …): doubling from 50 ms up to the cap, with
 * full jitter so that many nodes do not hammer a Redis that has just come back all at once.
 */
function reconnectDelayMs(attempt: number, capMs: number = DEFAULTS.maxReconnectDelayMs, random: () => number = Math.random): number {
  const ceiling = Math.min(capMs, 50 * 2 ** Math.min(attempt - 1, 16));
  return Math.max(10, Math.round(ceiling * (0.5 + random() / 2)));
}

/**
 * An ioredis client that fails fast: while Redis is unreachable every command is rejected at once
 * (no offline queue), a command waits for its reply at most `commandTimeoutMs`, and commands in
 * flight when the connection drops are not replayed later behind their caller's back. The client
 * keeps reconnecting in the background with capped, jittered backoff.
 *
 * With `sentinel`, the primary is found through Sentinel (see `sentinelOptions`).
 *
 * @example
 * const redis = createRedisClient(config.redisUrl, { sentinel: config.redisSentinel, onError: (err) => log.warn({ err }, 'redis') });
 */
export function createRedisClient(url: string, options: RedisClientOptions = {}): Redis {
  const { connectTimeoutMs, commandTimeoutMs, maxReconnectDelayMs } = { ...DEFAULTS, ...options };
  const client = new ReconnectingRedis(url, {
    ...sentinelOptions(options.sentinel ?? null, url.startsWith('rediss:'), connectTimeoutMs, maxReconnectDelayMs),
    enableOfflineQueue: false,
    connectTimeout: connectTimeoutMs,
    commandTimeout: commandTimeoutMs,
    maxRetriesPerRequest: 1,
    // The caller of a command that was in flight has been (or will be) told it failed; replaying
    // it after a reconnect would act on a request nobody is waiting for any more.
    autoResendUnfulfilledCommands: false,
    retryStrategy: (attempt) => reconnectDelayMs(attempt, maxReconnectDelayMs),
    lazyConnect: true,
  }, maxReconnectDelayMs);
  const onError = options.onError;
  client.on('error', (error: Error) => onError?.(error));
  // Connect in the background; until it is ready, commands are refused immediately.
  client.connect().catch((error: unknown) => onError?.(error instanceof Error ? error : new Error(String(error))));
  return client;
}

/**
 * An ioredis client that is never left ended unless its owner closed it.
 *
 * ioredis gives up on a client for good when a connection attempt is aborted from within: in
 * Sentinel mode the failover detector of the previous connection hears `+switch-master` while
 * the client is already reconnecting, disconnects the connector under the attempt in flight, and
 * the client ends ("Connection is closed.") with no retry. After a real failover a node would
 * then refuse every queue call until restarted. This client starts connecting again, with the
 * same capped, jittered backoff, whenever it ends without `disconnect()` or `quit()`.
 */
class ReconnectingRedis extends Redis {
  private closedByOwner = false;
  private revivals = 0;

  constructor(url: string, options: Omit<RedisOptions, 'replyMapping'>, maxReconnectDelayMs: number) {
    super(url, options);
    this.on('ready', () => {
      this.revivals = 0;
    });
    this.on('end', () => {
      if (this.closedByOwner) return;
      setTimeout(() => {
        if (!this.closedByOwner && this.status === 'end') this.connect().catch(() => undefined);
      }, reconnectDelayMs(++this.revivals, maxReconnectDelayMs)).unref();
    });
  }

  override disconnect(reconnect = false): void {
    if (!reconnect) this.closedByOwner = true;
    super.disconnect(reconnect);
  }

  override quit(callback?: Callback<'OK'>): Promise<'OK'> {
    this.closedByOwner = true;
    return super.quit(callback);
  }
}

/**
 * ioredis' Sentinel mode: each (re)connection asks the Sentinels for the primary's address and
 * checks the role of what it reached, so after a failover the same client follows the promoted
 * replica without a restart. Sentinel calls get the same short timeouts as Redis itself.
 */
function sentinelOptions(sentinel: RedisSentinelConfig | null, tls: boolean, connectTimeoutMs: number, maxReconnectDelayMs: number): Omit<RedisOptions, 'replyMapping'> {
  if (sentinel === null) return {};
  return {
    sentinels: sentinel.sentinels.map(({ host, port }) => ({ host, port })),
    name: sentinel.masterName,
    role: 'master',
    // Without this ioredis would reach the primary Sentinel names in plain TCP even for rediss://.
    // (The Sentinels themselves are asked in plain TCP.)
    enableTLSForSentinelMode: tls,
    sentinelCommandTimeout: connectTimeoutMs,
    // While no Sentinel answers, ask them again with the same capped, jittered backoff.
    sentinelRetryStrategy: (attempt) => reconnectDelayMs(attempt, maxReconnectDelayMs),
    // Subscribed to +switch-master: a primary demoted while still up (a manual or network-split
    // failover) is left at once, instead of answering READONLY until the connection drops.
    failoverDetector: true,
    // A READONLY reply means we still talk to a demoted primary: reconnect through the Sentinels.
    // 1 (not 2): the failed command is not resent; its caller already has the error (fail fast).
    reconnectOnError: (error) => (error.message.startsWith('READONLY') ? 1 : false),
  };
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
