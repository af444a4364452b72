import { createHmac, type KeyObject } from 'node:crypto';
import { HASH_BYTES, leafHashOfLine, nodeHash } from './domain/merkle.ts';
import { commitmentOf } from './domain/prequeue-order.ts';

/**
 * The hashes the log's writer makes for each entry, in batches: a holder's opening and commitment,
 * and a stored line's leaf hash. The same functions run on the main thread (`QueueOpenings`, a
 * small batch) and in the hashing worker (`log-hashing-worker.ts`), so both give the same bytes.
 * Loaded by Node's own type stripping in the worker: erasable TypeScript only.
 */

/** What opens a holder's commitment: HMAC-SHA256(opening key, campaign ‖ "\n" ‖ person key). */
export function openingOf(openingKey: KeyObject, campaignId: string, personKey: string): Buffer {
  return createHmac('sha256', openingKey).update(`${campaignId}\n${personKey}`).digest();
}

/** The commitments of the holders of `personKeys`, in order: 32 bytes each, in one buffer. */
export function packedCommitments(openingKey: KeyObject, campaignId: string, personKeys: readonly string[]): Buffer {
  const packed = Buffer.allocUnsafeSlow(personKeys.length * HASH_BYTES);
  personKeys.forEach((personKey, i) => packed.set(commitmentOf(openingOf(openingKey, campaignId, personKey)), i * HASH_BYTES));
  return packed;
}

/** The leaf hashes of stored lines, in order: 32 bytes each, in one buffer. */
export function packedLeafHashes(lines: readonly string[]): Buffer {
  const packed = Buffer.allocUnsafeSlow(lines.length * HASH_BYTES);
  lines.forEach((line, i) => packed.set(leafHashOfLine(line), i * HASH_BYTES));
  return packed;
}

/**
 * The hashes that appending stored lines adds to a tree of `size` leaves whose right edge is
 * `edge` (`CompactHashLevels.rightEdge`): for each line in order, its leaf hash, then each
 * interior hash it completes from the lowest level up (RFC 6962), 32 bytes each, in one buffer.
 */
export function packedTreeHashes(lines: readonly string[], size: number, edge: readonly (Uint8Array | null)[]): Buffer {
  const pending = [...edge];
  const hashes: Uint8Array[] = [];
  lines.forEach((line, i) => {
    let hash: Uint8Array = leafHashOfLine(line);
    hashes.push(hash);
    let level = 0;
    // Leaf size + i completes a subtree at each level where its index, shifted, is odd.
    for (let index = size + i; index % 2 === 1; index = (index - 1) / 2, level++) {
      hash = nodeHash(pending[level]!, hash);
      pending[level] = null;
      hashes.push(hash);
    }
    pending[level] = hash;
  });
  const packed = Buffer.allocUnsafeSlow(hashes.length * HASH_BYTES);
  hashes.forEach((hash, i) => packed.set(hash, i * HASH_BYTES));
  return packed;
}

/** A packed buffer's hashes, each a view of it. */
export function unpackHashes(packed: Uint8Array): Buffer[] {
  const bytes = Buffer.from(packed.buffer, packed.byteOffset, packed.byteLength);
  return Array.from({ length: bytes.length / HASH_BYTES }, (_, i) => bytes.subarray(i * HASH_BYTES, (i + 1) * HASH_BYTES));
}

/** A request to the hashing worker; its reply carries the packed hashes, or why not. */
export type HashingRequest =
  | { id: number; op: 'commitments'; openingKey: KeyObject; campaignId: string; personKeys: readonly string[] }
  | { id: number; op: 'leaves'; lines: readonly string[] }
  | { id: number; op: 'tree'; lines: readonly string[]; size: number; edge: readonly (Uint8Array | null)[] };

export type HashingReply = { id: number; ok: true; packed: Uint8Array } | { id: number; ok: false; message: string };
