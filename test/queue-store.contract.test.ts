import { describe, expect, it, onTestFinished } from 'vitest';
import { connectRedis, createRedisClient } from '../src/infra/redis.ts';
import { advanceServing } from '../src/modules/waiting-room/domain/admission-rate.ts';
import { RateEstimator } from '../src/modules/waiting-room/domain/eta.ts';
import type { QueueStore } from '../src/modules/waiting-room/queue-store.ts';
import { QueueStoreUnavailableError } from '../src/modules/waiting-room/queue-store-errors.ts';
import { SCRIPTS } from '../src/modules/waiting-room/redis/lua-scripts.ts';
import { campaignKeys } from '../src/modules/waiting-room/redis/queue-keys.ts';
import { RedisQueueStore } from '../src/modules/waiting-room/redis/redis-queue-store.ts';
import { at, chiSquare, chiSquareCritical, joinInOrder, randomCampaignId, range, shuffleCounts, sorted, storeKinds, T0, type Deployment } from './support/queue-store-kinds.ts';
import { deleteKeys, freePort, randomKeyPrefix, redisServerOnPath, redisUrl, RedisServerProcess } from './support/redis.ts';

const TTL = 10_000;
const NO_CAP = 1_000_000;
const kinds = storeKinds;

describe.each(kinds)('QueueStore contract: $name', (kind) => {
  it('gives one person one place however often, and from whichever node, they join', async () => {
    const d = await kind.deploy();
    const c = d.campaignId;
    const again = await joinInOrder(d, c, range(1, 10).map(() => 'person-a'), null);
    expect(again.map((r) => r.position)).toEqual(again.map(() => 1));
    expect(again.map((r) => r.created)).toEqual([true, ...again.slice(1).map(() => false)]);

    const early = randomCampaignId();
    const waiting = await Promise.all(range(0, 29).map((i) => at(d, i).join(early, 'person-b', T0, 0)));
    expect(waiting.every((r) => r.position === null)).toBe(true);
    expect(waiting.filter((r) => r.created)).toHaveLength(1);
    await at(d, 0).join(early, 'person-c', T0, 0);
    await at(d, 1).open(early, 0, 0);
    const places = await Promise.all(d.nodes.map((node) => node.positionOf(early, 'person-b')));
    expect(places[0]).toBeOneOf([1, 2]);
    expect(new Set(places).size).toBe(1);
    // Joining again after the opening, whichever way the node's clock reads, changes nothing.
    for (const prequeueRound of [0, null]) {
      expect(await at(d, 2).join(early, 'person-b', T0, prequeueRound)).toEqual({ position: places[0], created: false });
    }
  });

  it('gives one person one place when all their devices join at the same instant', async () => {
    const d = await kind.deploy();
    const sameInstant = (c: string) => Promise.all(range(0, 29).map((i) => at(d, i).join(c, 'person-a', T0, null)));
    // The first FCFS join performs the opening; the devices race it.
    const first = await sameInstant(d.campaignId);
    expect(first.map((r) => r.position)).toEqual(first.map(() => 1));
    expect(first.filter((r) => r.created)).toHaveLength(1);
    // And once the queue is open.
    const opened = randomCampaignId();
    await at(d, 0).open(opened, 0, 0);
    const later = await sameInstant(opened);
    expect(later.map((r) => r.position)).toEqual(later.map(() => 1));
    expect(later.filter((r) => r.created)).toHaveLength(1);
  });

  it('hands 2,000 concurrent joins the places 1..2000, with no gap and no duplicate', async () => {
    const d = await kind.deploy();
    const people = range(1, 2000).map((i) => `person-${i}`);
    const results = await Promise.all(people.map((person, i) => at(d, i).join(d.campaignId, person, T0, null)));
    expect(sorted(results.map((r) => r.position))).toEqual(range(1, 2000));
    expect(results.every((r) => r.created)).toBe(true);
    const places = await Promise.all(people.map((person, i) => at(d, i + 1).positionOf(d.campaignId, person)));
    expect(places).toEqual(results.map((r) => r.position));
    expect((await at(d, 0).snapshot(d.campaignId, T0)).issuedUpTo).toBe(2000);
  });

  it('looks a person up without joining: not in line, in the pre-queue, then placed', async () => {
    const d = await kind.deploy();
    const c = d.campaignId;
    expect(await at(d, 0).lookup(c, 'early')).toBeNull();
    expect((await at(d, 1).snapshot(c, T0)).prequeueSize).toBe(0);
    await at(d, 1).join(c, 'early', T0 - 60_000, 0);
    expect(await at(d, 2).lookup(c, 'early')).toEqual({ position: null });
    await at(d, 0).open(c, 0, 0);
    expect(await at(d, 1).lookup(c, 'early')).toEqual({ position: 1 });
    await at(d, 2).join(c, 'late', T0, null);
    expect(await at(d, 0).lookup(c, 'late')).toEqual({ position: 2 });
    expect(await at(d, 0).lookup(c, 'nobody')).toBeNull();
    expect((await at(d, 0).snapshot(c, T0)).issuedUpTo).toBe(2);
  });

  it('reinstates a signed place the store does not know, but only a place already handed out', async () => {
    const d = await kind.deploy();
    const c = d.campaignId;
    await joinInOrder(d, c, ['a', 'b', 'c', 'd'], null);
    expect(await at(d, 0).reinstate(c, 'a', 3)).toBe(1); // known: their own place, not the one asked for
    expect(await at(d, 1).reinstate(c, 'lost', 5)).toBeNull(); // beyond the places issued
    expect(await at(d, 1).reinstate(c, 'lost', 0)).toBeNull();
    expect(await at(d, 2).reinstate(c, 'lost', 3)).toBe(3);
    expect(await at(d, 0).lookup(c, 'lost')).toEqual({ position: 3 });
    expect((await at(d, 1).join(c, 'e', T0, null)).position).toBe(5);
  });

  it('places the whole pre-queue at the opening (a permutation of 1..N) and FCFS joins after it', async () => {
    const d = await kind.deploy();
    const c = d.campaignId;
    const early = range(1, 300).map((i) => `early-${i}`);
    const joins = await Promise.all(early.map((person, i) => at(d, i).join(c, person, T0 - 60_000, 0)));
    expect(joins.every((r) => r.position === null && r.created)).toBe(true);
    expect(await at(d, 0).positionOf(c, 'early-1')).toBeNull();
    expect(await at(d, 1).snapshot(c, T0)).toMatchObject({ prequeueSize: 300, opened: false, issuedUpTo: 0 });

    await Promise.all([...d.nodes, ...d.nodes].map((node) => node.open(c, 0, 0)));
    const places = await Promise.all(early.map((person, i) => at(d, i).positionOf(c, person)));
    expect(sorted(places)).toEqual(range(1, 300));

    const late = await Promise.all(range(1, 50).map((i) => at(d, i).join(c, `late-${i}`, T0 + i, null)));
    expect(sorted(late.map((r) => r.position))).toEqual(range(301, 350));
    await at(d, 2).open(c, 0, 0);
    expect(await Promise.all(early.map((person, i) => at(d, i + 1).positionOf(c, person)))).toEqual(places);
    expect(await at(d, 0).snapshot(c, T0)).toMatchObject({ prequeueSize: 0, opened: true, openedRounds: 1, issuedUpTo: 350 });
  });

  it('serves a pre-queue join that arrives after the opening (a lagging clock) first come, first served', async () => {
    const d = await kind.deploy();
    const c = d.campaignId;
    await joinInOrder(d, c, range(1, 10).map((i) => `early-${i}`), 0);
    await at(d, 0).open(c, 0, 0);
    expect(await at(d, 1).join(c, 'laggard', T0 - 1, 0)).toEqual({ position: 11, created: true });
    expect(await at(d, 2).positionOf(c, 'laggard')).toBe(11);
    expect(await at(d, 0).snapshot(c, T0)).toMatchObject({ prequeueSize: 0, issuedUpTo: 11 });
  });

  it('performs the opening first when an FCFS join comes before open() was called', async () => {
    const d = await kind.deploy();
    const c = d.campaignId;
    await joinInOrder(d, c, range(1, 5).map((i) => `early-${i}`), 0);
    expect(await at(d, 1).join(c, 'first-fcfs', T0, null)).toEqual({ position: 6, created: true });
    expect((await at(d, 2).snapshot(c, T0)).opened).toBe(true);
    const places = await Promise.all(range(1, 5).map((i) => at(d, i).positionOf(c, `early-${i}`)));
    expect(sorted(places)).toEqual(range(1, 5));
    expect(await at(d, 0).join(c, 'late-early', T0, 0)).toEqual({ position: 7, created: true });
  });

  it('shuffles the pre-queue uniformly: the place is independent of the join order (chi-square, 200 runs × 20)', async () => {
    const d = await kind.deploy();
    const runs = 200;
    const people = range(0, 19).map((i) => `person-${i}`);
    const counts = await shuffleCounts(runs, people, 1, async (c) => {
      await joinInOrder(d, c, people, 0);
      await at(d, 0).open(c, 0, 0);
      return Promise.all(people.map((person, i) => at(d, i).positionOf(c, person)));
    });
    // Rows and columns both sum to `runs` (each run is a permutation): df = (20 - 1)².
    const critical = chiSquareCritical(19 * 19, 3.719); // upper tail 1e-4
    expect(chiSquare(counts, runs / people.length)).toBeLessThan(critical);
    // The statistic has power: the join order itself would fail it by far.
    expect(chiSquare(people.map((_, r) => people.map((_, p) => (p === r ? runs : 0))), runs / people.length)).toBeGreaterThan(critical);
  });

  it('advances at the rate whatever the number of nodes ticking, with exactly the arithmetic of advanceServing and the EWMA', async () => {
    const d = await kind.deploy();
    const c = d.campaignId;
    await Promise.all(range(1, 500).map((i) => at(d, i).join(c, `person-${i}`, T0, null)));
    const model = { servingUpTo: 0, carry: 0, lastTickMs: null as number | null, rate: new RateEstimator(0.2) };
    let now = T0;
    let ideal = 0;
    for (let step = 0; step < 120; step += 1) {
      now += 220 + ((step * 37) % 61); // irregular intervals, like timers on busy nodes
      const ratePerSecond = [7.3, 0.45, 13.7][Math.floor(step / 40)]!;
      // Every node ticks for the same instant; together they must advance it once.
      await Promise.all(d.nodes.map((node) => node.tick(c, now, { ratePerSecond, maxActive: NO_CAP })));
      const elapsed = model.lastTickMs === null ? 0 : (now - model.lastTickMs) / 1000;
      model.lastTickMs = now;
      if (elapsed > 0) {
        const next = advanceServing({ ...model, issuedUpTo: 500, ratePerSecond, elapsedSeconds: elapsed, activeAdmissions: 0, maxActive: NO_CAP });
        model.rate.observe(next.servingUpTo - model.servingUpTo, elapsed);
        Object.assign(model, next);
        ideal += ratePerSecond * elapsed;
      }
      const snapshot = await at(d, step).snapshot(c, now);
      expect(snapshot.servingUpTo).toBe(model.servingUpTo);
      expect(snapshot.admitRatePerSecond).toBe(model.rate.ratePerSecond);
      expect(snapshot.admitRateDeviation).toBe(model.rate.standardDeviation);
      expect(snapshot.targetRatePerSecond).toBe(ratePerSecond);
    }
    expect(Math.abs(model.servingUpTo - ideal)).toBeLessThan(1);
  });

  it('is not held by a tick from a clock hours ahead: the others count from their own time again', async () => {
    const d = await kind.deploy();
    const c = d.campaignId;
    await Promise.all(range(1, 100).map((i) => at(d, i).join(c, `person-${i}`, T0, null)));
    await at(d, 0).tick(c, T0, { ratePerSecond: 10, maxActive: NO_CAP });
    // A node 6 hours ahead ticks once (its burst bounded by the cap) before its clock check stops it.
    await at(d, 1).tick(c, T0 + 6 * 3_600_000, { ratePerSecond: 10, maxActive: 5 });
    expect((await at(d, 0).snapshot(c, T0)).servingUpTo).toBe(5);
    // The nodes on the right time: the first tick counts nothing, the next advances at the rate.
    await at(d, 2).tick(c, T0 + 1_000, { ratePerSecond: 10, maxActive: NO_CAP });
    await at(d, 0).tick(c, T0 + 2_000, { ratePerSecond: 10, maxActive: NO_CAP });
    expect((await at(d, 0).snapshot(c, T0 + 2_000)).servingUpTo).toBe(15);
  });

  it('never advances past the places issued nor beyond the cap on active admissions; expiry and release free the cap', async () => {
    const d = await kind.deploy();
    const c = d.campaignId;
    await joinInOrder(d, c, range(1, 30).map((i) => `person-${i}`), null);
    const policy = { ratePerSecond: 10, maxActive: 5 };
    let admittedUpTo = 0;
    const tickAndAdmit = async (now: number, p = policy) => {
      const [snapshot] = await Promise.all(d.nodes.map((node) => node.tick(c, now, p)));
      for (; admittedUpTo < snapshot!.servingUpTo; admittedUpTo += 1) {
        const place = admittedUpTo + 1;
        expect(await at(d, place).admit(c, `person-${place}`, place, now, TTL)).toMatchObject({ created: true });
      }
      const after = await at(d, 0).snapshot(c, now);
      expect(after.servingUpTo).toBeLessThanOrEqual(after.issuedUpTo);
      expect(after.activeAdmissions).toBeLessThanOrEqual(p.maxActive);
      return after;
    };
    for (let t = 0; t <= 5_000; t += 250) await tickAndAdmit(T0 + t);
    expect(await at(d, 1).snapshot(c, T0 + 5_000)).toMatchObject({ servingUpTo: 5, activeAdmissions: 5 });

    // The first five admissions expire at T0 + 250 + TTL at the latest: room for five more.
    expect(await tickAndAdmit(T0 + 11_000)).toMatchObject({ servingUpTo: 10, activeAdmissions: 5 });
    await at(d, 2).release(c, 'person-6', T0 + 11_100);
    await at(d, 0).release(c, 'person-7', T0 + 11_100);
    expect(await tickAndAdmit(T0 + 11_500)).toMatchObject({ servingUpTo: 12, activeAdmissions: 5 });

    // Without the cap, a long gap serves everyone left, and not one place more.
    const open = { ratePerSecond: 10, maxActive: NO_CAP };
    expect(await tickAndAdmit(T0 + 100_000, open)).toMatchObject({ servingUpTo: 30, issuedUpTo: 30 });
    await at(d, 0).join(c, 'person-31', T0 + 100_000, null);
    expect(await tickAndAdmit(T0 + 100_050, open)).toMatchObject({ servingUpTo: 30, issuedUpTo: 31 });
    expect(await tickAndAdmit(T0 + 100_150, open)).toMatchObject({ servingUpTo: 31 });
  });

  it('admits only once the place is reached, and returns the same admission while it is valid', async () => {
    const d = await kind.deploy();
    const c = d.campaignId;
    await joinInOrder(d, c, ['p1', 'p2', 'p3'], null);
    await at(d, 0).tick(c, T0, { ratePerSecond: 1, maxActive: NO_CAP });
    expect(await at(d, 1).admit(c, 'p1', 1, T0, TTL)).toBeNull();
    await at(d, 1).tick(c, T0 + 1_000, { ratePerSecond: 1, maxActive: NO_CAP });
    expect(await at(d, 2).admit(c, 'p2', 2, T0 + 1_000, TTL)).toBeNull();
    const first = await at(d, 2).admit(c, 'p1', 1, T0 + 1_000, TTL);
    expect(first).toMatchObject({ created: true, expiresAtMs: T0 + 1_000 + TTL });
    const again = await Promise.all(d.nodes.map((node) => node.admit(c, 'p1', 1, T0 + 2_000, TTL)));
    for (const admission of again) expect(admission).toEqual({ ...first, created: false });
    expect(await at(d, 0).snapshot(c, T0 + 2_000)).toMatchObject({ admitted: 1, activeAdmissions: 1 });
    await at(d, 0).tick(c, T0 + 2_000, { ratePerSecond: 1, maxActive: NO_CAP });
    expect(await at(d, 1).admit(c, 'p2', 2, T0 + 2_000, TTL)).toMatchObject({ created: true });
    expect(await at(d, 1).admit(c, 'p3', 3, T0 + 2_000, TTL)).toBeNull();
  });

  it('extends a valid admission (never shortening it), and ends it on release or expiry', async () => {
    const d = await kind.deploy();
    const c = d.campaignId;
    await at(d, 0).join(c, 'p1', T0, null);
    await at(d, 0).tick(c, T0, { ratePerSecond: 1, maxActive: NO_CAP });
    await at(d, 1).tick(c, T0 + 1_000, { ratePerSecond: 1, maxActive: NO_CAP });
    const first = await at(d, 2).admit(c, 'p1', 1, T0 + 1_000, TTL);
    expect(await at(d, 0).extend(c, 'p1', T0 + 5_000, TTL)).toBe(T0 + 15_000);
    expect(await at(d, 1).extend(c, 'p1', T0 + 6_000, 1_000)).toBe(T0 + 15_000);
    expect(await at(d, 2).admit(c, 'p1', 1, T0 + 14_999, TTL)).toEqual({ ...first, expiresAtMs: T0 + 15_000, created: false });
    expect(await at(d, 0).extend(c, 'p1', T0 + 15_000, TTL)).toBeNull();
    expect(await at(d, 0).extend(c, 'nobody', T0 + 15_000, TTL)).toBeNull();
    expect((await at(d, 0).snapshot(c, T0 + 15_000)).activeAdmissions).toBe(0);

    const second = await at(d, 1).admit(c, 'p1', 1, T0 + 15_000, TTL);
    expect(second).toMatchObject({ created: true, expiresAtMs: T0 + 25_000 });
    expect(second!.id).not.toBe(first!.id);
    expect(await at(d, 2).snapshot(c, T0 + 15_000)).toMatchObject({ admitted: 2, activeAdmissions: 1 });
    await at(d, 2).release(c, 'p1', T0 + 16_000);
    await at(d, 0).release(c, 'p1', T0 + 16_000);
    expect(await at(d, 1).extend(c, 'p1', T0 + 16_000, TTL)).toBeNull();
    expect(await at(d, 2).snapshot(c, T0 + 16_000)).toMatchObject({ admitted: 2, activeAdmissions: 0 });
  });

  it('admits someone who has booked again outside the cap: another device reaching its turn holds no room', async () => {
    const d = await kind.deploy();
    const c = d.campaignId;
    await joinInOrder(d, c, ['p1', 'p2', 'p3'], null);
    await at(d, 0).tick(c, T0, { ratePerSecond: 1, maxActive: 1 });
    await at(d, 1).tick(c, T0 + 1_000, { ratePerSecond: 1, maxActive: 1 });
    expect(await at(d, 2).admit(c, 'p1', 1, T0 + 1_000, TTL)).toMatchObject({ created: true });
    await at(d, 0).release(c, 'p1', T0 + 2_000); // booked
    // Every device of p1 asking after the booking: an admission (to change or cancel), never counted.
    const later = await Promise.all(d.nodes.map((node) => node.admit(c, 'p1', 1, T0 + 2_000, TTL)));
    for (const admission of later) expect(admission).toMatchObject({ created: false, afterBooking: true, expiresAtMs: T0 + 2_000 + TTL });
    expect(new Set(later.map((a) => a!.id)).size).toBe(later.length);
    expect(await at(d, 1).snapshot(c, T0 + 2_000)).toMatchObject({ admitted: 1, activeAdmissions: 0 });
    expect(await at(d, 1).extend(c, 'p1', T0 + 3_000, TTL)).toBeNull();
    // The cap of 1 is free for the next place: p2 is admitted, and counted.
    await at(d, 2).tick(c, T0 + 2_000, { ratePerSecond: 1, maxActive: 1 });
    expect(await at(d, 2).admit(c, 'p2', 2, T0 + 2_000, TTL)).toMatchObject({ created: true });
    expect(await at(d, 2).admit(c, 'p2', 2, T0 + 2_500, TTL)).not.toHaveProperty('afterBooking');
    expect(await at(d, 0).snapshot(c, T0 + 2_500)).toMatchObject({ admitted: 2, activeAdmissions: 1 });
    // Still no admission before one's turn, nor once the queue is closed.
    expect(await at(d, 0).admit(c, 'p3', 3, T0 + 2_500, TTL)).toBeNull();
    await at(d, 0).setClosed(c, true, 0);
    expect(await at(d, 1).admit(c, 'p1', 1, T0 + 3_000, TTL)).toBeNull();
  });

  it('stops advancing while paused, keeps every place, and does not burst on resuming', async () => {
    const d = await kind.deploy();
    const c = d.campaignId;
    const people = range(1, 20).map((i) => `person-${i}`);
    await joinInOrder(d, c, people, null);
    const policy = { ratePerSecond: 4, maxActive: NO_CAP };
    await at(d, 0).tick(c, T0, policy);
    expect((await at(d, 1).tick(c, T0 + 1_000, policy)).servingUpTo).toBe(4);
    await at(d, 2).setPaused(c, true, 'booking path degraded', 0);
    for (let t = 1_250; t <= 6_000; t += 250) await Promise.all(d.nodes.map((node) => node.tick(c, T0 + t, policy)));
    expect(await at(d, 0).snapshot(c, T0 + 6_000)).toMatchObject({ servingUpTo: 4, paused: true, pausedReason: 'booking path degraded' });
    expect(await Promise.all(people.map((person, i) => at(d, i).positionOf(c, person)))).toEqual(range(1, 20));
    expect(await at(d, 1).join(c, 'person-21', T0 + 6_000, null)).toEqual({ position: 21, created: true });

    await at(d, 1).setPaused(c, false, null, 0);
    expect(await at(d, 2).tick(c, T0 + 6_250, policy)).toMatchObject({ servingUpTo: 5, paused: false, pausedReason: null });
  });

  it('refuses new admissions and stops advancing while closed, keeping valid admissions', async () => {
    const d = await kind.deploy();
    const c = d.campaignId;
    await joinInOrder(d, c, ['p1', 'p2', 'p3'], null);
    const policy = { ratePerSecond: 2, maxActive: NO_CAP };
    await at(d, 0).tick(c, T0, policy);
    await at(d, 0).tick(c, T0 + 1_000, policy);
    const p1 = await at(d, 1).admit(c, 'p1', 1, T0 + 1_000, TTL);
    await at(d, 2).setClosed(c, true, 0);
    expect(await at(d, 0).admit(c, 'p2', 2, T0 + 1_100, TTL)).toBeNull();
    expect(await at(d, 1).admit(c, 'p1', 1, T0 + 1_100, TTL)).toEqual({ ...p1, created: false });
    expect(await at(d, 2).tick(c, T0 + 3_000, policy)).toMatchObject({ closed: true, servingUpTo: 2, admitted: 1 });
    await at(d, 0).setClosed(c, false, 0);
    expect(await at(d, 1).admit(c, 'p2', 2, T0 + 3_000, TTL)).toMatchObject({ created: true });
  });

  it('reports a consistent snapshot, the same from every node', async () => {
    const d = await kind.deploy();
    const c = d.campaignId;
    expect(await at(d, 0).snapshot(c, T0)).toEqual({
      issuedUpTo: 0, servingUpTo: 0, prequeueSize: 0, opened: false, openedRounds: 0, paused: false, pausedReason: null, closed: false,
      admitted: 0, activeAdmissions: 0, admitRatePerSecond: 0, admitRateDeviation: 0, targetRatePerSecond: 0,
    });
    await joinInOrder(d, c, ['e1', 'e2', 'e3', 'e4'], 0, T0 - 1_000);
    const policy = { ratePerSecond: 2, maxActive: 50 };
    await at(d, 1).tick(c, T0 - 500, policy);
    expect(await at(d, 2).tick(c, T0 - 250, policy)).toMatchObject({ prequeueSize: 4, opened: false, issuedUpTo: 0, servingUpTo: 0 });
    await at(d, 0).open(c, 0, 0);
    await joinInOrder(d, c, ['f1', 'f2'], null);
    await at(d, 1).tick(c, T0, policy);
    await at(d, 2).tick(c, T0 + 1_500, policy);
    for (const person of ['e1', 'e2', 'e3', 'e4']) {
      const place = (await at(d, 0).positionOf(c, person))!;
      if (place <= 3) await at(d, place).admit(c, person, place, T0 + 1_500, TTL);
    }
    await at(d, 0).setPaused(c, true, 'operator check', 0);
    const expected = {
      issuedUpTo: 6, servingUpTo: 3, prequeueSize: 0, opened: true, openedRounds: 1, paused: true, pausedReason: 'operator check', closed: false,
      admitted: 3, activeAdmissions: 3, admitRatePerSecond: 0.4, admitRateDeviation: 0.8, targetRatePerSecond: 2,
    };
    for (const snapshot of await Promise.all(d.nodes.map((node) => node.snapshot(c, T0 + 1_500)))) {
      // Rates measured: 0/s over the first 0.25 s (nothing whole yet), then 3 places in 1.5 s.
      expect(snapshot).toEqual({ ...expected, admitRatePerSecond: expect.closeTo(0.4, 12), admitRateDeviation: expect.closeTo(0.8, 12) });
    }
    expect((await at(d, 1).snapshot(c, T0 + 1_500 + TTL)).activeAdmissions).toBe(0);
  });
});

