import type { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { connectRedis } from '../../src/infra/redis.ts';
import { addDays, seoulDate } from '../../src/lib/seoul-time.ts';
import { Cluster, ClusterClient, mapLimit, type Reply } from './cluster.ts';
import { RedisServerProcess } from './redis.ts';
import { campaignOpenNow } from './fixtures.ts';
import { OPERATOR_KEY } from './test-app.ts';

/**
 * The set-up of the multi-node suites (multi-node*.test.ts): three real server processes
 * (`tsx src/server.ts`) over one PostgreSQL database and one Redis of the suite's own (AOF, fsync
 * always, so it can be killed and restarted), and what the suites do with them — campaigns,
 * verified people, the shared status, the booking ledger. Each suite file starts its own.
 */

export const NODES = 3;
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
export const range = (n: number) => Array.from({ length: n }, (_, i) => i);

export function errorOf(reply: Reply): { code?: string; details?: Record<string, unknown> } {
  return (reply.body as { error?: { code?: string; details?: Record<string, unknown> } } | null)?.error ?? {};
}

export function report(line: string): void {
  console.warn(`[multi-node] ${line}`);
}

/**
 * Starts the three nodes and their Redis before the describe's tests (stopped after them). The
 * processes and the client are getters: they exist once `beforeAll` has run.
 */
export function useThreeNodes() {
  let redis: RedisServerProcess | undefined;
  let cluster: Cluster | undefined;
  let client: ClusterClient;
  let db: pg.Pool;
  const admin = { token: OPERATOR_KEY };
  const firstDate = addDays(seoulDate(new Date()), 2);
  const secondDate = addDays(firstDate, 21);

  beforeAll(async () => {
    const started = performance.now();
    redis = await RedisServerProcess.start();
    // Whatever happens to this worker, its redis-server goes with it (the nodes do: cluster.ts).
    process.once('exit', () => void redis?.kill());
    cluster = await Cluster.start({ nodes: NODES, databaseBaseUrl: process.env.DATABASE_URL!, redisUrl: redis.url });
    client = new ClusterClient(cluster);
    db = new pg.Pool({ connectionString: cluster.databaseUrl, max: 2 });
    report(`cluster of ${NODES} nodes ready in ${Math.round(performance.now() - started)} ms`);
  }, 90_000);

  afterAll(async () => {
    await client?.close().catch(() => {});
    await db?.end().catch(() => {});
    await cluster?.stop();
    await redis?.dispose();
  }, 60_000);

  /** Direct reads of the suite's own Redis, to check what the nodes wrote there. */
  async function withRedis<T>(work: (r: Redis) => Promise<T>): Promise<T> {
    const r = await connectRedis(redis!.url);
    try {
      return await work(r);
    } finally {
      r.disconnect();
    }
  }

  /**
   * A campaign open now (window from yesterday to in 60 days, 2 doses 21 days apart) with
   * `institutions × times` half-hour slots of `doses` each on both dose dates.
   */
  async function createCampaign(id: string, admission: { ratePerSecond: number; maxActive: number }, slots: { institutions: number; times: number; doses: number }) {
    await client.ok(0, 'POST', '/api/v1/admin/campaigns', { ...admin, body: campaignOpenNow(id, `multi-node ${id}`, admission) });
    const institutions = range(slots.institutions).map((i) => `${id.toUpperCase()}${i}`);
    const times = range(slots.times).map((i) => `${String(9 + Math.floor(i / 2)).padStart(2, '0')}:${i % 2 ? '30' : '00'}`);
    await client.ok(1, 'POST', '/api/v1/admin/institutions', {
      ...admin,
      body: institutions.map((iid, i) => ({ id: iid, name: `${iid} 내과의원`, address: `서울특별시 중구 세종대로 ${i + 1}`, sido: '서울특별시', sigungu: '중구', lat: 37.56 + i * 0.001, lng: 126.97 + i * 0.001 })),
    });
    const rows = institutions.flatMap((institutionId) => [firstDate, secondDate].flatMap((date) => times.map((time) => ({ institutionId, date, time, doses: slots.doses }))));
    await client.ok(2, 'POST', `/api/v1/admin/campaigns/${id}/capacity`, { ...admin, body: rows });
    return { institutions, times };
  }

  /** Verifies `count` distinct people through the development provider, round-robin over the nodes. */
  async function verifyPeople(tag: number, count: number): Promise<string[]> {
    return mapLimit(range(count), 24, async (i) => {
      const body = { name: `시민${tag}-${i}`, birthDate: `19${50 + (i % 50)}-0${1 + (i % 9)}-${10 + (i % 19)}`, phone: `010-${1000 + tag}-${String(i).padStart(4, '0')}` };
      return (await client.ok<{ session: string }>(i % NODES, 'POST', '/api/v1/identity/dev', { body })).session;
    });
  }

  async function status(node: number, campaignId: string) {
    return client.ok<{ state: string; servingUpTo: number; issuedUpTo: number }>(node, 'GET', `/api/v1/campaigns/${campaignId}/queue`);
  }

  /** Waits until every node shows the paused queue with one servingUpTo (snapshots refresh every 250 ms). */
  async function frozenServingUpTo(campaignId: string): Promise<number> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const all = await Promise.all(range(NODES).map((n) => status(n, campaignId)));
      if (all.every((s) => s.state === 'paused' && s.servingUpTo === all[0]!.servingUpTo)) return all[0]!.servingUpTo;
      if (Date.now() > deadline) throw new Error(`nodes did not agree on a paused queue: ${JSON.stringify(all)}`);
      await sleep(50);
    }
  }

  async function ledger(campaignId: string) {
    const { rows } = await db.query<{ bookings: number; persons: number; over: number; mismatched: number; doses: number }>(
      `SELECT
         (SELECT count(*)::int FROM bookings WHERE campaign_id = $1 AND status = 'booked') AS bookings,
         (SELECT count(DISTINCT person_key)::int FROM bookings WHERE campaign_id = $1 AND status = 'booked') AS persons,
         (SELECT count(*)::int FROM capacity_slots WHERE campaign_id = $1 AND booked > capacity) AS over,
         (SELECT count(*)::int FROM capacity_slots s WHERE s.campaign_id = $1 AND s.booked <> (
            SELECT count(*) FROM booking_doses bd JOIN bookings b ON b.id = bd.booking_id
            WHERE b.status = 'booked' AND b.campaign_id = s.campaign_id AND bd.institution_id = s.institution_id AND bd.date = s.date AND bd.minute = s.minute)) AS mismatched,
         (SELECT coalesce(sum(booked), 0)::int FROM capacity_slots WHERE campaign_id = $1) AS doses`,
      [campaignId],
    );
    return rows[0]!;
  }

  return {
    get redis() {
      return redis;
    },
    get cluster() {
      return cluster;
    },
    get client() {
      return client;
    },
    admin,
    firstDate,
    secondDate,
    withRedis,
    createCampaign,
    verifyPeople,
    status,
    frozenServingUpTo,
    ledger,
  };
}
