import { createHash } from 'node:crypto';

export interface StoredResponse {
  statusCode: number;
  body: unknown;
}

/** A stable hash of what a request asks for, to tell "same key, same request" from a reused key. */
export function requestHash(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url');
}