describe('RedisQueueStore without a reachable Redis', () => {
  it('rejects every call at once with QueueStoreUnavailableError, never queueing or hanging', async () => {
    const client = createRedisClient(`redis://127.0.0.1:${await freePort()}`, { maxReconnectDelayMs: 100 });
    const store = new RedisQueueStore(client, randomKeyPrefix());
    onTestFinished(() => store.close());
    await expectUnavailableFast(store);
  });

  it('refuses a key prefix or campaign id that would break the per-campaign hash tag', () => {
    const client = createRedisClient('redis://127.0.0.1:1', { maxReconnectDelayMs: 100 });
    onTestFinished(() => client.disconnect());
    expect(() => new RedisQueueStore(client, 'yeyak:{x}:')).toThrow();
    expect(() => campaignKeys('yeyak:', 'a}b')).toThrow();
    const keys = Object.values(campaignKeys('yeyak:', 'c-2026'));
    expect(keys.every((key) => key.startsWith('yeyak:q:{c-2026}:'))).toBe(true);
  });
});

/** Every operation rejects with QueueStoreUnavailableError, each well under a second. */
async function expectUnavailableFast(store: QueueStore): Promise<void> {
  const c = 'c-down';
  const calls: Array<() => Promise<unknown>> = [
    () => store.join(c, 'p', T0, null),
    () => store.join(c, 'p', T0, 0),
    () => store.positionOf(c, 'p'),
    () => store.open(c, 0, 0),
    () => store.tick(c, T0, { ratePerSecond: 1, maxActive: 10 }),
    () => store.snapshot(c, T0),
    () => store.admit(c, 'p', 1, T0, TTL),
    () => store.extend(c, 'p', T0, TTL),
    () => store.release(c, 'p', T0),
    () => store.setPaused(c, true, null, 0),
    () => store.setClosed(c, true, 0),
    () => store.ping(),
  ];
  for (const call of calls) {
    const started = performance.now();
    await expect(call()).rejects.toBeInstanceOf(QueueStoreUnavailableError);
    // Refused at once (no offline queue), not after the 1 s command timeout: the margin is for a busy machine.
    expect(performance.now() - started).toBeLessThan(750);
  }
}

