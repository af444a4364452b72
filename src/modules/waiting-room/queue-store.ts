/**
 * The waiting room's shared state, behind one port with two stores: in-process (the embedded
 * default, one node) and Redis (many nodes; every change an atomic Lua script). The same test
 * suite runs against both. Positions are 1-based; nothing here holds personal data — people are
 * their person keys (keyed hashes).
 */
import type { RecordedEvents } from './queue-events.ts';

export interface JoinResult {
  /** The place in line; null while the person waits in the pre-queue (before the opening). */
  position: number | null;
  /** True the first time this person joined this campaign's queue. */
  created: boolean;
}

export interface QueueSnapshot {
  /** Places handed out so far (a round's pre-queue counts once its opening has happened). */
  issuedUpTo: number;
  /** Everyone at or before this place may be admitted. */
  servingUpTo: number;
  /** People waiting in the pre-queue of a round not opened yet. */
  prequeueSize: number;
  /** The first opening (round 0) has happened: the queue is open. */
  opened: boolean;
  /** How many rounds have opened (rounds open in order: 0 … openedRounds − 1). */
  openedRounds: number;
  paused: boolean;
  pausedReason: string | null;
  closed: boolean;
  /** Admissions ever issued, and those still valid now. */
  admitted: number;
  activeAdmissions: number;
  /** Measured, smoothed admission rate (places served per second) and its spread. */
  admitRatePerSecond: number;
  admitRateDeviation: number;
  /** The controller's current target rate (adaptive mode moves it). */
  targetRatePerSecond: number;
  /** Places given up by their holders so far (`leave`): a node reads the new ones with `abandonedSince`. */
  abandoned: number;
}

/**
 * What `leave` did: `left` (now, or before: leaving is idempotent), or why it could not —
 * `served` (the place's turn has come: there is nothing to give up, an admission simply expires
 * unused), `prequeue` (the round has not been drawn yet: its draw covers every member, so no one
 * leaves it before it opens), `not-in-line` (the store does not hold the ticket's place for them).
 */
export type LeaveResult = { outcome: 'left'; position: number } | { outcome: 'served' | 'prequeue' | 'not-in-line' };

export interface AdmissionRecord {
  /** Unique per issued admission; the token carries it. */
  id: string;
  expiresAtMs: number;
  created: boolean;
  /**
   * Issued to someone whose earlier admission ended in a booking (`release`): it lets them change
   * or cancel, but takes no room under the cap on active admissions and is not counted as admitted
   * (a second device reaching its turn after the first booked would otherwise hold a place under
   * the cap for an admission's whole life, for nothing). A new one each time it is asked for.
   */
  afterBooking?: boolean;
}

export interface TickPolicy {
  ratePerSecond: number;
  maxActive: number;
}

export interface QueueStore {
  /**
   * Joins once per person: every later call, from any device or node, returns the same place.
   * `prequeueRound` r puts the person in round r's pre-queue (a secret random draw, placed at
   * round r's opening); if round r has opened already (a node whose clock or refresh lags), or
   * with null, the join is first come, first served. A first-come join first performs the
   * openings due by the caller's clock (`roundsDue`, at least 1: anyone's window being open means
   * the first opening has passed), so first-come places always follow those rounds' pre-queues.
   */
  join(campaignId: string, personKey: string, nowMs: number, prequeueRound: number | null, roundsDue?: number): Promise<JoinResult>;
  /**
   * Whether the person is in line, without joining: `{position}` (null while in the pre-queue
   * of a round not opened yet) or null when not in line. Read-only, so a repeat join skips eligibility.
   */
  lookup(campaignId: string, personKey: string): Promise<{ position: number | null } | null>;
  /**
   * Puts a person the store does not know back at the place their signed ticket carries (the
   * store lost it before journalling it); only a place already handed out. Returns the person's
   * place, or null when refused. A reinstated place is recorded for the log (a `restore` event).
   */
  reinstate(campaignId: string, personKey: string, position: number, nowMs: number): Promise<number | null>;
  /**
   * Gives up the person's place (the one their ticket carries, or for a pre-queue ticket the place
   * its round drew), not yet served: the position is abandoned for good (never admitted, passed by
   * the advance at no cost to the rate, logged as `skip … abandoned` by the same atomic step) and the
   * person is no longer in line, so a later `join` gives them a new place at the back.
   */
  leave(campaignId: string, personKey: string, position: number | null, nowMs: number): Promise<LeaveResult>;
  /** The positions abandoned from the `index`-th on (0-based), in the order they were (each node keeps a copy). */
  abandonedSince(campaignId: string, index: number): Promise<number[]>;
  /** The person's place, resolving a pre-queue place once its round opened; null if not in line. */
  positionOf(campaignId: string, personKey: string): Promise<number | null>;
  /**
   * Performs the openings of every round up to `round`, in order: round k's pre-queue gets the
   * places issued + 1 … issued + size(k) in the order of secret random draws made at join time
   * (a uniform permutation the clients cannot predict or influence). Idempotent, across nodes.
   */
  open(campaignId: string, round: number, nowMs: number): Promise<void>;
  /**
   * Advances `servingUpTo` by the elapsed time at the policy's rate (idempotent across nodes). A rate
   * of 0 holds the queue (sold out): nothing is served, no rate is learnt, every place is kept.
   */
  tick(campaignId: string, nowMs: number, policy: TickPolicy): Promise<QueueSnapshot>;
  snapshot(campaignId: string, nowMs: number): Promise<QueueSnapshot>;
  /**
   * Admits a person whose place has been reached; the same person asking again while it is valid
   * gets the same admission. Null when `position` > `servingUpTo`, when it was abandoned, or when the queue is closed. Once a
   * person's admission has ended in a booking, later ones are `afterBooking`: outside the cap.
   */
  admit(campaignId: string, personKey: string, position: number, nowMs: number, ttlMs: number): Promise<AdmissionRecord | null>;
  /** Extends an active admission (the person is still booking). */
  extend(campaignId: string, personKey: string, nowMs: number, ttlMs: number): Promise<number | null>;
  /** Ends an admission early because its holder booked, so its slot under the cap frees up. */
  release(campaignId: string, personKey: string, nowMs: number): Promise<void>;
  setPaused(campaignId: string, paused: boolean, reason: string | null, nowMs: number): Promise<void>;
  setClosed(campaignId: string, closed: boolean, nowMs: number): Promise<void>;
  /**
   * The changes recorded for the transparency log (queue-events.ts) and not yet dropped, oldest
   * first, at most `max`. Nothing is recorded unless the store was given a `QueueLogging`.
   */
  recordedEvents(campaignId: string, max: number): Promise<RecordedEvents>;
  /** Drops the recorded events numbered up to `throughSeq` in `epoch` (the sequencer stored them). */
  dropEvents(campaignId: string, epoch: string, throughSeq: number): Promise<void>;
  /** The person keys of an opened round's pre-queue members, in the order of their places. */
  roundMembers(campaignId: string, round: number): Promise<string[]>;
  /** Takes or renews the lease of the campaign's log sequencer for `holder`: true while it holds it. */
  holdSequencer(campaignId: string, holder: string, ttlMs: number): Promise<boolean>;
  /** Throws when the store cannot be reached (admissions then fail closed). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
