import { createHash } from 'node:crypto';

export interface StoredResponse {
  statusCode: number;
  body: unknown;
}

/**
 * JSON in one form whatever the order its object keys came in: RFC 8785 (JCS) for what a
 * request's body can hold — keys sorted by UTF-16 code units, as `sort()` does, and numbers and
 * strings as `JSON.stringify` writes them, which is what JCS specifies for both.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item ?? null)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, item]) => item !== undefined);
    return `{${entries
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** What a request asks for, as kept under its Idempotency-Key: its hash, and how a stored hash is told the same. */
export interface RequestFingerprint {
  /** SHA-256 of the canonical JSON: the same whatever the order of the request's keys. */
  readonly hash: string;
  /** Whether a hash stored under the key is this request's. */
  matches(stored: string): boolean;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('base64url');

/**
 * A stable fingerprint of what a request asks for, to tell "same key, same request" from a reused
 * key. A key is kept 24 h, and records written before the hash was canonical hold the hash of the
 * JSON in the order the keys came (the same parsed body gives the same order again), so that one
 * matches too: a client retrying across the deploy gets its first answer, not a 422. Once every
 * record is younger than the canonical hash (24 h after its deploy), the second comparison only
 * ever meets hashes that are canonical already.
 */
export function requestFingerprint(parts: unknown): RequestFingerprint {
  const hash = sha256(canonicalJson(parts));
  let inArrivalOrder: string | undefined;
  return {
    hash,
    matches: (stored) => stored === hash || stored === (inArrivalOrder ??= sha256(JSON.stringify(parts))),
  };
}
