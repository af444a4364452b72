import { randomUUID } from 'node:crypto';
import { advanceServing } from './domain/admission-rate.ts';
import { checkRound, prequeueScore, secretDraw } from './prequeue-draw.ts';
import type { QueueEvent, QueueLogging, RecordedEvents } from './queue-events.ts';
import { checkpointOf, emptyCampaignQueue, leaveOutcome, membersOf, observeRate, placeOf, placeRound, restoreCounters, type CampaignQueue } from './memory-queue-state.ts';
import { emptyJournal, holdsHandouts, putBack, restoredHolders, restoredRounds, type CampaignJournal, type JournallingStore, type QueueJournal } from './queue-journal.ts';
import type { AdmissionRecord, JoinResult, LeaveResult, QueueSnapshot, QueueStore, TickPolicy } from './queue-store.ts';

/** The in-process store of the embedded default: one node, the same behaviour as Redis. */
export class MemoryQueueStore implements QueueStore, JournallingStore {
  private readonly queues = new Map<string, CampaignQueue>();
  private journal: QueueJournal = emptyJournal();
  private readonly dirty = new Set<string>();
  /** Recorded events are numbered anew in each process: its epoch. */
  private readonly epoch = randomUUID();

  /** With `logging`, changes are recorded for the transparency log and pre-queue draws come from its seeds. */
  constructor(private readonly logging: QueueLogging | null = null) {}

  private record(q: CampaignQueue, event: QueueEvent): void {
    if (!this.logging) return;
    q.eventSeq += 1;
    q.events.push({ seq: q.eventSeq, event });
  }

  /** Takes what changed since the last call (places, admissions, counters) for persistence. */
  drainJournal(): QueueJournal {
    const drained = this.journal;
    drained.checkpoints = [...this.dirty].map((campaignId) => ({ campaignId, state: checkpointOf(this.queue(campaignId)) }));
    this.dirty.clear();
    this.journal = emptyJournal();
    return drained;
  }

  journalPending(): boolean {
    return holdsHandouts(this.journal);
  }

  /** Puts back a drained journal whose write failed, so the next drain retries it. */
  requeue(failed: QueueJournal): void {
    putBack(this.journal, failed);
    for (const c of failed.checkpoints) this.dirty.add(c.campaignId);
  }

  /**
   * Loads a campaign's journalled state after a restart: every place and pre-queue draw, the
   * opened rounds, the admissions, the counters — with new places starting RESTART_GAP past the
   * last one known.
   */
  restore(campaignId: string, journal: CampaignJournal): void {
    const { state, admissions } = journal;
    const q = this.queue(campaignId);
    const holders = restoredHolders(journal);
    for (const [personKey, position] of holders.places) q.positions.set(personKey, position);
    for (const [personKey, position] of holders.left) q.left.set(personKey, position);
    for (const position of holders.abandoned) q.abandoned.add(position);
    const rounds = restoredRounds(journal);
    for (const m of rounds.members) q.prequeue.set(m.personKey, prequeueScore(m.round, m.draw));
    if (state) restoreCounters(q, state);
    q.bases = [];
    rounds.bases.forEach((base, round) => placeRound(q, round, base));
    q.issued = rounds.issued;
    for (const a of admissions) q.admissions.set(a.personKey, { id: a.admissionId, expiresAtMs: a.expiresAtMs });
    this.dirty.add(campaignId);
  }

  private queue(campaignId: string): CampaignQueue {
    let q = this.queues.get(campaignId);
    if (!q) {
      q = emptyCampaignQueue();
      this.queues.set(campaignId, q);
    }
    return q;
  }

  /** People in the pre-queue of a round not opened yet (every member of an opened round has a place). */
  private prequeueSize(q: CampaignQueue): number {
    return q.prequeue.size - q.drawnPlaces.size;
  }

  async join(campaignId: string, personKey: string, nowMs: number, prequeueRound: number | null, roundsDue = 1): Promise<JoinResult> {
    // No await between the look-up and the write: two devices joining at once get one place.
    const q = this.queue(campaignId);
    const existing = placeOf(q, personKey);
    const left = q.left.has(personKey);
    if (existing !== null || (q.prequeue.has(personKey) && !left)) return { position: existing, created: false };
    // A late pre-queue join for a round already opened (a node whose clock lags) is first come,
    // first served; so is joining again after leaving (a drawn member keeps their draw in the round).
    if (prequeueRound !== null && prequeueRound >= q.bases.length && !left) {
      const draw = this.logging ? this.logging.draw(campaignId, prequeueRound, personKey) : secretDraw();
      q.prequeue.set(personKey, prequeueScore(prequeueRound, draw));
      this.record(q, { kind: 'enter', round: prequeueRound, atMs: nowMs, personKey });
      this.journal.places.push({ campaignId, personKey, position: null, draw: String(draw), round: prequeueRound });
      this.dirty.add(campaignId);
      return { position: null, created: true };
    }
    this.openRounds(q, Math.max(1, roundsDue) - 1, nowMs);
    q.issued += 1;
    const position = q.issued;
    q.positions.set(personKey, position);
    this.record(q, { kind: 'place', position, atMs: nowMs, personKey });
    this.journal.places.push({ campaignId, personKey, position, draw: null, round: null });
    this.dirty.add(campaignId);
    return { position, created: true };
  }

