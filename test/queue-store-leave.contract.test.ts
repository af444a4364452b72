import { describe, expect, it } from 'vitest';
import { at, joinInOrder, range, storeKinds, T0, TTL } from './support/queue-store-kinds.ts';

/**
 * Leaving the queue (`QueueStore.leave`), on every store: a place given up before its turn is
 * abandoned for good (never admitted, never reinstated, passed by the advance without spending
 * the rate), leaving again is idempotent, and the person joins again at the back. Memory always,
 * Redis (three nodes) with REDIS_URL.
 */

const NO_CAP = 1_000_000;

describe.each(storeKinds)('QueueStore contract, leaving: $name', (kind) => {
  it('gives up a place before its turn for good: idempotent, never admitted or reinstated, and a join after it is a new place at the back', async () => {
    const d = await kind.deploy();
    const c = d.campaignId;
    await joinInOrder(d, c, range(1, 5).map((i) => `p${i}`), null);
    expect(await at(d, 0).leave(c, 'p3', 3, T0 + 1)).toEqual({ outcome: 'left', position: 3 });
    // Again, from any node, with the signed place or with none: the same answer, nothing changes.
    expect(await at(d, 1).leave(c, 'p3', 3, T0 + 2)).toEqual({ outcome: 'left', position: 3 });
    expect(await at(d, 2).leave(c, 'p3', null, T0 + 3)).toEqual({ outcome: 'left', position: 3 });
    expect(await at(d, 1).positionOf(c, 'p3')).toBeNull();
    expect(await at(d, 2).lookup(c, 'p3')).toBeNull();
    expect(await at(d, 0).reinstate(c, 'p3', 3, T0 + 4)).toBeNull();
    const s = await at(d, 1).snapshot(c, T0 + 4);
    expect(s).toMatchObject({ issuedUpTo: 5, abandoned: 1 });
    expect(await at(d, 2).abandonedSince(c, 0)).toEqual([3]);
    expect(await at(d, 2).abandonedSince(c, 1)).toEqual([]);

    // Joining again: a new place at the back, even when asked as a pre-queue join.
    expect(await at(d, 1).join(c, 'p3', T0 + 5, 3)).toEqual({ position: 6, created: true });
    expect(await at(d, 2).join(c, 'p3', T0 + 6, null)).toEqual({ position: 6, created: false });
    // The old ticket still answers "left", the new place is theirs to give up in turn.
    expect(await at(d, 0).leave(c, 'p3', 3, T0 + 7)).toEqual({ outcome: 'left', position: 3 });
    expect(await at(d, 0).reinstate(c, 'p3', 3, T0 + 7)).toBe(6);

    // The queue reaches place 3: nobody is admitted at it, whoever asks.
    await at(d, 0).tick(c, T0 + 10, { ratePerSecond: 10, maxActive: NO_CAP });
    await at(d, 1).tick(c, T0 + 1_010, { ratePerSecond: 10, maxActive: NO_CAP });
    expect((await at(d, 2).snapshot(c, T0 + 1_010)).servingUpTo).toBe(6);
    expect(await at(d, 0).admit(c, 'p3', 3, T0 + 1_020, TTL)).toBeNull();
    expect(await at(d, 1).admit(c, 'p3', 6, T0 + 1_020, TTL)).toMatchObject({ created: true });
    expect(await at(d, 2).admit(c, 'p2', 2, T0 + 1_020, TTL)).toMatchObject({ created: true });
  });

  it('refuses once the turn has come (served or admitted), before a round is drawn, and for a place that is not the person’s', async () => {
    const d = await kind.deploy();
    const c = d.campaignId;
    await joinInOrder(d, c, ['early-1', 'early-2'], 0, T0 - 1_000);
    expect(await at(d, 0).leave(c, 'early-1', null, T0 - 500)).toEqual({ outcome: 'prequeue' });
    await at(d, 1).open(c, 0, T0);
    await joinInOrder(d, c, range(3, 6).map((i) => `p${i}`), null);
    await at(d, 0).tick(c, T0, { ratePerSecond: 1, maxActive: NO_CAP });
    await at(d, 0).tick(c, T0 + 1_000, { ratePerSecond: 1, maxActive: NO_CAP });
    expect((await at(d, 0).snapshot(c, T0 + 1_000)).servingUpTo).toBe(1);
    const first = await at(d, 2).positionOf(c, 'early-1');
    const second = first === 1 ? 'early-2' : 'early-1';
    const firstHolder = first === 1 ? 'early-1' : 'early-2';
    expect(await at(d, 1).leave(c, firstHolder, null, T0 + 1_000)).toEqual({ outcome: 'served' });
    // A drawn member leaves with their pre-queue ticket; the round's other member keeps their place.
    expect(await at(d, 2).leave(c, second, null, T0 + 1_000)).toEqual({ outcome: 'left', position: 2 });
    expect(await at(d, 0).positionOf(c, firstHolder)).toBe(1);
    expect(await at(d, 0).positionOf(c, second)).toBeNull();
    expect(await at(d, 0).join(c, second, T0 + 1_100, null)).toEqual({ position: 7, created: true });
    // Someone else's place, or a place never the person's: not in line.
    expect(await at(d, 1).leave(c, 'p4', 5, T0 + 1_100)).toEqual({ outcome: 'not-in-line' });
    expect(await at(d, 1).leave(c, 'stranger', 4, T0 + 1_100)).toEqual({ outcome: 'not-in-line' });
    // Admitted (the turn came and went): served, whatever the admission's state.
    await at(d, 0).tick(c, T0 + 3_000, { ratePerSecond: 1, maxActive: NO_CAP });
    expect(await at(d, 1).admit(c, 'p3', 3, T0 + 3_000, TTL)).toMatchObject({ created: true });
    expect(await at(d, 2).leave(c, 'p3', 3, T0 + 3_001)).toEqual({ outcome: 'served' });
  });

  it('passes abandoned places without spending the rate or the cap on them', async () => {
    const d = await kind.deploy();
    const c = d.campaignId;
    await joinInOrder(d, c, range(1, 12).map((i) => `p${i}`), null);
    for (const i of [2, 3, 4, 6, 11, 12]) expect(await at(d, i).leave(c, `p${i}`, i, T0)).toMatchObject({ outcome: 'left' });
    const policy = { ratePerSecond: 2, maxActive: NO_CAP };
    await at(d, 0).tick(c, T0, policy);
    // One second at 2 a second: two people (1 and 5), and 2–4 and 6 passed for free on the way.
    expect((await at(d, 1).tick(c, T0 + 1_000, policy)).servingUpTo).toBe(6);
    // The cap counts people too: room for one admission lets in 7 only.
    expect(await at(d, 0).admit(c, 'p1', 1, T0 + 1_000, TTL)).toMatchObject({ created: true });
    expect(await at(d, 0).admit(c, 'p5', 5, T0 + 1_000, TTL)).toMatchObject({ created: true });
    expect((await at(d, 2).tick(c, T0 + 3_000, { ratePerSecond: 2, maxActive: 3 })).servingUpTo).toBe(7);
    // The last people waiting: the queue's end, its abandoned places passed with them.
    expect((await at(d, 0).tick(c, T0 + 10_000, policy)).servingUpTo).toBe(12);
    // A held queue (rate 0, sold out) passes none.
    const held = await kind.deploy();
    await joinInOrder(held, held.campaignId, ['h1', 'h2'], null);
    await at(held, 0).leave(held.campaignId, 'h1', 1, T0);
    await at(held, 0).tick(held.campaignId, T0, { ratePerSecond: 0, maxActive: NO_CAP });
    expect((await at(held, 0).tick(held.campaignId, T0 + 5_000, { ratePerSecond: 0, maxActive: NO_CAP })).servingUpTo).toBe(0);
  });
});
