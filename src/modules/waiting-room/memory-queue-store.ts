import { randomBytes, randomUUID } from 'node:crypto';
import { ActiveAdmissions } from './active-admissions.ts';
import { advanceServing } from './domain/admission-rate.ts';
import { emptyJournal, putBack, restoredFcfsCount, type CampaignJournal, type JournallingStore, type QueueCheckpoint, type QueueJournal } from './queue-journal.ts';
import type { AdmissionRecord, JoinResult, QueueSnapshot, QueueStore, TickPolicy } from './queue-store.ts';

interface CampaignQueue {
  /** FCFS places by person. */
  positions: Map<string, number>;
  /** Pre-queue entries by person: a secret random draw; sorted draws give the opening's order. */
  prequeue: Map<string, bigint>;
  /** Pre-queue places once opened (rank by draw). */
  prequeuePlaces: Map<string, number> | null;
  fcfsCount: number;
  servingUpTo: number;
  carry: number;
  lastTickMs: number | null;
  paused: boolean;
  pausedReason: string | null;
  closed: boolean;
  admissions: ActiveAdmissions;
  admitted: number;
  rate: { mean: number; variance: number; samples: number };
  targetRate: number;
}

const ALPHA = 0.2;

/** The in-process store of the embedded default: one node, the same behaviour as Redis. */
export class MemoryQueueStore implements QueueStore, JournallingStore {
  private readonly queues = new Map<string, CampaignQueue>();
  private journal: QueueJournal = emptyJournal();
  private readonly dirty = new Set<string>();

  /** Takes what changed since the last call (places, admissions, counters) for persistence. */
  drainJournal(): QueueJournal {
    const drained = this.journal;
    drained.checkpoints = [...this.dirty].map((campaignId) => ({ campaignId, state: this.checkpointOf(this.queue(campaignId)) }));
    this.dirty.clear();
    this.journal = emptyJournal();
    return drained;
  }

  /** Puts back a drained journal whose write failed, so the next drain retries it. */
  requeue(failed: QueueJournal): void {
    putBack(this.journal, failed);
    for (const c of failed.checkpoints) this.dirty.add(c.campaignId);
  }

  private checkpointOf(q: CampaignQueue): QueueCheckpoint {
    return {
      fcfsCount: q.fcfsCount,
      servingUpTo: q.servingUpTo,
      carry: q.carry,
      lastTickMs: q.lastTickMs,
      opened: q.prequeuePlaces !== null,
      prequeueSize: this.prequeueSize(q),
      paused: q.paused,
      pausedReason: q.pausedReason,
      closed: q.closed,
      admitted: q.admitted,
      rate: { ...q.rate },
      targetRate: q.targetRate,
    };
  }

  /**
   * Loads a campaign's journalled state after a restart: every place, the admissions, the
   * counters — with new first-come places starting RESTART_GAP past the last one known.
   */
  restore(campaignId: string, { state, places, admissions }: CampaignJournal): void {
    const q = this.queue(campaignId);
    for (const p of places) {
      if (p.draw !== null) q.prequeue.set(p.personKey, BigInt(p.draw));
      else if (p.position !== null) q.positions.set(p.personKey, p.position);
    }
    if (state) {
      Object.assign(q, { servingUpTo: state.servingUpTo, carry: state.carry, lastTickMs: state.lastTickMs, paused: state.paused, pausedReason: state.pausedReason, closed: state.closed, admitted: state.admitted, rate: { ...state.rate }, targetRate: state.targetRate });
      if (state.opened) this.openQueue(q);
    }
    let highest = 0;
    for (const position of q.positions.values()) highest = Math.max(highest, position);
    q.fcfsCount = restoredFcfsCount(state, highest, this.prequeueSize(q));
    for (const a of admissions) q.admissions.set(a.personKey, { id: a.admissionId, expiresAtMs: a.expiresAtMs });
    this.dirty.add(campaignId);
  }

  private queue(campaignId: string): CampaignQueue {
    let q = this.queues.get(campaignId);
    if (!q) {
      q = {
        positions: new Map(),
        prequeue: new Map(),
        prequeuePlaces: null,
        fcfsCount: 0,
        servingUpTo: 0,
        carry: 0,
        lastTickMs: null,
        paused: false,
        pausedReason: null,
        closed: false,
        admissions: new ActiveAdmissions(),
        admitted: 0,
        rate: { mean: 0, variance: 0, samples: 0 },
        targetRate: 0,
      };
      this.queues.set(campaignId, q);
    }
    return q;
  }

  private prequeueSize(q: CampaignQueue): number {
    return q.prequeuePlaces ? q.prequeuePlaces.size : q.prequeue.size;
  }

  async join(campaignId: string, personKey: string, _nowMs: number, prequeue: boolean): Promise<JoinResult> {
    // No await between the look-up and the write: two devices joining at once get one place.
    const q = this.queue(campaignId);
    const existing = this.placeOf(q, personKey);
    if (existing !== null || q.prequeue.has(personKey)) return { position: existing, created: false };
    // Once opened, a late pre-queue join (a node whose clock lags) is first come, first served.
    if (prequeue && !q.prequeuePlaces) {
      const draw = randomBytes(8).readBigUInt64BE();
      q.prequeue.set(personKey, draw);
      this.journal.places.push({ campaignId, personKey, position: null, draw: draw.toString() });
      return { position: null, created: true };
    }
    this.openQueue(q);
    q.fcfsCount += 1;
    const position = this.prequeueSize(q) + q.fcfsCount;
    q.positions.set(personKey, position);
    this.journal.places.push({ campaignId, personKey, position, draw: null });
    this.dirty.add(campaignId);
    return { position, created: true };
  }