  /** Counts the valid admissions, logging each that expired unused since (as Redis's trim does). */
  private activeAdmissions(q: CampaignQueue, nowMs: number): number {
    return q.admissions.count(nowMs, (personKey, expiresAtMs) => {
      const position = placeOf(q, personKey);
      if (position !== null) this.record(q, { kind: 'skip', position, atMs: expiresAtMs, reason: 'expired' });
    });
  }

  async lookup(campaignId: string, personKey: string): Promise<{ position: number | null } | null> {
    const q = this.queue(campaignId);
    const position = placeOf(q, personKey);
    if (position !== null) return { position };
    return q.prequeue.has(personKey) && !q.left.has(personKey) ? { position: null } : null;
  }

  async reinstate(campaignId: string, personKey: string, position: number, nowMs: number): Promise<number | null> {
    const q = this.queue(campaignId);
    const known = placeOf(q, personKey);
    if (known !== null) return known;
    // A place given up is never handed back: its old ticket does not bring it back.
    if ((q.prequeue.has(personKey) && !q.left.has(personKey)) || position < 1 || position > q.issued || q.abandoned.has(position)) return null;
    q.positions.set(personKey, position);
    this.journal.places.push({ campaignId, personKey, position, draw: null, round: null });
    this.record(q, { kind: 'restore', position, atMs: nowMs, personKey });
    return position;
  }

  async positionOf(campaignId: string, personKey: string): Promise<number | null> {
    return placeOf(this.queue(campaignId), personKey);
  }

  async leave(campaignId: string, personKey: string, position: number | null, nowMs: number): Promise<LeaveResult> {
    // No await: the check and the change are one step, as the Redis script's.
    const q = this.queue(campaignId);
    const decided = leaveOutcome(q, personKey, position, nowMs);
    if (decided.outcome !== 'leave') return decided;
    q.positions.delete(personKey);
    q.left.set(personKey, decided.position);
    q.abandoned.add(decided.position);
    this.record(q, { kind: 'skip', position: decided.position, atMs: nowMs, reason: 'abandoned' });
    this.journal.left.push({ campaignId, personKey, position: decided.position, atMs: nowMs });
    this.dirty.add(campaignId);
    return { outcome: 'left', position: decided.position };
  }

  async abandonedSince(campaignId: string, index: number): Promise<number[]> {
    return this.queue(campaignId).abandoned.since(index);
  }

  async open(campaignId: string, round: number, nowMs: number): Promise<void> {
    const q = this.queue(campaignId);
    if (this.openRounds(q, checkRound(round), nowMs) > 0) this.dirty.add(campaignId);
  }

  /** Opens every round up to `through` not opened yet, in order; returns how many it opened. */
  private openRounds(q: CampaignQueue, through: number, nowMs: number): number {
    let opened = 0;
    while (q.bases.length <= through) {
      const round = q.bases.length;
      const base = q.issued;
      const size = placeRound(q, round, base);
      q.issued += size;
      this.record(q, { kind: 'open', round, atMs: nowMs, base, size });
      opened += 1;
    }
    return opened;
  }

  async tick(campaignId: string, nowMs: number, policy: TickPolicy): Promise<QueueSnapshot> {
    const q = this.queue(campaignId);
    q.targetRate = policy.ratePerSecond;
    this.dirty.add(campaignId);
    const active = this.activeAdmissions(q, nowMs);
    const elapsed = q.lastTickMs === null ? 0 : Math.max(0, (nowMs - q.lastTickMs) / 1000);
    // One node, one clock: if it steps back, count from there (Redis, shared by nodes whose clocks
    // differ slightly, keeps the latest instead, so a lagging node advances nothing).
    q.lastTickMs = nowMs;
    if (elapsed > 0 && !q.paused && !q.closed && q.bases.length > 0) {
      const before = q.servingUpTo;
      const next = advanceServing(
        {
          servingUpTo: q.servingUpTo,
          issuedUpTo: q.issued,
          carry: q.carry,
          ratePerSecond: policy.ratePerSecond,
          elapsedSeconds: elapsed,
          activeAdmissions: active,
          maxActive: policy.maxActive,
        },
        q.abandoned,
      );
      q.servingUpTo = next.servingUpTo;
      q.carry = next.carry;
      if (q.servingUpTo > before) this.record(q, { kind: 'serve', servingUpTo: q.servingUpTo, atMs: nowMs });
      // A rate of 0 is a hold (sold out): like a pause, it is not a rate the queue moves at.
      if (!next.starved && policy.ratePerSecond > 0) observeRate(q, q.servingUpTo - before, elapsed);
    }
    return this.snapshot(campaignId, nowMs);
  }

