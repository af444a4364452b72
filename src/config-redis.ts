import { isIP } from 'node:net';

/** One Sentinel to ask where the Redis primary is. */
interface SentinelAddress {
  host: string;
  port: number;
}

/** Redis reached through Sentinel: the Sentinels to ask and the name of the primary they watch. */
export interface RedisSentinelConfig {
  sentinels: SentinelAddress[];
  masterName: string;
}

/** Sentinel's own default port, used when an entry gives none. */
const DEFAULT_SENTINEL_PORT = 26379;

/** The master name when `YEYAK_REDIS_MASTER_NAME` is unset (the name in `sentinel monitor <name> …`). */
const DEFAULT_REDIS_MASTER_NAME = 'yeyak';

// A DNS name (Kubernetes service names included) or an IPv4 address; IPv6 goes in brackets.
const HOST_NAME = /^[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*$/;
const MASTER_NAME = /^[A-Za-z0-9._-]{1,64}$/;

function parseEntry(entry: string): SentinelAddress | string {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  const [host, portText] = bracketed ? [bracketed[1] ?? '', bracketed[2]] : (entry.split(':') as [string, string | undefined]);
  if (!bracketed && entry.split(':').length > 2) return `"${entry}": put an IPv6 address in brackets, [::1]:26379`;
  const hostOk = bracketed ? isIP(host) === 6 : isIP(host) === 4 || HOST_NAME.test(host);
  if (!hostOk) return `"${entry}" has no valid host`;
  if (portText === undefined) return { host, port: DEFAULT_SENTINEL_PORT };
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : 0;
  if (port < 1 || port > 65535) return `"${entry}" has no valid port (1–65535)`;
  return { host, port };
}

/**
 * Parses `YEYAK_REDIS_SENTINELS` (`host:port,host:port,…`; the port defaults to 26379, IPv6 in
 * brackets) and `YEYAK_REDIS_MASTER_NAME`. Unset sentinels: null (Redis, if any, is `REDIS_URL`'s
 * host). A master name without sentinels is refused: it would look like Sentinel is in use.
 * Returns an error message for anything invalid.
 *
 * @example parseRedisSentinels('10.0.0.5:26379,sentinel-b', undefined) // { sentinels: [{ host: '10.0.0.5', port: 26379 }, { host: 'sentinel-b', port: 26379 }], masterName: 'yeyak' }
 */
export function parseRedisSentinels(sentinelsText: string | undefined, masterNameText: string | undefined): RedisSentinelConfig | null | { error: string } {
  const text = (sentinelsText ?? '').trim();
  const masterName = (masterNameText ?? '').trim();
  if (text === '') return masterName === '' ? null : { error: 'YEYAK_REDIS_MASTER_NAME is set but YEYAK_REDIS_SENTINELS is not' };
  if (masterName !== '' && !MASTER_NAME.test(masterName)) return { error: `YEYAK_REDIS_MASTER_NAME "${masterName}" must be 1–64 letters, digits, ".", "_" or "-"` };
  const sentinels: SentinelAddress[] = [];
  for (const entry of text.split(',').map((s) => s.trim())) {
    const parsed = parseEntry(entry);
    if (typeof parsed === 'string') return { error: `YEYAK_REDIS_SENTINELS: ${parsed}` };
    sentinels.push(parsed);
  }
  return { sentinels, masterName: masterName || DEFAULT_REDIS_MASTER_NAME };
}
