import { createHmac, createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';
import type { QueueLogging } from '../waiting-room/index.ts';
import { commitmentOf, drawOf } from './domain/prequeue-order.ts';
import { openingOf } from './log-hashes.ts';
import { type LogHashing, logHashing } from './log-hashing.ts';

/** A round's seeds kept per campaign at most (a campaign has at most 200 rounds). */
const SEED_CACHE = 4096;

/**
 * The server's side of the log's commitments (docs/transparency.md): a place's opening — the 32
 * bytes that open its holder's commitment — is HMAC-SHA256(opening key, campaign ‖ person key),
 * so the server can hand it to its holder again at any time and nobody else can compute it; a
 * round's seed is HMAC-SHA256(seed key, campaign ‖ round), the same on every node, committed in
 * the log before the round takes anyone and revealed when it is drawn. Both keys are derived
 * from the person pepper (HKDF-SHA256, one label each), the secret person keys already depend on.
 */
export class QueueOpenings implements QueueLogging {
  readonly #openingKey: KeyObject;
  readonly #seedKey: KeyObject;
  readonly #seeds = new Map<string, Buffer>();

  constructor(
    pepper: KeyObject,
    /** Where a batch of commitments is made (the log's writer makes one per join): the hashing thread. */
    private readonly hashing: LogHashing = logHashing,
  ) {
    const derive = (label: string) => createSecretKey(Buffer.from(hkdfSync('sha256', pepper.export(), Buffer.alloc(0), label, 32)));
    this.#openingKey = derive('yeyak-queue/v1 opening key');
    this.#seedKey = derive('yeyak-queue/v1 seed key');
  }

  /** What opens the holder's commitment: only they (on their receipt) and the server know it. */
  opening(campaignId: string, personKey: string): Buffer {
    return openingOf(this.#openingKey, campaignId, personKey);
  }

  /** The commitment a place carries in the log instead of its holder. */
  commitment(campaignId: string, personKey: string): Buffer {
    return commitmentOf(this.opening(campaignId, personKey));
  }

  /** The commitments of many holders, in order, made off the main thread (`commitment` of each). */
  commitments(campaignId: string, personKeys: readonly string[]): Promise<Buffer[]> {
    return this.hashing.commitments(this.#openingKey, campaignId, personKeys);
  }

  /** A round's seed. */
  seed(campaignId: string, round: number): Buffer {
    const id = `${campaignId}\n${round}`;
    let seed = this.#seeds.get(id);
    if (!seed) {
      if (this.#seeds.size >= SEED_CACHE) this.#seeds.clear();
      seed = createHmac('sha256', this.#seedKey).update(id).digest();
      this.#seeds.set(id, seed);
    }
    return seed;
  }

  /** A pre-queue member's draw in their round: anyone can compute it again once the seed is revealed. */
  draw(campaignId: string, round: number, personKey: string): number {
    return drawOf(this.seed(campaignId, round), this.commitment(campaignId, personKey));
  }
}
