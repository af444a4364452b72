import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bucketOf, ClusterRates, LATENCY_BUCKETS_MS, p99OfBuckets, type NodeFigures } from './node-figures.ts';

const figures = (node: string, atMs: number, booked: number, errors: number, latencies: number[] = [], lastProbeMs?: number): NodeFigures => {
  const latency = new Array<number>(LATENCY_BUCKETS_MS.length).fill(0);
  for (const ms of latencies) latency[bucketOf(ms)] = (latency[bucketOf(ms)] ?? 0) + 1;
  return { node, atMs, bookings: { covid: booked, ...(lastProbeMs ? { probe: 1 } : {}) }, lastBookingMs: lastProbeMs ? { probe: lastProbeMs } : {}, serverErrors: errors, latency };
};

describe("the cluster's booking path from its nodes' figures", () => {
  it('adds every node’s bookings and errors per second since the previous frame; a new or restarted node counts from its second frame', () => {
    const rates = new ClusterRates(1000);
    const first = [figures('a', 0, 10, 1), figures('b', 0, 100, 0)];
    expect(rates.figures(first, 'covid')).toMatchObject({ nodes: 2, bookingsPerSecond: 0, errorsPerSecond: 0 });
    rates.remember(first);
    // a: +4 bookings, +2 errors in 2 s; b restarted (a new name, counters from 0); c appears.
    const second = [figures('a', 2000, 14, 3), figures('b2', 2000, 3, 0), figures('c', 2000, 50, 0)];
    expect(rates.figures(second, 'covid')).toMatchObject({ nodes: 3, bookingsPerSecond: 2, errorsPerSecond: 1 });
    rates.remember(second);
    const third = [figures('a', 3000, 15, 3), figures('b2', 3000, 5, 0), figures('c', 3000, 53, 0)];
    expect(rates.figures(third, 'covid')).toMatchObject({ bookingsPerSecond: 6, errorsPerSecond: 0 });
  });

  it('takes the p99 of every call of every node, within a bucket (25%) of the exact one', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.double({ min: 0.5, max: 30_000, noNaN: true }), { minLength: 1, maxLength: 200 }), { minLength: 1, maxLength: 4 }), (perNode) => {
        const all = perNode.flat().sort((x, y) => x - y);
        const exact = all[Math.ceil(all.length * 0.99) - 1]!;
        const merged = new ClusterRates().figures(perNode.map((l, i) => figures(`n${i}`, 0, 0, 0, l)), 'covid').p99LatencyMs;
        expect(merged).toBeGreaterThanOrEqual(exact);
        expect(merged).toBeLessThanOrEqual(Math.max(1, exact * 1.25) + 0.01);
      }),
    );
    expect(p99OfBuckets(new Array<number>(LATENCY_BUCKETS_MS.length).fill(0))).toBe(0);
  });

  it('says when the probe last booked on any node', () => {
    const rates = new ClusterRates();
    const cluster = rates.figures([figures('a', 0, 0, 0, [], 5_000), figures('b', 0, 0, 0, [], 9_000), figures('c', 0, 0, 0)], 'covid');
    expect(cluster.lastBookingMs(['probe'])).toBe(9_000);
    expect(cluster.lastBookingMs(['other'])).toBeNull();
  });
});
