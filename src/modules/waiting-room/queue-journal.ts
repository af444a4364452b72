import { DRAW_BITS } from './prequeue-draw.ts';

/**
 * The waiting room's journal: what a store handed out (places, admissions) and its counters,
 * written to the database within a refresh (250 ms) so the queue survives the loss of its store —
 * a restart of the embedded node, or a Redis that comes back empty. No personal data: person keys.
 */

export interface JournalledPlace {
  campaignId: string;
  personKey: string;
  /** A first-come place, or null for a pre-queue entry (then `draw` and `round` are set). */
  position: number | null;
  /** The pre-queue's secret draw (decimal integer), or null. */
  draw: string | null;
  /** The round whose pre-queue the entry waits in (null for a first-come place). */
  round: number | null;
}

interface JournalledAdmission {
  campaignId: string;
  personKey: string;
  admissionId: string;
  expiresAtMs: number;
}

/** A place its holder gave up (`leave`): the position is abandoned for good. */
interface JournalledLeave {
  campaignId: string;
  personKey: string;
  position: number;
  atMs: number;
}

/** What changed since the journal was last drained (for persistence by the caller). */
export interface QueueJournal {
  places: JournalledPlace[];
  admissions: JournalledAdmission[];
  released: { campaignId: string; personKey: string }[];
  left: JournalledLeave[];
  checkpoints: { campaignId: string; state: QueueCheckpoint }[];
}

/** The counters of one campaign's queue that are both held (in memory or in Redis) and persisted. */
export interface QueueCounters {
  servingUpTo: number;
  carry: number;
  lastTickMs: number | null;
  paused: boolean;
  pausedReason: string | null;
  closed: boolean;
  admitted: number;
  rate: { mean: number; variance: number; samples: number };
  targetRate: number;
}

/** The counters of one campaign's queue, as persisted. */
export interface QueueCheckpoint extends QueueCounters {
  /** Places handed out (absent in checkpoints written before rounds existed). */
  issued?: number;
  /** Each opened round's base: round r's members hold base + their rank (absent before rounds). */
  bases?: number[];
  /** Before rounds: first-come places handed out, whether the one opening happened, its size. */
  fcfsCount?: number;
  opened?: boolean;
  prequeueSize?: number;
}

/**
 * One campaign's journal as loaded back: its latest counters, every place (a person who left and
 * joined again has a row per place), its admissions, the places given up.
 */
export interface CampaignJournal {
  state: QueueCheckpoint | null;
  places: { personKey: string; position: number | null; draw: string | null; round: number | null }[];
  admissions: { personKey: string; admissionId: string; expiresAtMs: number }[];
  abandoned: { personKey: string; position: number }[];
}

/** Where a store that lost its state reads a campaign's journal back (the database). */
export interface QueueRecovery {
  load(campaignId: string): Promise<CampaignJournal>;
  /**
   * The first-come places journalled past `position`, in order (the transparency log's sequencer
   * looks there for places whose `place` entries a lost store took with it).
   */
  placesAfter(campaignId: string, position: number): Promise<{ personKey: string; position: number }[]>;
  /** Whose admissions are journalled (live or expired, not released): the sequencer's look for admissions a lost store's log missed. */
  admittedPersons(campaignId: string): Promise<string[]>;
  /** The positions journalled as abandoned (the sequencer's look for `skip … abandoned` entries a lost store's log missed). */
  abandonedPositions(campaignId: string): Promise<number[]>;
  /**
   * The journalled pre-queue members of round `fromRound` and later, and the bases of the rounds
   * opened (the sequencer's look for a round whose `enter` or `draw` entries a lost store took).
   */
  roundsFrom(campaignId: string, fromRound: number): Promise<JournalledRounds>;
}

/** Pre-queue rounds as journalled: their members, and each opened round's base (round r opened when r < bases.length). */
interface JournalledRounds {
  members: { personKey: string; round: number }[];
  bases: number[];
}

/** A store that journals: the caller drains it after each refresh and persists what it took. */
export interface JournallingStore {
  drainJournal(): QueueJournal;
  /** Puts back a drained journal whose write failed, so the next drain retries it. */
  requeue(failed: QueueJournal): void;
  /** True while places or admissions handed out are not yet drained. */
  journalPending(): boolean;
}

export function isJournalling(store: object): store is JournallingStore {
  return 'drainJournal' in store && 'requeue' in store && 'journalPending' in store;
}

/**
 * Places skipped after a restore: places handed out in the last moments before the loss may not
 * have been journalled (their holders keep them: tickets carry signed places), so new first-come
 * places start this far past the last one known.
 */
export const RESTART_GAP = 1000;

/** A restored campaign's rounds: the pre-queue's members, the opened rounds' bases, places issued. */
export interface RestoredRounds {
  /** Every journalled pre-queue member, with a 40-bit draw. */
  members: { personKey: string; round: number; draw: number }[];
  bases: number[];
  /** Past every place known by RESTART_GAP (0 if none was), so no place is handed out twice. */
  issued: number;
}

