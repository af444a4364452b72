import { LRUCache } from 'lru-cache';

/**
 * The places this node has handed back to people who asked again: a reload, a second device. A
 * first-come place never changes once taken (unless given up: `WaitingRoom.left` says so, and the
 * node that took the leave forgets it), and a store restored after a loss gives every place
 * back where it was (`queue-journal.ts`). So the next time they ask, this node answers from memory,
 * and the store (Redis: one script call, on the one server every node shares) is spared the
 * repeats.
 *
 * Only places handed back (not just taken) are kept, which keeps out the crowd that asks once. A
 * pre-queue entry has no place yet and is never kept.
 */
export class KnownPlaces {
  private readonly places: LRUCache<string, number>;

  constructor(max = 16_384) {
    this.places = new LRUCache({ max });
  }

  get(campaignId: string, personKey: string): number | undefined {
    return this.places.get(key(campaignId, personKey));
  }

  /** Forgets a person's place (they gave it up). */
  forget(campaignId: string, personKey: string): void {
    this.places.delete(key(campaignId, personKey));
  }

  /** Keeps a place the store handed back to someone who already held it. */
  handedBack(campaignId: string, personKey: string, position: number | null): void {
    if (position !== null) this.places.set(key(campaignId, personKey), position);
  }
}

const key = (campaignId: string, personKey: string) => `${campaignId}\u0000${personKey}`;