describe.skipIf(!redisUrl)('RedisQueueStore on REDIS_URL', () => {
  it('runs its scripts again after Redis has forgotten them (NOSCRIPT)', async () => {
    const client = await connectRedis(redisUrl!);
    const prefix = randomKeyPrefix();
    const store = new RedisQueueStore(client, prefix);
    const admin = await connectRedis(redisUrl!);
    onTestFinished(async () => {
      await deleteKeys(admin, prefix);
      await store.close();
      await admin.quit();
    });
    expect(await store.join('c1', 'p1', T0, null)).toEqual({ position: 1, created: true });
    expect(await admin.script('FLUSH')).toBe('OK');
    expect(await store.join('c1', 'p2', T0, null)).toEqual({ position: 2, created: true });
    expect(await admin.script('EXISTS', SCRIPTS.join.sha)).toEqual([1]);
  });
});

describe.skipIf(!redisServerOnPath)('RedisQueueStore across a Redis restart (own redis-server, AOF always)', () => {
  it('keeps places, counters and admissions through kill -9, fails fast while down, and works again after reconnecting', async () => {
    const server = await RedisServerProcess.start();
    const prefix = randomKeyPrefix();
    const clients = await Promise.all(range(1, 2).map(() => connectRedis(server.url, { maxReconnectDelayMs: 100 })));
    const nodes = clients.map((client) => new RedisQueueStore(client, prefix));
    onTestFinished(async () => {
      await Promise.all(nodes.map((node) => node.close()));
      await server.dispose();
    });
    const d: Deployment = { nodes, campaignId: randomCampaignId() };
    const c = d.campaignId;
    const early = range(1, 20).map((i) => `early-${i}`);
    await joinInOrder(d, c, early, 0);
    await at(d, 0).open(c, 0, 0);
    await joinInOrder(d, c, range(1, 10).map((i) => `late-${i}`), null);
    const policy = { ratePerSecond: 4, maxActive: 100 };
    await at(d, 0).tick(c, T0, policy);
    await at(d, 1).tick(c, T0 + 1_000, policy);
    const places = await Promise.all(early.map((person) => at(d, 0).positionOf(c, person)));
    const firstInLine = early[places.indexOf(1)]!;
    const admission = await at(d, 1).admit(c, firstInLine, 1, T0 + 1_000, TTL);
    const before = await at(d, 0).snapshot(c, T0 + 1_000);

    await server.kill('SIGKILL');
    // Down, as every node sees it once its socket has closed (calls in flight: next test).
    await until(() => clients.every((client) => client.status !== 'ready'));
    for (const node of nodes) await expectUnavailableFast(node);

    await server.start();
    await Promise.all(nodes.map((node) => waitUntilReachable(node)));
    expect(await at(d, 1).snapshot(c, T0 + 1_000)).toEqual(before);
    expect(await Promise.all(early.map((person) => at(d, 1).positionOf(c, person)))).toEqual(places);
    expect(await at(d, 0).admit(c, firstInLine, 1, T0 + 2_000, TTL)).toEqual({ ...admission, created: false });
    expect(await at(d, 1).join(c, 'after-restart', T0 + 2_000, null)).toEqual({ position: 31, created: true });
    expect((await at(d, 0).tick(c, T0 + 2_000, policy)).servingUpTo).toBe(8);
  });

  it('settles calls in flight when Redis dies, with a result or QueueStoreUnavailableError, never hanging', async () => {
    const server = await RedisServerProcess.start();
    const store = new RedisQueueStore(await connectRedis(server.url, { maxReconnectDelayMs: 100 }), randomKeyPrefix());
    onTestFinished(async () => {
      await store.close();
      await server.dispose();
    });
    const started = performance.now();
    const settled = Promise.allSettled(range(1, 2000).map((i) => store.join('c1', `person-${i}`, T0, null)));
    await server.kill('SIGKILL');
    const outcomes = await settled;
    expect(performance.now() - started).toBeLessThan(3_000);
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(QueueStoreUnavailableError);
    }
  });
});

/** Polls the store's ping until it answers (the client reconnects with backoff on its own). */
async function waitUntilReachable(store: QueueStore): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await store.ping();
      return;
    } catch (error) {
      if (!(error instanceof QueueStoreUnavailableError) || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met within 5 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