  private placeOf(q: CampaignQueue, personKey: string): number | null {
    return q.positions.get(personKey) ?? q.prequeuePlaces?.get(personKey) ?? null;
  }

  async lookup(campaignId: string, personKey: string): Promise<{ position: number | null } | null> {
    const q = this.queue(campaignId);
    const position = this.placeOf(q, personKey);
    if (position !== null) return { position };
    return q.prequeue.has(personKey) ? { position: null } : null;
  }

  async reinstate(campaignId: string, personKey: string, position: number): Promise<number | null> {
    const q = this.queue(campaignId);
    const known = this.placeOf(q, personKey);
    if (known !== null) return known;
    if (!q.prequeuePlaces || position < 1 || position > this.issuedUpTo(q)) return null;
    q.positions.set(personKey, position);
    this.journal.places.push({ campaignId, personKey, position, draw: null });
    return position;
  }

  async positionOf(campaignId: string, personKey: string): Promise<number | null> {
    return this.placeOf(this.queue(campaignId), personKey);
  }

  async open(campaignId: string): Promise<void> {
    const q = this.queue(campaignId);
    if (!q.prequeuePlaces) this.dirty.add(campaignId);
    this.openQueue(q);
  }

  private openQueue(q: CampaignQueue): void {
    if (q.prequeuePlaces) return;
    const order = [...q.prequeue.entries()].sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : a[0].localeCompare(b[0])));
    q.prequeuePlaces = new Map(order.map(([person], index) => [person, index + 1]));
  }

  async tick(campaignId: string, nowMs: number, policy: TickPolicy): Promise<QueueSnapshot> {
    const q = this.queue(campaignId);
    q.targetRate = policy.ratePerSecond;
    this.dirty.add(campaignId);
    const elapsed = q.lastTickMs === null ? 0 : Math.max(0, (nowMs - q.lastTickMs) / 1000);
    // One node, one clock: if it steps back, count from there (Redis, shared by nodes whose clocks
    // differ slightly, keeps the latest instead, so a lagging node advances nothing).
    q.lastTickMs = nowMs;
    if (elapsed > 0 && !q.paused && !q.closed && q.prequeuePlaces) {
      const before = q.servingUpTo;
      const next = advanceServing({
        servingUpTo: q.servingUpTo,
        issuedUpTo: this.issuedUpTo(q),
        carry: q.carry,
        ratePerSecond: policy.ratePerSecond,
        elapsedSeconds: elapsed,
        activeAdmissions: this.active(q, nowMs),
        maxActive: policy.maxActive,
      });
      q.servingUpTo = next.servingUpTo;
      q.carry = next.carry;
      if (!next.starved) this.observeRate(q, q.servingUpTo - before, elapsed);
    }
    return this.snapshot(campaignId, nowMs);
  }

  private observeRate(q: CampaignQueue, served: number, seconds: number): void {
    const rate = served / seconds;
    if (q.rate.samples === 0) q.rate.mean = rate;
    else {
      const delta = rate - q.rate.mean;
      q.rate.mean += ALPHA * delta;
      q.rate.variance = (1 - ALPHA) * (q.rate.variance + ALPHA * delta * delta);
    }
    q.rate.samples += 1;
  }

  private issuedUpTo(q: CampaignQueue): number {
    return q.prequeuePlaces ? q.prequeuePlaces.size + q.fcfsCount : 0;
  }

  private active(q: CampaignQueue, nowMs: number): number {
    return q.admissions.count(nowMs);
  }


  async snapshot(campaignId: string, nowMs: number): Promise<QueueSnapshot> {
    const q = this.queue(campaignId);
    return {
      issuedUpTo: this.issuedUpTo(q),
      servingUpTo: q.servingUpTo,
      prequeueSize: this.prequeueSize(q),
      opened: q.prequeuePlaces !== null,
      paused: q.paused,
      pausedReason: q.pausedReason,
      closed: q.closed,
      admitted: q.admitted,
      activeAdmissions: this.active(q, nowMs),
      admitRatePerSecond: q.rate.mean,
      admitRateDeviation: Math.sqrt(q.rate.variance),
      targetRatePerSecond: q.targetRate,
    };
  }

  async admit(campaignId: string, personKey: string, position: number, nowMs: number, ttlMs: number): Promise<AdmissionRecord | null> {
    const q = this.queue(campaignId);
    const current = q.admissions.get(personKey);
    if (current && current.expiresAtMs > nowMs) return { ...current, created: false };
    if (q.closed || position > q.servingUpTo) return null;
    const admission = { id: randomUUID(), expiresAtMs: nowMs + ttlMs };
    q.admissions.set(personKey, admission);
    q.admitted += 1;
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
    this.queue(campaignId).admissions.delete(personKey);
    this.journal.released.push({ campaignId, personKey });
  }

  async setPaused(campaignId: string, paused: boolean, reason: string | null): Promise<void> {
    const q = this.queue(campaignId);
    q.paused = paused;
    q.pausedReason = paused ? reason : null;
    this.dirty.add(campaignId);
  }

  async setClosed(campaignId: string, closed: boolean): Promise<void> {
    this.queue(campaignId).closed = closed;
    this.dirty.add(campaignId);
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {}
}
