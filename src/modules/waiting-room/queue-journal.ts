/**
 * The waiting room's journal: what a store handed out (places, admissions) and its counters,
 * written to the database within a refresh (250 ms) so the queue survives the loss of its store —
 * a restart of the embedded node, or a Redis that comes back empty. No personal data: person keys.
 */

export interface JournalledPlace {
  campaignId: string;
  personKey: string;
  /** A first-come place, or null for a pre-queue entry (then `draw` is set). */
  position: number | null;
  /** The pre-queue's secret draw (decimal integer), or null. */
  draw: string | null;
}

export interface JournalledAdmission {
  campaignId: string;
  personKey: string;
  admissionId: string;
  expiresAtMs: number;
}

/** What changed since the journal was last drained (for persistence by the caller). */
export interface QueueJournal {
  places: JournalledPlace[];
  admissions: JournalledAdmission[];
  released: { campaignId: string; personKey: string }[];
  checkpoints: { campaignId: string; state: QueueCheckpoint }[];
}

/** The counters of one campaign's queue, as persisted. */
export interface QueueCheckpoint {
  fcfsCount: number;
  servingUpTo: number;
  carry: number;
  lastTickMs: number | null;
  opened: boolean;
  /** The pre-queue's size once opened (absent in checkpoints written before it was recorded). */
  prequeueSize?: number;
  paused: boolean;
  pausedReason: string | null;
  closed: boolean;
  admitted: number;
  rate: { mean: number; variance: number; samples: number };
  targetRate: number;
}

/** One campaign's journal as loaded back: its latest counters, every place, its admissions. */
export interface CampaignJournal {
  state: QueueCheckpoint | null;
  places: { personKey: string; position: number | null; draw: string | null }[];
  admissions: { personKey: string; admissionId: string; expiresAtMs: number }[];
}

/** Where a store that lost its state reads a campaign's journal back (the database). */
export interface QueueRecovery {
  load(campaignId: string): Promise<CampaignJournal>;
}

/** A store that journals: the caller drains it after each refresh and persists what it took. */
export interface JournallingStore {
  drainJournal(): QueueJournal;
  /** Puts back a drained journal whose write failed, so the next drain retries it. */
  requeue(failed: QueueJournal): void;
}

export function isJournalling(store: object): store is JournallingStore {
  return 'drainJournal' in store && 'requeue' in store;
}

/**
 * Places skipped after a restore: places handed out in the last moments before the loss may not
 * have been journalled (their holders keep them: tickets carry signed places), so new first-come
 * places start this far past the last one known.
 */
export const RESTART_GAP = 1000;

/** The first-come counter after a restore: past every place known, by RESTART_GAP; 0 if none was. */
export function restoredFcfsCount(state: QueueCheckpoint | null, highestFcfsPlace: number, prequeueSize: number): number {
  const known = Math.max(state?.fcfsCount ?? 0, highestFcfsPlace - prequeueSize);
  return known > 0 ? known + RESTART_GAP : 0;
}

/** Puts a failed write's places, admissions and releases back in front of `journal` (checkpoints are the caller's). */
export function putBack(journal: QueueJournal, failed: QueueJournal): void {
  journal.places.unshift(...failed.places);
  journal.admissions.unshift(...failed.admissions);
  journal.released.unshift(...failed.released);
}

/** An empty journal. */
export function emptyJournal(): QueueJournal {
  return { places: [], admissions: [], released: [], checkpoints: [] };
}
