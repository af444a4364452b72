import { createHash, createHmac, hash } from 'node:crypto';

/**
 * The public rules of a pre-queue draw, so anyone can run it again from the log: a holder's
 * commitment hides their opening (32 secret bytes only they and the server know); a round's
 * order is each entry's draw — the first 40 bits of HMAC-SHA256(seed, commitment) — ties broken
 * by the commitments' bytes; the seed is committed (its SHA-256 logged) before the round takes
 * anyone, and revealed when it is drawn.
 */
const COMMITMENT_DOMAIN = Buffer.from('yeyak-queue/v1 commitment\n', 'ascii');

/** The commitment to a place: SHA-256 of a domain label and the holder's opening. */
export function commitmentOf(opening: Uint8Array): Buffer {
  return hash('sha256', Buffer.concat([COMMITMENT_DOMAIN, opening]), 'buffer');
}

/** What the log carries of a round's seed before it is drawn. */
export function seedHashOf(seed: Uint8Array): Buffer {
  return createHash('sha256').update(seed).digest();
}

/** An entry's draw in a round: the first 40 bits, big-endian, of HMAC-SHA256(seed, commitment). */
export function drawOf(seed: Uint8Array, commitment: Uint8Array): number {
  return createHmac('sha256', seed).update(commitment).digest().readUIntBE(0, 5);
}

/** A round's commitments in the order its seed draws them. */
export function drawnOrder(seed: Uint8Array, commitments: readonly Buffer[]): Buffer[] {
  return commitments
    .map((commitment) => ({ commitment, draw: drawOf(seed, commitment) }))
    .sort((a, b) => a.draw - b.draw || Buffer.compare(a.commitment, b.commitment))
    .map((d) => d.commitment);
}

/** The SHA-256 of a round's commitments in drawn order, as its draw entry carries it. */
export function orderHashOf(ordered: readonly Buffer[]): Buffer {
  const hash = createHash('sha256');
  for (const commitment of ordered) hash.update(commitment);
  return hash.digest();
}
