import { LRUCache } from 'lru-cache';
import type { Db } from '../../infra/db/database.ts';
import type { Clock } from '../../lib/clock.ts';
import { findLogEntry } from './queue-log.repository.ts';
import type { QueueOpenings } from './queue-openings.ts';

/** Places remembered per node (a stored leaf index never changes: the log only grows). */
const REMEMBERED = 200_000;
/** A place not logged yet is looked up again after this long (the sequencer stores each refresh, 250 ms). */
const RETRY_MS = 1000;

/**
 * Where a holder's place stands in the campaign's public log (docs/transparency.md "Receipts"),
 * for the ticket's answer: the leaf index of their first entry, once the sequencer has stored it
 * (a place just handed out is numbered a refresh later), else null. One indexed look-up per
 * holder and node once logged; a holder not yet logged is asked about at most once a second.
 * Nothing here is logged or leaves the process.
 */
export class PlaceLeafIndexes {
  readonly #found = new LRUCache<string, number>({ max: REMEMBERED });
  readonly #notBefore = new LRUCache<string, number>({ max: REMEMBERED });

  constructor(
    private readonly db: Db,
    private readonly openings: QueueOpenings,
    private readonly clock: Clock,
  ) {}

  async of(campaignId: string, personKey: string): Promise<number | null> {
    // Keyed by the person key in this node's memory (as KnownPlaces is): a known place costs no hash.
    const key = `${campaignId} ${personKey}`;
    const known = this.#found.get(key);
    if (known !== undefined) return known;
    const now = this.clock.now().getTime();
    if ((this.#notBefore.get(key) ?? 0) > now) return null;
    const found = await findLogEntry(this.db, campaignId, this.openings.commitment(campaignId, personKey).toString('base64'));
    if (!found) {
      this.#notBefore.set(key, now + RETRY_MS);
      return null;
    }
    this.#found.set(key, found.leafIndex);
    this.#notBefore.delete(key);
    return found.leafIndex;
  }
}
