import { describe, expect, it } from 'vitest';
import { advanceServing } from '../src/modules/waiting-room/domain/admission-rate.ts';
import { RateEstimator } from '../src/modules/waiting-room/domain/eta.ts';
import { at, joinInOrder, range, storeKinds, T0, TTL } from './support/queue-store-kinds.ts';

/**
 * The queue store contract, on every store: the queue advancing at the rate however many nodes
 * tick, the cap on active admissions, admissions given, extended, released and expired, pausing,
 * closing, and the snapshot. Joins and the pre-queue: queue-store.contract.test.ts. Memory
 * always, Redis (three nodes) with REDIS_URL.
 */

const NO_CAP = 1_000_000;

describe.each(storeKinds)('QueueStore contract: $name', (kind) => {
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
      admitted: 0, activeAdmissions: 0, admitRatePerSecond: 0, admitRateDeviation: 0, targetRatePerSecond: 0, abandoned: 0,
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
      admitted: 3, activeAdmissions: 3, admitRatePerSecond: 0.4, admitRateDeviation: 0.8, targetRatePerSecond: 2, abandoned: 0,
    };
    for (const snapshot of await Promise.all(d.nodes.map((node) => node.snapshot(c, T0 + 1_500)))) {
      // Rates measured: 0/s over the first 0.25 s (nothing whole yet), then 3 places in 1.5 s.
      expect(snapshot).toEqual({ ...expected, admitRatePerSecond: expect.closeTo(0.4, 12), admitRateDeviation: expect.closeTo(0.8, 12) });
    }
    expect((await at(d, 1).snapshot(c, T0 + 1_500 + TTL)).activeAdmissions).toBe(0);
  });
});