/**
 * Works out the rounds from a journal: the checkpoint's bases (a checkpoint from before rounds
 * had one opening, at base 0), round 0 opened if any first-come place exists (a first-come join
 * opens it first), and places issued past the highest known — the checkpoint's count, any
 * first-come place, any opened round's last place — by RESTART_GAP.
 */
export function restoredRounds({ state, places }: Pick<CampaignJournal, 'state' | 'places'>): RestoredRounds {
  const members = fortyBitDraws(places);
  let highest = 0;
  for (const p of places) if (p.draw === null && p.position !== null) highest = Math.max(highest, p.position);
  const bases = state?.bases ? [...state.bases] : state?.opened ? [0] : [];
  if (bases.length === 0 && highest > 0) bases.push(0);
  const sizes = new Map<number, number>();
  for (const m of members) sizes.set(m.round, (sizes.get(m.round) ?? 0) + 1);
  let known = Math.max(highest, state?.issued ?? (state?.opened ? (state.prequeueSize ?? 0) + (state.fcfsCount ?? 0) : 0));
  bases.forEach((base, round) => (known = Math.max(known, base + (sizes.get(round) ?? 0))));
  return { members, bases, issued: known > 0 ? known + RESTART_GAP : 0 };
}

/**
 * The journal's draws as 40-bit draws. Journals written before rounds hold wider draws (53 bits
 * from Redis, 64 from the in-process store), all in round 0: each round's draws are shifted right
 * by what its widest needs, which keeps their order (equal draws fall back on the person key).
 */
function fortyBitDraws(places: CampaignJournal['places']): RestoredRounds['members'] {
  const drawn = places.flatMap((p) => (p.draw === null ? [] : [{ personKey: p.personKey, round: p.round ?? 0, draw: BigInt(p.draw) }]));
  const widest = new Map<number, number>();
  for (const m of drawn) widest.set(m.round, Math.max(widest.get(m.round) ?? 0, m.draw.toString(2).length));
  return drawn.map((m) => ({ personKey: m.personKey, round: m.round, draw: Number(m.draw >> BigInt(Math.max(0, (widest.get(m.round) ?? 0) - DRAW_BITS))) }));
}

/** Puts a failed write's places, admissions, releases and leaves back in front of `journal` (checkpoints are the caller's). */
export function putBack(journal: QueueJournal, failed: QueueJournal): void {
  journal.places.unshift(...failed.places);
  journal.admissions.unshift(...failed.admissions);
  journal.released.unshift(...failed.released);
  journal.left.unshift(...failed.left);
}

/** True when a journal holds places, admissions, releases or leaves (counters aside). */
export function holdsHandouts(journal: QueueJournal): boolean {
  return journal.places.length > 0 || journal.admissions.length > 0 || journal.released.length > 0 || journal.left.length > 0;
}

/** The campaigns a journal holds changes of, in the order they first appear. */
export function campaignsOf(journal: QueueJournal): string[] {
  const ids = new Set<string>();
  for (const kind of [journal.places, journal.admissions, journal.released, journal.left, journal.checkpoints]) for (const item of kind) ids.add(item.campaignId);
  return [...ids];
}

/** One campaign's part of a journal. */
export function journalOf(journal: QueueJournal, campaignId: string): QueueJournal {
  const mine = <T extends { campaignId: string }>(items: T[]) => items.filter((item) => item.campaignId === campaignId);
  return { places: mine(journal.places), admissions: mine(journal.admissions), released: mine(journal.released), left: mine(journal.left), checkpoints: mine(journal.checkpoints) };
}

/** An empty journal. */
export function emptyJournal(): QueueJournal {
  return { places: [], admissions: [], released: [], left: [], checkpoints: [] };
}

/** Who holds which first-come place after a restore, and who left (their drawn place, if any, is not theirs any more). */
export interface RestoredHolders {
  /** Each person's first-come place that was not given up. */
  places: Map<string, number>;
  /** People with no place now whose last place was given up, with that position. */
  left: Map<string, number>;
  abandoned: number[];
}

/**
 * Works out the holders from a journal: a person who left and joined again has a row per place,
 * and only the one not abandoned is theirs; a person whose every place was given up is not in line.
 */
export function restoredHolders({ places, abandoned }: Pick<CampaignJournal, 'places' | 'abandoned'>): RestoredHolders {
  const gone = new Set(abandoned.map((a) => a.position));
  const held = new Map<string, number>();
  for (const p of places) if (p.draw === null && p.position !== null && !gone.has(p.position)) held.set(p.personKey, p.position);
  const left = new Map<string, number>();
  for (const a of abandoned) if (!held.has(a.personKey)) left.set(a.personKey, Math.max(a.position, left.get(a.personKey) ?? 0));
  return { places: held, left, abandoned: [...gone] };
}
