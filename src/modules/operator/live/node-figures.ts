import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/**
 * One node's booking path as it tells the others, every second, for the live dashboard's
 * cluster-wide figures: counters since the node started (the reader turns them into rates, a
 * restart being a new `node`) and its latencies over the last 10 s as histogram bucket counts (so
 * the cluster's p99 comes from every call, not from an average of p99s).
 */
export interface NodeFigures {
  /** This process: host, pid and a random part (a restarted node is a new one). */
  node: string;
  /** Server time of the figures (epoch ms). */
  atMs: number;
  /** Bookings committed by this node, per campaign, since it started. */
  bookings: Record<string, number>;
  /** The latest of those per campaign (epoch ms): the probe's campaign says when the probe last booked. */
  lastBookingMs: Record<string, number>;
  /** Server errors on the booking path since it started. */
  serverErrors: number;
  /** Booking-path calls of the last 10 s per latency bucket (`LATENCY_BUCKETS_MS`). */
  latency: number[];
}

/** Upper bounds (ms) of the latency buckets: 1 ms to 60 s, each 25% above the last, then the rest. */
export const LATENCY_BUCKETS_MS: readonly number[] = (() => {
  const bounds: number[] = [];
  for (let b = 1; b < 60_000; b *= 1.25) bounds.push(Math.round(b * 100) / 100);
  return [...bounds, Number.POSITIVE_INFINITY];
})();

/** The bucket of a latency (the first whose bound is at or above it). */
export function bucketOf(latencyMs: number): number {
  let low = 0;
  let high = LATENCY_BUCKETS_MS.length - 1;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (latencyMs <= LATENCY_BUCKETS_MS[mid]!) high = mid;
    else low = mid + 1;
  }
  return low;
}

/** The 99th percentile of bucket counts, as its bucket's upper bound (0 with no calls; the last finite bound past it). */
export function p99OfBuckets(counts: readonly number[]): number {
  const total = counts.reduce((sum, n) => sum + n, 0);
  if (total === 0) return 0;
  const rank = Math.ceil(total * 0.99);
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    seen += counts[i]!;
    if (seen >= rank) return Number.isFinite(LATENCY_BUCKETS_MS[i]!) ? LATENCY_BUCKETS_MS[i]! : LATENCY_BUCKETS_MS[LATENCY_BUCKETS_MS.length - 2]!;
  }
  return 0;
}

/** This process's name among the nodes. */
export const THIS_NODE = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;

/** The cluster's booking path as one frame shows it. */
export interface ClusterFigures {
  nodes: number;
  bookingsPerSecond: number;
  errorsPerSecond: number;
  p99LatencyMs: number;
  /** The latest booking of any of `campaignIds` on any node (epoch ms), or null. */
  lastBookingMs: (campaignIds: readonly string[]) => number | null;
}

interface Seen {
  atMs: number;
  bookings: Record<string, number>;
  serverErrors: number;
}

/**
 * Turns the nodes' figures into cluster-wide rates, frame after frame: each node's counters against
 * its own previous figures (a node seen for the first time counts from the next frame; one gone is
 * forgotten), over at least the frame's nominal second.
 */
export class ClusterRates {
  private readonly previous = new Map<string, Seen>();

  constructor(private readonly minIntervalMs = 1000) {}

  figures(all: readonly NodeFigures[], campaignId: string): ClusterFigures {
    let bookingsPerSecond = 0;
    let errorsPerSecond = 0;
    const latency = new Array<number>(LATENCY_BUCKETS_MS.length).fill(0);
    for (const f of all) {
      const before = this.previous.get(f.node);
      if (before && f.atMs > before.atMs) {
        const seconds = Math.max(f.atMs - before.atMs, this.minIntervalMs) / 1000;
        bookingsPerSecond += Math.max(0, (f.bookings[campaignId] ?? 0) - (before.bookings[campaignId] ?? 0)) / seconds;
        errorsPerSecond += Math.max(0, f.serverErrors - before.serverErrors) / seconds;
      }
      f.latency.forEach((n, i) => (latency[i] = (latency[i] ?? 0) + n));
    }
    return {
      nodes: all.length,
      bookingsPerSecond: Math.round(bookingsPerSecond * 100) / 100,
      errorsPerSecond: Math.round(errorsPerSecond * 100) / 100,
      p99LatencyMs: p99OfBuckets(latency),
      lastBookingMs: (campaignIds) => {
        const times = all.flatMap((f) => campaignIds.map((id) => f.lastBookingMs[id] ?? 0)).filter((t) => t > 0);
        return times.length ? Math.max(...times) : null;
      },
    };
  }

  /** Keeps these figures as the base of the next frame's rates (after every campaign's frame is made). */
  remember(all: readonly NodeFigures[]): void {
    const present = new Set(all.map((f) => f.node));
    for (const node of this.previous.keys()) if (!present.has(node)) this.previous.delete(node);
    for (const f of all) this.previous.set(f.node, { atMs: f.atMs, bookings: { ...f.bookings }, serverErrors: f.serverErrors });
  }
}
