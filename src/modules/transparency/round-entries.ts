import type { Db } from '../../infra/db/database.ts';
import type { QueueStore } from '../waiting-room/index.ts';
import { orderHashOf, seedHashOf } from './domain/prequeue-order.ts';
import type { CampaignQueueLog, NewEntry } from './queue-log.ts';
import { findLogSubject } from './queue-log.repository.ts';
import type { QueueOpenings } from './queue-openings.ts';

/** What a round's seed and draw entries are about, for look-ups (a holder's entries are about their commitment). */
const seedSubject = (round: number) => `seed ${round}`;
export const drawSubject = (round: number) => `draw ${round}`;

/** What the sequencer writes a log's entries from. */
export interface EntrySources {
  store: Pick<QueueStore, 'recordedEvents' | 'positionOf' | 'roundMembers'>;
  openings: QueueOpenings;
  db: Db;
}

/**
 * A round's `seed` entry, the first time this lease's holder meets the round, unless the log holds
 * it already (a takeover, a restore); null otherwise. `seeded` is the lease's memory of rounds met.
 */
export async function seedEntry(sources: EntrySources, log: CampaignQueueLog, seeded: Set<number>, round: number, atMs: number): Promise<NewEntry | null> {
  if (seeded.has(round)) return null;
  const logged = await findLogSubject(sources.db, log.campaignId, seedSubject(round));
  seeded.add(round);
  if (logged) return null;
  const seedHash = seedHashOf(sources.openings.seed(log.campaignId, round));
  return { entry: { kind: 'seed', round, atMs, seedHash }, subject: seedSubject(round) };
}

/**
 * A round's `draw` entry: its seed revealed, and the hash of its members' commitments in the order
 * the store placed them (base + 1 … base + count). `size`, when the opening said it, must be what
 * the store holds.
 */
export async function drawEntry(sources: EntrySources, log: CampaignQueueLog, round: number, base: number, atMs: number, size?: number): Promise<NewEntry> {
  const { campaignId } = log;
  const members = await sources.store.roundMembers(campaignId, round);
  if (size !== undefined && members.length !== size) throw new Error(`round ${round} of ${campaignId} opened with ${size} members, the store holds ${members.length}`);
  const orderHash = orderHashOf(await sources.openings.commitments(campaignId, members));
  const seed = sources.openings.seed(campaignId, round);
  return { entry: { kind: 'draw', round, atMs, base, count: members.length, seed, orderHash }, subject: drawSubject(round) };
}
