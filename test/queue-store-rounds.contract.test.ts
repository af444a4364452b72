import { describe, expect, it } from 'vitest';
import { isJournalling, type JournalledPlace } from '../src/modules/waiting-room/queue-journal.ts';
import { at, chiSquareCritical, joinInOrder, permutationChiSquare, range, shuffleCounts, sorted, storeKinds, T0, type Deployment } from './support/queue-store-kinds.ts';

/**
 * Rounds (a pre-queue for every opening of a rotation), on every store: round r's pre-queue is
 * placed at its opening after every place issued before it, in the order of secret draws; joins
 * in between are first come, first served. Memory always, Redis (three nodes) with REDIS_URL.
 */

/** Every pre-queue draw the deployment's nodes journalled (the draws are secret everywhere else). */
function drawsOf(d: Deployment, campaignId: string): Map<string, JournalledPlace> {
  const draws = new Map<string, JournalledPlace>();
  for (const node of d.nodes) {
    if (!isJournalling(node)) throw new Error('a queue store journals');
    for (const p of node.drainJournal().places) if (p.campaignId === campaignId && p.draw !== null) draws.set(p.personKey, p);
  }
  return draws;
}

/** People sorted by their round's draw, ties by person key — the order the opening must give. */
function byDraw(people: string[], draws: Map<string, JournalledPlace>): string[] {
  const drawOf = (person: string) => BigInt(draws.get(person)!.draw!);
  return [...people].sort((a, b) => (drawOf(a) < drawOf(b) ? -1 : drawOf(a) > drawOf(b) ? 1 : a < b ? -1 : a > b ? 1 : 0));
}

