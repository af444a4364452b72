import type { QueueRecovery } from '../waiting-room/index.ts';
import type { CampaignQueueLog, NewEntry } from './queue-log.ts';
import { loggedSubjects } from './queue-log.repository.ts';
import { drawEntry, seedEntry, type EntrySources } from './round-entries.ts';

/** How many pending events a look for lost entries reads at most (once per epoch: a store restored, a process restarted). */
const PENDING_EVENTS_READ = 1_000_000;

/** Where the sequencer finds what a lost store handed out: the journal in the database. */
export interface LossSources extends EntrySources {
  journal: Pick<QueueRecovery, 'placesAfter' | 'admittedPersons' | 'abandonedPositions' | 'roundsFrom'>;
}

/**
 * What a lost store took out of the log, to be logged again before the new epoch's events, at
 * `atMs`, leaving out whatever is still to come as the store's own events:
 * 1. the pre-queue rounds the log never showed drawn: the journalled members whose `enter` it does
 *    not hold (after the round's `seed` if that is missing too), then the `draw` of a round the
 *    journal says opened;
 * 2. the first-come places journalled past the log's last place (`restore` entries);
 * 3. the journalled places given up whose `skip … abandoned` the log lacks;
 * 4. the journalled admissions the log never showed: a `serve` up to the furthest of them if the
 *    log's was behind, and an `admit` each.
 *
 * A place or admission journalled before this look has its event recorded before it too, and
 * only the lease's holder drops events, so reading the journal first and the pending events after
 * misses none and logs none twice. Lost events are the end of the list the store had, and places
 * are numbered in that order: a lost place lies past every logged one, and a round with a logged
 * draw lost none of its entries.
 */
export async function lostEntries(sources: LossSources, log: CampaignQueueLog, seeded: Set<number>, atMs: number): Promise<NewEntry[]> {
  const { campaignId } = log;
  const fromRound = log.places.drawnRounds;
  const [journalled, admittedPersons, abandoned, rounds] = await Promise.all([
    sources.journal.placesAfter(campaignId, log.places.lastPlaced),
    sources.journal.admittedPersons(campaignId),
    sources.journal.abandonedPositions(campaignId),
    sources.journal.roundsFrom(campaignId, fromRound),
  ]);
  if (journalled.length === 0 && admittedPersons.length === 0 && abandoned.length === 0 && rounds.members.length === 0 && rounds.bases.length <= fromRound) return [];
  const { events } = await sources.store.recordedEvents(campaignId, PENDING_EVENTS_READ);
  const coming = new Set<string>(events.flatMap(({ event }) => (event.kind === 'place' || event.kind === 'restore' || event.kind === 'enter' ? [event.personKey] : [])));
  const comingAdmits = new Set<number>(events.flatMap(({ event }) => (event.kind === 'admit' ? [event.position] : [])));
  const comingLeaves = new Set<number>(events.flatMap(({ event }) => (event.kind === 'skip' && event.reason === 'abandoned' ? [event.position] : [])));
  const comingOpens = new Set<number>(events.flatMap(({ event }) => (event.kind === 'open' ? [event.round] : [])));

  const entries: NewEntry[] = [];
  // 1. Rounds not drawn in the log, in order.
  const membersOf = new Map<number, string[]>();
  for (const m of rounds.members) {
    if (coming.has(m.personKey)) continue;
    const members = membersOf.get(m.round);
    if (members) members.push(m.personKey);
    else membersOf.set(m.round, [m.personKey]);
  }
  const lastRound = Math.max(rounds.bases.length - 1, ...membersOf.keys());
  for (let round = fromRound; round <= lastRound; round++) {
    const opened = round < rounds.bases.length && !comingOpens.has(round);
    const commitments = (await sources.openings.commitments(campaignId, membersOf.get(round) ?? [])).map((c) => c.toString('base64'));
    const logged = await loggedSubjects(sources.db, campaignId, commitments);
    const missing = commitments.filter((c) => !logged.has(c));
    if (missing.length === 0 && !opened) continue;
    const seed = await seedEntry(sources, log, seeded, round, atMs);
    if (seed) entries.push(seed);
    for (const c of missing) entries.push({ entry: { kind: 'enter', round, atMs, commitment: Buffer.from(c, 'base64') }, subject: c });
    if (opened) entries.push(await drawEntry(sources, log, round, rounds.bases[round]!, atMs));
  }

  // 2. A position is one holder's: a journalled place whose position the log holds is logged.
  const restores = journalled.filter((p) => !coming.has(p.personKey) && log.places.leafOf(p.position) === null);
  const restored = await sources.openings.commitments(campaignId, restores.map((p) => p.personKey));
  restores.forEach((p, i) => entries.push({ entry: { kind: 'restore', position: p.position, atMs, commitment: restored[i]! }, subject: null }));

  // 3. Places given up whose skips were lost, before any `serve` below: a place is given up only before its turn.
  for (const position of [...new Set(abandoned)].sort((a, b) => a - b)) {
    if (!log.places.abandoned(position) && !comingLeaves.has(position)) entries.push({ entry: { kind: 'skip', position, atMs, reason: 'abandoned' }, subject: null });
  }

  // 4. Admissions.
  if (admittedPersons.length > 0) {
    const positions = await Promise.all(admittedPersons.map((personKey) => sources.store.positionOf(campaignId, personKey)));
    const missing = [...new Set(positions)].filter((p): p is number => p !== null && !log.places.admitted(p) && !comingAdmits.has(p)).sort((a, b) => a - b);
    const furthest = missing.at(-1) ?? 0;
    if (furthest > log.places.servingUpTo) entries.push({ entry: { kind: 'serve', servingUpTo: furthest, atMs }, subject: null });
    for (const position of missing) entries.push({ entry: { kind: 'admit', position, atMs }, subject: null });
  }
  return entries;
}
