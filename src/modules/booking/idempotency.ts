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

/** A stable hash of what a request asks for, to tell "same key, same request" from a reused key: the same whatever its keys' order. */
export function requestHash(parts: unknown): string {
  return createHash('sha256').update(canonicalJson(parts)).digest('base64url');
}
