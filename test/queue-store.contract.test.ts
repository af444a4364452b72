import { describe, expect, it } from 'vitest';
import { at, chiSquareCritical, joinInOrder, permutationChiSquare, randomCampaignId, range, shuffleCounts, sorted, storeKinds, T0 } from './support/queue-store-kinds.ts';

/**
 * The queue store contract, on every store: one place per person whichever node or device they
 * join from, places without gap or duplicate, lookups and reinstated places, and the pre-queue
 * placed at the opening in a uniform shuffle. Serving and admissions:
 * queue-store-admission.contract.test.ts. Memory always, Redis (three nodes) with REDIS_URL.
 */

describe.each(storeKinds)('QueueStore contract: $name', (kind) => {
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
    expect(await at(d, 0).reinstate(c, 'a', 3, 0)).toBe(1); // known: their own place, not the one asked for
    expect(await at(d, 1).reinstate(c, 'lost', 5, 0)).toBeNull(); // beyond the places issued
    expect(await at(d, 1).reinstate(c, 'lost', 0, 0)).toBeNull();
    expect(await at(d, 2).reinstate(c, 'lost', 3, 0)).toBe(3);
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
    expect(permutationChiSquare(counts, runs)).toBeLessThan(critical);
    // The statistic has power: the join order itself would fail it by far.
    expect(permutationChiSquare(people.map((_, r) => people.map((_, p) => (p === r ? runs : 0))), runs)).toBeGreaterThan(critical);
  });
});