  async snapshot(campaignId: string, nowMs: number): Promise<QueueSnapshot> {
    const q = this.queue(campaignId);
    return {
      issuedUpTo: q.issued,
      servingUpTo: q.servingUpTo,
      prequeueSize: this.prequeueSize(q),
      opened: q.bases.length > 0,
      openedRounds: q.bases.length,
      paused: q.paused,
      pausedReason: q.pausedReason,
      closed: q.closed,
      admitted: q.admitted,
      activeAdmissions: this.activeAdmissions(q, nowMs),
      admitRatePerSecond: q.rate.mean,
      admitRateDeviation: Math.sqrt(q.rate.variance),
      targetRatePerSecond: q.targetRate,
      abandoned: q.abandoned.size,
    };
  }

  async admit(campaignId: string, personKey: string, position: number, nowMs: number, ttlMs: number): Promise<AdmissionRecord | null> {
    const q = this.queue(campaignId);
    this.activeAdmissions(q, nowMs);
    const current = q.admissions.get(personKey);
    if (current && current.expiresAtMs > nowMs) return { ...current, created: false };
    if (q.closed || position > q.servingUpTo || q.abandoned.has(position)) return null;
    if (q.booked.has(personKey)) return { id: randomUUID(), expiresAtMs: nowMs + ttlMs, created: false, afterBooking: true };
    const admission = { id: randomUUID(), expiresAtMs: nowMs + ttlMs };
    q.admissions.set(personKey, admission);
    q.admitted += 1;
    this.record(q, { kind: 'admit', position, atMs: nowMs });
    this.journal.admissions.push({ campaignId, personKey, admissionId: admission.id, expiresAtMs: admission.expiresAtMs });
    this.dirty.add(campaignId);
    return { ...admission, created: true };
  }

  async extend(campaignId: string, personKey: string, nowMs: number, ttlMs: number): Promise<number | null> {
    const q = this.queue(campaignId);
    const a = q.admissions.get(personKey);
    if (!a || a.expiresAtMs <= nowMs) return null;
    const extended = { id: a.id, expiresAtMs: Math.max(a.expiresAtMs, nowMs + ttlMs) };
    q.admissions.set(personKey, extended);
    this.journal.admissions.push({ campaignId, personKey, admissionId: a.id, expiresAtMs: extended.expiresAtMs });
    return extended.expiresAtMs;
  }

  async release(campaignId: string, personKey: string): Promise<void> {
    const q = this.queue(campaignId);
    q.admissions.delete(personKey);
    q.booked.add(personKey);
    this.journal.released.push({ campaignId, personKey });
  }

  async setPaused(campaignId: string, paused: boolean, reason: string | null, nowMs: number): Promise<void> {
    const q = this.queue(campaignId);
    if (q.paused !== paused) this.record(q, { kind: paused ? 'pause' : 'resume', atMs: nowMs });
    q.paused = paused;
    q.pausedReason = paused ? reason : null;
    this.dirty.add(campaignId);
  }

  async setClosed(campaignId: string, closed: boolean, nowMs: number): Promise<void> {
    const q = this.queue(campaignId);
    if (q.closed !== closed) this.record(q, { kind: closed ? 'close' : 'reopen', atMs: nowMs });
    q.closed = closed;
    this.dirty.add(campaignId);
  }

  async recordedEvents(campaignId: string, max: number): Promise<RecordedEvents> {
    return { epoch: this.epoch, events: this.queue(campaignId).events.slice(0, max) };
  }

  async dropEvents(campaignId: string, epoch: string, throughSeq: number): Promise<void> {
    if (epoch !== this.epoch) return;
    const q = this.queue(campaignId);
    const count = q.events.findIndex((e) => e.seq > throughSeq);
    q.events.splice(0, count === -1 ? q.events.length : count);
  }

  async roundMembers(campaignId: string, round: number): Promise<string[]> {
    return membersOf(this.queue(campaignId), round);
  }

  /** One process, one sequencer. */
  async holdSequencer(): Promise<boolean> {
    return true;
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {}
}
