import { randomBytes } from 'node:crypto';
import { onTestFinished } from 'vitest';
import { connectRedis } from '../../src/infra/redis.ts';
import { MemoryQueueStore } from '../../src/modules/waiting-room/memory-queue-store.ts';
import type { QueueStore } from '../../src/modules/waiting-room/queue-store.ts';
import { RedisQueueStore } from '../../src/modules/waiting-room/redis/redis-queue-store.ts';
import { deleteKeys, randomKeyPrefix, redisUrl } from './redis.ts';

/**
 * One contract, every store: the queue store contract suites run against the in-process store
 * always and against Redis when REDIS_URL is set. A deployment is several stores ("nodes") over
 * one shared state; the in-process store is a single node by nature.
 */
export interface Deployment {
  nodes: QueueStore[];
  campaignId: string;
}

export interface StoreKind {
  name: string;
  deploy(): Promise<Deployment>;
}

export const T0 = Date.parse('2026-08-09T11:00:00Z');
/** How long an admission lasts in the contract suites (ms). */
export const TTL = 10_000;

export const randomCampaignId = () => `c-${randomBytes(6).toString('hex')}`;
export const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
export const sorted = (values: (number | null)[]) => [...values].sort((a, b) => (a ?? 0) - (b ?? 0));

/** The node that serves call `i` (round robin, as a load balancer would). */
export function at(d: Deployment, i: number): QueueStore {
  const node = d.nodes[i % d.nodes.length];
  if (!node) throw new Error('no node');
  return node;
}

const memoryKind: StoreKind = {
  name: 'memory',
  deploy: async () => ({ nodes: [new MemoryQueueStore()], campaignId: randomCampaignId() }),
};

/** Three nodes with a client each over one Redis; each test under its own key prefix, removed after. */
function redisKind(url: string): StoreKind {
  return {
    name: 'redis',
    async deploy() {
      const prefix = randomKeyPrefix();
      const clients = await Promise.all(range(1, 3).map(() => connectRedis(url)));
      const nodes = clients.map((client) => new RedisQueueStore(client, prefix));
      onTestFinished(async () => {
        if (clients[0]) await deleteKeys(clients[0], prefix);
        await Promise.all(nodes.map((node) => node.close()));
      });
      return { nodes, campaignId: randomCampaignId() };
    },
  };
}

/** The stores every contract suite runs on. */
export const storeKinds: StoreKind[] = redisUrl ? [memoryKind, redisKind(redisUrl)] : [memoryKind];

/** Joins `people` one after the other (the join order matters) and returns their results. */
export async function joinInOrder(d: Deployment, campaignId: string, people: string[], prequeueRound: number | null, nowMs = T0) {
  const results = [];
  for (const [i, person] of people.entries()) results.push(await at(d, i).join(campaignId, person, nowMs, prequeueRound));
  return results;
}

/**
 * Pearson's statistic of a k × k table summing `runs` random permutations (counts[joinOrder][place]),
 * against a uniform expectation, scaled to follow the chi-square with (k − 1)² degrees of freedom.
 * Each cell is Binomial(runs, 1/k), so Σ(O − E)²/E has mean k(k − 1), not (k − 1)²: unscaled, the
 * 1e-4 critical value of (k − 1)² degrees of freedom is passed 12 times as often as it should be
 * (20,000 simulated tables of 200 permutations of 20: 1.25e-3 unscaled, 5e-5 scaled by (k − 1)/k).
 */
export function permutationChiSquare(counts: number[][], runs: number): number {
  const k = counts.length;
  const expected = runs / k;
  return (counts.flat().reduce((sum, observed) => sum + (observed - expected) ** 2 / expected, 0) * (k - 1)) / k;
}

/** The chi-square quantile at upper tail `z` standard normal deviations (Wilson–Hilferty). */
export function chiSquareCritical(degreesOfFreedom: number, z: number): number {
  const k = degreesOfFreedom;
  return k * (1 - 2 / (9 * k) + z * Math.sqrt(2 / (9 * k))) ** 3;
}

/**
 * Runs a pre-queue shuffle `runs` times, each in a fresh campaign: `shuffle` joins `people` in
 * order and opens their round, returning the places they got (the round's first place is
 * `firstPlace`). Returns counts[joinOrder][place − firstPlace], for a chi-square test of uniformity.
 */
export async function shuffleCounts(runs: number, people: string[], firstPlace: number, shuffle: (campaignId: string) => Promise<(number | null)[]>): Promise<number[][]> {
  const counts = people.map(() => people.map(() => 0));
  await Promise.all(
    range(1, runs).map(async () => {
      const places = await shuffle(randomCampaignId());
      places.forEach((place, order) => (counts[order]![place! - firstPlace]! += 1));
    }),
  );
  return counts;
}