describe.each(storeKinds)('QueueStore rounds: $name', (kind) => {
  it('places round 1 after every place issued before its opening, by draw, with first-come joins in between', async () => {
    const d = await kind.deploy();
    const c = d.campaignId;
    const day1 = range(1, 5).map((i) => `day1-${i}`);
    const day2 = range(1, 6).map((i) => `day2-${i}`);
    // A long lead: day 2's pre-queue fills before day 1 opens, and keeps filling after.
    await joinInOrder(d, c, day1, 0, T0 - 60_000);
    await joinInOrder(d, c, day2.slice(0, 3), 1, T0 - 60_000);
    expect(await at(d, 0).snapshot(c, T0)).toMatchObject({ issuedUpTo: 0, prequeueSize: 8, opened: false, openedRounds: 0 });

    await Promise.all(d.nodes.map((node) => node.open(c, 0, 0)));
    expect(sorted(await Promise.all(day1.map((p, i) => at(d, i).positionOf(c, p))))).toEqual(range(1, 5));
    expect(await at(d, 1).snapshot(c, T0)).toMatchObject({ issuedUpTo: 5, prequeueSize: 3, opened: true, openedRounds: 1 });
    const between = await joinInOrder(d, c, ['fcfs-1', 'fcfs-2', 'fcfs-3'], null);
    expect(between.map((r) => r.position)).toEqual([6, 7, 8]);
    await joinInOrder(d, c, day2.slice(3), 1, T0 + 1_000);
    for (const [i, p] of day2.entries()) {
      expect(await at(d, i).lookup(c, p)).toEqual({ position: null });
      expect(await at(d, i + 1).positionOf(c, p)).toBeNull();
      // Another device joining again changes nothing.
      expect(await at(d, i + 2).join(c, p, T0 + 2_000, 1)).toEqual({ position: null, created: false });
    }
    expect(await at(d, 2).snapshot(c, T0)).toMatchObject({ issuedUpTo: 8, prequeueSize: 6, openedRounds: 1 });

    // Every node opens round 1 at once (idempotent), and opening it again changes nothing.
    await Promise.all([...d.nodes, ...d.nodes].map((node, i) => node.open(c, i % 2 === 0 ? 1 : 0, 0)));
    const draws = drawsOf(d, c);
    const places = await Promise.all(byDraw(day2, draws).map((p, i) => at(d, i).positionOf(c, p)));
    expect(places).toEqual(range(9, 14));
    expect(await at(d, 0).join(c, 'fcfs-4', T0 + 86_400_000, null, 2)).toEqual({ position: 15, created: true });
    await at(d, 1).open(c, 1, 0);
    expect(await Promise.all(byDraw(day2, draws).map((p, i) => at(d, i + 1).lookup(c, p)))).toEqual(range(9, 14).map((position) => ({ position })));
    expect(await at(d, 2).snapshot(c, T0)).toMatchObject({ issuedUpTo: 15, prequeueSize: 0, opened: true, openedRounds: 2 });
  });

  it('performs the openings due before a first-come join, in order, so it follows both rounds', async () => {
    const d = await kind.deploy();
    const c = d.campaignId;
    await joinInOrder(d, c, range(1, 4).map((i) => `r0-${i}`), 0);
    await joinInOrder(d, c, range(1, 3).map((i) => `r1-${i}`), 1);
    await joinInOrder(d, c, range(1, 2).map((i) => `r2-${i}`), 2);
    expect(await at(d, 1).join(c, 'first-fcfs', T0, null, 2)).toEqual({ position: 8, created: true });
    expect(sorted(await Promise.all(range(1, 4).map((i) => at(d, i).positionOf(c, `r0-${i}`))))).toEqual(range(1, 4));
    expect(sorted(await Promise.all(range(1, 3).map((i) => at(d, i).positionOf(c, `r1-${i}`))))).toEqual(range(5, 7));
    expect(await at(d, 2).positionOf(c, 'r2-1')).toBeNull();
    expect(await at(d, 0).snapshot(c, T0)).toMatchObject({ issuedUpTo: 8, prequeueSize: 2, openedRounds: 2 });
    // Opening a later round opens the ones before it first (here none are left).
    await at(d, 0).open(c, 2, 0);
    expect(sorted(await Promise.all(['r2-1', 'r2-2'].map((p, i) => at(d, i).positionOf(c, p))))).toEqual([9, 10]);
  });

  it('serves a pre-queue join for a round already opened (a lagging node) first come, first served', async () => {
    const d = await kind.deploy();
    const c = d.campaignId;
    await joinInOrder(d, c, ['a', 'b'], 1);
    await at(d, 0).open(c, 1, 0);
    expect(await at(d, 1).join(c, 'laggard', T0, 1)).toEqual({ position: 3, created: true });
    expect(await at(d, 2).join(c, 'early-for-2', T0, 2)).toEqual({ position: null, created: true });
    expect(await at(d, 0).snapshot(c, T0)).toMatchObject({ issuedUpTo: 3, prequeueSize: 1, openedRounds: 2 });
    // A place issued in a later round cannot be reinstated by someone else before it exists.
    expect(await at(d, 1).reinstate(c, 'forger', 4, 0)).toBeNull();
    expect(await at(d, 1).reinstate(c, 'early-for-2', 2, 0)).toBeNull();
  });

  it('shuffles a later round uniformly: its places are independent of the join order (chi-square, 200 runs × 20)', async () => {
    const d = await kind.deploy();
    const runs = 200;
    const people = range(0, 19).map((i) => `person-${i}`);
    // Round 1 starts after the 5 places issued before its opening.
    const counts = await shuffleCounts(runs, people, 6, async (c) => {
      await joinInOrder(d, c, ['d1-a', 'd1-b', 'd1-c'], 0);
      await at(d, 1).open(c, 0, 0);
      await joinInOrder(d, c, ['fcfs-a', 'fcfs-b'], null);
      await joinInOrder(d, c, people, 1);
      await at(d, 2).open(c, 1, 0);
      return Promise.all(people.map((person, i) => at(d, i).positionOf(c, person)));
    });
    for (const node of d.nodes) if (isJournalling(node)) node.drainJournal();
    const critical = chiSquareCritical(19 * 19, 3.719); // upper tail 1e-4
    expect(permutationChiSquare(counts, runs)).toBeLessThan(critical);
    expect(counts.every((row) => row.reduce((a, b) => a + b, 0) === runs)).toBe(true);
  });
});
