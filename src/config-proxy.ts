import { isIP } from 'node:net';

/** Which peers' `X-Forwarded-For` is believed: Fastify's `trustProxy` (none, all, a hop count, or addresses and CIDRs). */
export type TrustProxy = boolean | number | string[];

/** Names Fastify (proxy-addr) accepts for whole ranges. */
const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * Parses `YEYAK_TRUST_PROXY` with Fastify's `trustProxy` semantics: unset or `false` trusts no
 * one (the socket's peer is the client), `true` every hop, a whole number that many hops from the
 * socket, else a comma-separated list of addresses, CIDRs (`10.0.0.0/8`, `::1/128`) or the names
 * `loopback`, `linklocal`, `uniquelocal`. Returns an error message for anything else.
 *
 * @example parseTrustProxy('127.0.0.1/8,10.0.0.0/8') // ['127.0.0.1/8', '10.0.0.0/8']
 */
export function parseTrustProxy(value: string | undefined): TrustProxy | { error: string } {
  const text = (value ?? '').trim();
  if (text === '' || text === 'false') return false;
  if (text === 'true') return true;
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    return hops >= 1 && hops <= 10 ? hops : { error: 'a hop count is 1–10' };
  }
  const entries = text.split(',').map((s) => s.trim());
  for (const entry of entries) {
    if (NAMED_RANGES.has(entry)) continue;
    const [address, prefix, ...rest] = entry.split('/');
    const family = isIP(address ?? '');
    const maxPrefix = family === 4 ? 32 : 128;
    const prefixOk = prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= maxPrefix);
    if (family === 0 || rest.length > 0 || !prefixOk) return { error: `"${entry}" is not an address, a CIDR or one of ${[...NAMED_RANGES].join(', ')}` };
  }
  return entries;
}
