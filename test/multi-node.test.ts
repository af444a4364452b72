import { decodeJwt } from 'jose';
import type { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis } from '../src/infra/redis.ts';
import { addDays, seoulDate } from '../src/modules/campaigns/domain/seoul-time.ts';
import { campaignKeys } from '../src/modules/waiting-room/redis/queue-keys.ts';
import { Cluster, ClusterClient, mapLimit, NetworkError, type Reply } from './support/cluster.ts';
import { redisServerOnPath, RedisServerProcess } from './support/redis.ts';
import { campaignOpenNow } from './support/fixtures.ts';
import { OPERATOR_KEY } from './support/test-app.ts';

/**
 * Three real server processes (`tsx src/server.ts`) over one PostgreSQL database and one Redis of
 * the suite's own (AOF, fsync always, so it can be killed and restarted): the waiting room's
 * promises across nodes (BRIEF §4.2–4.4) — fair order, one place per person whatever the device
 * or node, and no bounce when a node or Redis dies. Runs when DATABASE_URL is set and
 * `redis-server` is on the PATH.
 */

const NODES = 3;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Pairs (i < j) with values[i] > values[j]: 0 when the values follow the order of the array. */
function inversions(values: readonly number[]): number {
  let count = 0;
  for (let i = 0; i < values.length; i++) for (let j = i + 1; j < values.length; j++) if (values[i]! > values[j]!) count++;
  return count;
}

function errorOf(reply: Reply): { code?: string; details?: Record<string, unknown> } {
  return (reply.body as { error?: { code?: string; details?: Record<string, unknown> } } | null)?.error ?? {};
}

/** One person of the no-bounce run and what happened to them. */
interface Waiter {
  i: number;
  session: string;
  ticket: string;
  position: number;
  personKey: string;
  admission: string | null;
  aid: unknown;
  booked: boolean;
  /** Their place was checked again after the disruptions. */
  checked: boolean;
}

function report(line: string): void {
  console.warn(`[multi-node] ${line}`);
}

describe.skipIf(!process.env.DATABASE_URL || !redisServerOnPath)('three nodes over one PostgreSQL and one Redis', () => {
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

  it('admits 2,000 people in the order they joined, whichever node they join, poll or book on', async () => {
    const id = 'fair';
    const PEOPLE = 2000;
    const RATE = 200;
    const WAVE_MS = 1000;
    const JOIN_WAVE = 10;
    const t0 = performance.now();
    const waitedOutBefore = client.waitedOut;
    // 4 clinics × 10 half-hours × 50 doses: exactly one dose 1 (and one dose 2) for each person.
    const { institutions, times } = await createCampaign(id, { ratePerSecond: RATE, maxActive: 100_000 }, { institutions: 4, times: 10, doses: 50 });
    // Paused while people join, so the order of admission is measured from the first place on.
    await client.ok(0, 'POST', `/api/v1/admin/campaigns/${id}/queue/pause`, admin);
    const sessions = await verifyPeople(1, PEOPLE);
    const tVerified = performance.now();

    // Ordered waves of joins: persons 10w … 10w+9 join at the same moment, person i on node
    // A = i mod 3, and wave w+1 starts when wave w has its answers. Wave w must hold exactly the
    // places 10w+1 … 10w+10: no gap, no duplicate, nobody overtaking an earlier wave.
    const tickets: { ticket: string; position: number }[] = [];
    for (let w = 0; w < PEOPLE / JOIN_WAVE; w++) {
      const wave = range(JOIN_WAVE).map((k) => w * JOIN_WAVE + k);
      const replies = await Promise.all(wave.map((i) => client.patiently(i % NODES, 'POST', `/api/v1/campaigns/${id}/queue/tickets`, { token: sessions[i] })));
      for (const [k, reply] of replies.entries()) {
        expect(reply.status, JSON.stringify(reply.body)).toBe(201);
        tickets[wave[k]!] = reply.body as { ticket: string; position: number };
      }
      expect(wave.map((i) => tickets[i]!.position).sort((a, b) => a - b)).toEqual(wave.map((i) => i + 1));
    }
    const tJoined = performance.now();
    // Listed in join order (ties inside a wave broken by place), the places are exactly 1 … 2000.
    const joinOrder = range(PEOPLE).sort((a, b) => Math.floor(a / JOIN_WAVE) - Math.floor(b / JOIN_WAVE) || tickets[a]!.position - tickets[b]!.position);
    expect(joinOrder.map((i) => tickets[i]!.position)).toEqual(range(PEOPLE).map((i) => i + 1));

    // Ordered waves: the queue runs at RATE for about WAVE_MS, is paused, and once every node shows
    // the same servingUpTo S each person still waiting asks for admission on node B = A + 1.
    // Exactly the places up to S must be admitted; everyone else gets 425 with `ahead` = place − S.
    const admittedAt = new Array<number>(PEOPLE).fill(-1);
    const wrongAnswers: string[] = [];
    const bookings: Promise<void>[] = [];
    const bookingFailures: string[] = [];
    const waves: { servingUpTo: number; advance: number; minMs: number; maxMs: number; polls: number }[] = [];
    let waiting = range(PEOPLE);
    let served = 0;
    const book = async (i: number, admission: string) => {
      // Books on node C = A + 2: ticket from A, admission from B, booking on C.
      const reply = await client.patiently((i + 2) % NODES, 'POST', `/api/v1/campaigns/${id}/bookings`, {
        token: admission,
        headers: { 'idempotency-key': `fair-${i}` },
        body: { institutionId: institutions[i % 4], date: firstDate, time: times[Math.floor(i / 4) % 10] },
      });
      if (reply.status !== 201) bookingFailures.push(`person ${i}: ${reply.status} ${JSON.stringify(reply.body)}`);
    };
    while (waiting.length > 0) {
      if (waves.length >= 40) throw new Error(`queue stalled at ${served} after ${waves.length} waves`);
      // The queue runs between the resume and the pause taking effect: at least from the resume's
      // answer to the pause's request, at most from the resume's request to the pause's answer.
      const resumeSent = performance.now();
      await client.ok(waves.length % NODES, 'POST', `/api/v1/admin/campaigns/${id}/queue/resume`, admin);
      const resumed = performance.now();
      await sleep(WAVE_MS);
      const pauseSent = performance.now();
      await client.ok((waves.length + 1) % NODES, 'POST', `/api/v1/admin/campaigns/${id}/queue/pause`, admin);
      const timing = { minMs: pauseSent - resumed, maxMs: performance.now() - resumeSent };
      const S = await frozenServingUpTo(id);
      const answers = await mapLimit(waiting, 48, async (i) => ({ i, reply: await client.patiently((i + 1) % NODES, 'POST', `/api/v1/campaigns/${id}/admissions`, { token: tickets[i]!.ticket }) }));
      const still: number[] = [];
      for (const { i, reply } of answers) {
        const place = tickets[i]!.position;
        if (reply.status === 201) {
          admittedAt[i] = S;
          if (place > S) wrongAnswers.push(`place ${place} admitted at servingUpTo ${S}`);
          bookings.push(book(i, (reply.body as { admission: string }).admission));
        } else if (reply.status === 425) {
          still.push(i);
          const ahead = errorOf(reply).details?.ahead;
          if (place <= S || ahead !== place - S) wrongAnswers.push(`place ${place} refused at servingUpTo ${S} with ahead ${String(ahead)}`);
        } else {
          wrongAnswers.push(`place ${place}: ${reply.status} ${JSON.stringify(reply.body)}`);
          still.push(i);
        }
      }
      waves.push({ servingUpTo: S, advance: S - served, ...timing, polls: waiting.length });
      served = S;
      waiting = still;
    }
    await Promise.all(bookings);
    const tDone = performance.now();

    expect(wrongAnswers).toEqual([]);
    // Admission order follows join order: the servingUpTo at which each person was first admitted,
    // listed in join order, never goes down (zero inversions).
    expect(admittedAt.filter((s) => s < 0)).toEqual([]);
    expect(inversions(joinOrder.map((i) => admittedAt[i]!))).toBe(0);
    // Three nodes ticking every 250 ms advance the queue at the rate, not three times it: no wave
    // moves further than RATE × its longest possible running time, plus 0.5 s because the first
    // tick after a resume counts from the last tick before it.
    const advanced = waves.reduce((sum, w) => sum + w.advance, 0);
    const runningAtLeast = waves.reduce((sum, w) => sum + w.minMs / 1000, 0);
    const runningAtMost = waves.reduce((sum, w) => sum + w.maxMs / 1000, 0);
    expect(advanced).toBe(PEOPLE);
    expect(waves.filter((w) => w.advance > RATE * (w.maxMs / 1000 + 0.5) + 1)).toEqual([]);

    expect(bookingFailures).toEqual([]);
    // Nothing fails here: three nodes on their default shedding settings never had to refuse anyone.
    expect(client.waitedOut - waitedOutBefore).toBe(0);
    const books = await ledger(id);
    expect(books).toEqual({ bookings: PEOPLE, persons: PEOPLE, over: 0, mismatched: 0, doses: 2 * PEOPLE });
    report(
      `fairness: ${PEOPLE} people verified in ${Math.round(tVerified - t0)} ms, joined in ${PEOPLE / JOIN_WAVE} waves of ${JOIN_WAVE} in ${Math.round(tJoined - tVerified)} ms, ` +
        `admitted in ${waves.length} waves (${waves.reduce((s, w) => s + w.polls, 0)} admission polls; ` +
        `${(advanced / runningAtMost).toFixed(0)}–${(advanced / runningAtLeast).toFixed(0)} places/s while running), ` +
        `admitted and booked in ${Math.round(tDone - tJoined)} ms; ${client.waitedOut - waitedOutBefore} deliberate 503s waited out`,
    );
  }, 150_000);

  it('gives one person one place whatever the number of devices and nodes they join from at once', async () => {
    const id = 'devices';
    const PEOPLE = 40;
    await createCampaign(id, { ratePerSecond: 100_000, maxActive: 100_000 }, { institutions: 1, times: 2, doses: 50 });
    // Each person signs in three times (three devices), once on each node.
    const devices = await mapLimit(range(PEOPLE), 8, async (i) => {
      const body = { name: `기기${i}`, birthDate: '1968-03-21', phone: `010-2000-${String(i).padStart(4, '0')}` };
      return Promise.all(range(NODES).map(async (n) => (await client.ok<{ session: string }>(n, 'POST', '/api/v1/identity/dev', { body })).session));
    });
    // Everyone joins from all three devices at the same time, each device on another node.
    const joins = await Promise.all(
      devices.map((sessions) => Promise.all(sessions.map((session, n) => client.patiently(n, 'POST', `/api/v1/campaigns/${id}/queue/tickets`, { token: session })))),
    );
    const places: number[] = [];
    for (const replies of joins) {
      const bodies = replies.map((r) => r.body as { ticket: string; position: number });
      expect(replies.map((r) => r.status).sort()).toEqual([200, 200, 201]);
      expect(new Set(bodies.map((b) => b.position)).size).toBe(1);
      expect(new Set(bodies.map((b) => decodeJwt(b.ticket).sub)).size).toBe(1);
      places.push(bodies[0]!.position);
    }
    expect([...places].sort((a, b) => a - b)).toEqual(range(PEOPLE).map((i) => i + 1));
    // Every node's shared status counts each person once (and, at this rate, has reached them all).
    const deadline = Date.now() + 10_000;
    while ((await Promise.all(range(NODES).map((n) => status(n, id)))).some((s) => s.issuedUpTo !== PEOPLE || s.servingUpTo !== PEOPLE)) {
      if (Date.now() > deadline) throw new Error(`the nodes do not all show ${PEOPLE} places issued and served`);
      await sleep(50);
    }
    // Every device's ticket, asked on every node, shows the same place; all three get admitted,
    // to one and the same admission (one place in line, one slot under the cap).
    for (const [p, replies] of joins.entries()) {
      const tickets = replies.map((r) => (r.body as { ticket: string }).ticket);
      for (const [d, ticket] of tickets.entries()) {
        const me = await client.ok<{ position: number }>((d + 1) % NODES, 'GET', `/api/v1/campaigns/${id}/queue/tickets/me`, { token: ticket });
        expect(me.position).toBe(places[p]);
      }
      const admissions = await Promise.all(tickets.map((ticket, d) => client.ok<{ admission: string }>((d + 2) % NODES, 'POST', `/api/v1/campaigns/${id}/admissions`, { token: ticket })));
      expect(new Set(admissions.map((a) => decodeJwt(a.admission).aid)).size).toBe(1);
    }
    const { issued, active } = await withRedis(async (r) => {
      const keys = campaignKeys('yeyak:', id);
      return { issued: Number(await r.hget(keys.state, 'issued')), active: await r.zcard(keys.active) };
    });
    expect({ issued, active }).toEqual({ issued: PEOPLE, active: PEOPLE });
  }, 60_000);

  it.each([
    { id: 'bounce', redisRestart: 'with its data (AOF, appendfsync always)', losesData: false },
    { id: 'bounce-loss', redisRestart: 'without its data, restored from the journal', losesData: true },
  ])('bounces no one when a node is killed and restarted and then Redis is, $redisRestart', async ({ id, losesData }) => {
    const PEOPLE = 300;
    const RATE = 20;
    const t0 = performance.now();
    // 3 clinics × 10 half-hours × 10 doses: exactly one slot for each person.
    const { institutions, times } = await createCampaign(id, { ratePerSecond: RATE, maxActive: 100_000 }, { institutions: 3, times: 10, doses: 10 });
    await client.ok(0, 'POST', `/api/v1/admin/campaigns/${id}/queue/pause`, admin);
    const sessions = await verifyPeople(3, PEOPLE);
    const people: Waiter[] = [];
    for (const i of range(PEOPLE)) {
      const joined = await client.ok<{ ticket: string; position: number }>(i % NODES, 'POST', `/api/v1/campaigns/${id}/queue/tickets`, { token: sessions[i] });
      people.push({ i, session: sessions[i]!, ...joined, personKey: decodeJwt(joined.ticket).sub!, admission: null, aid: null, booked: false, checked: false });
    }
    expect(people.map((p) => p.position)).toEqual(range(PEOPLE).map((i) => i + 1));

    // Every answer is tallied: 2xx and 425 are expected, 503 is the deliberate refusal while Redis
    // is away (with Retry-After), anything else is a failure. No answer at all (the node is dead)
    // is retried on the next node, as a load balancer would.
    const tally = { ok: 0, notYet: 0, unavailable: 0, networkErrors: 0 };
    let tStart = performance.now();
    const unavailable = new Map<string, number>();
    const failures: string[] = [];
    const networkErrors: { node: number; at: number }[] = [];
    let nodeDown: { from: number; to: number } = { from: Infinity, to: Infinity };
    const call = async (prefer: number, method: 'GET' | 'POST', path: string, options: { token: string; body?: unknown; headers?: Record<string, string> }): Promise<Reply> => {
      for (let attempt = 0; ; attempt++) {
        const node = (prefer + attempt) % NODES;
        try {
          const reply = await client.send(node, method, path, options);
          if (reply.status < 300) tally.ok++;
          else if (reply.status === 425) tally.notYet++;
          else if (reply.status === 503 && Number(reply.headers['retry-after']) >= 1) {
            tally.unavailable++;
            const what = `${method} …/${path.split('/').pop()} ${errorOf(reply).code} node ${node} +${Math.round((performance.now() - tStart) / 1000)}s`;
            unavailable.set(what, (unavailable.get(what) ?? 0) + 1);
          } else failures.push(`${method} ${path} on node ${node}: ${reply.status} ${JSON.stringify(reply.body)}`);
          return reply;
        } catch (error) {
          if (!(error instanceof NetworkError) || attempt > 20) throw error;
          tally.networkErrors++;
          networkErrors.push({ node, at: performance.now() });
          await sleep(50);
        }
      }
    };
    const pause = (reply: Reply) => sleep(Math.min(1, Number(reply.headers['retry-after'] ?? 1)) * (500 + Math.random() * 500));
    /** `call`, with deliberate 503s waited out (a check must get a real answer). */
    const answer = async (prefer: number, method: 'GET' | 'POST', path: string, options: { token: string }): Promise<Reply> => {
      for (let attempt = 0; ; attempt++) {
        const reply = await call(prefer, method, path, options);
        if (reply.status !== 503 || attempt >= 30) return reply;
        await pause(reply);
      }
    };

    let disruptionsOver!: () => void;
    const afterDisruptions = new Promise<void>((resolve) => (disruptionsOver = resolve));
    let over = false;
    void afterDisruptions.then(() => (over = true));
    /** Once both disruptions are over: the place is still the person's, in the store and on the ticket. */
    const checkPlace = async (p: Waiter) => {
      p.checked = true;
      const rejoined = await answer(p.i % NODES, 'POST', `/api/v1/campaigns/${id}/queue/tickets`, { token: p.session });
      if (rejoined.status !== 200 || (rejoined.body as { position: number }).position !== p.position) failures.push(`place ${p.position} rejoined: ${rejoined.status} ${JSON.stringify(rejoined.body)}`);
      const me = await answer((p.i + 1) % NODES, 'GET', `/api/v1/campaigns/${id}/queue/tickets/me`, { token: p.ticket });
      if ((me.body as { position: number }).position !== p.position) failures.push(`place ${p.position} tickets/me: ${JSON.stringify(me.body)}`);
    };
    // Places 2, 4, … 40 are mid-booking through both disruptions: admitted before, booking after.
    const holds = (p: Waiter) => p.position <= 40 && p.position % 2 === 0;

    const citizen = async (p: Waiter): Promise<void> => {
      const deadline = performance.now() + 90_000;
      while (!p.admission) {
        if (performance.now() > deadline) return void failures.push(`place ${p.position} never admitted`);
        if (over && !p.checked) await checkPlace(p);
        const reply = await call((p.i + 1) % NODES, 'POST', `/api/v1/campaigns/${id}/admissions`, { token: p.ticket });
        if (reply.status === 201) {
          p.admission = (reply.body as { admission: string }).admission;
          p.aid = decodeJwt(p.admission).aid;
        } else if (reply.status === 425 || reply.status === 503) await pause(reply);
        else return;
      }
      await (holds(p) ? afterDisruptions : sleep(100 + Math.random() * 700));
      if (over && !p.checked) await checkPlace(p);
      if (holds(p)) {
        // The admission record survived Redis' restart too: asking again returns the same one.
        const again = await answer((p.i + 1) % NODES, 'POST', `/api/v1/campaigns/${id}/admissions`, { token: p.ticket });
        // After a loss, an admission whose journal entry died with the killed node comes back as a
        // new one; the person's first admission still books (tokens are verified locally).
        const sameAdmission = again.status === 201 && (losesData || decodeJwt((again.body as { admission: string }).admission).aid === p.aid);
        if (!sameAdmission) failures.push(`place ${p.position} lost its admission: ${again.status}`);
      }
      for (;;) {
        if (performance.now() > deadline) return void failures.push(`place ${p.position} never booked`);
        const reply = await call((p.i + 2) % NODES, 'POST', `/api/v1/campaigns/${id}/bookings`, {
          token: p.admission,
          headers: { 'idempotency-key': `${id}-${p.i}` },
          body: { institutionId: institutions[p.i % 3], date: firstDate, time: times[Math.floor(p.i / 3) % 10] },
        });
        if (reply.status === 201) return void (p.booked = true);
        if (reply.status !== 503) return;
        await pause(reply);
      }
    };

    await client.ok(1, 'POST', `/api/v1/admin/campaigns/${id}/queue/resume`, admin);
    tStart = performance.now();
    const crowd = Promise.all(people.map(citizen));
    crowd.catch(() => {}); // awaited below; if the test fails first, its end is not a second error
    // Wait until the held people are admitted and others have booked, with most still waiting.
    while (people.filter((p) => p.admission && holds(p)).length < 20 || people.filter((p) => p.booked).length < 10) {
      if (performance.now() - tStart > 30_000) {
        const boards = await Promise.all([0, 1, 2].map((n) => client.send(n, 'GET', `/api/v1/campaigns/${id}/queue`, { token: '' }).then((r) => JSON.stringify(r.body))));
        throw new Error(`the first people were not admitted within 30 s: ${boards.join(' | ')}; ${JSON.stringify(tally)} ${failures.slice(0, 5).join('; ')}`);
      }
      await sleep(50);
    }
    const before = { waiting: people.filter((p) => !p.admission).length, midBooking: people.filter((p) => p.admission && !p.booked).length, booked: people.filter((p) => p.booked).length };
    expect(before.waiting).toBeGreaterThan(100);

    const node = cluster!.nodes[1]!;
    const tKill = performance.now();
    await node.kill('SIGKILL');
    nodeDown = { from: tKill, to: Infinity };
    await node.start();
    nodeDown = { from: tKill, to: performance.now() };
    const tNodeBack = performance.now();
    await sleep(500);

    const keys = campaignKeys('yeyak:', id);
    const servingBefore = await withRedis(async (r) => Number(await r.hget(keys.state, 'servingUpTo')));
    const tRedisKill = performance.now();
    await redis!.kill('SIGKILL');
    if (losesData) redis!.wipe();
    await sleep(1_000);
    await redis!.start();
    await cluster!.allReady();
    // After a loss, the nodes' next ticks restore the campaign from the journal in PostgreSQL.
    while (losesData && !(await withRedis((r) => r.hexists(keys.state, 'initializedAtMs')))) await sleep(50);
    const tRedisBack = performance.now();
    const stored = await withRedis(async (r) => ({ serving: Number(await r.hget(keys.state, 'servingUpTo')), places: await r.hgetall(keys.places) }));
    const waitingAfter = people.filter((p) => !p.admission || holds(p));
    disruptionsOver();

    await crowd;
    const tDone = performance.now();
    // Nothing the queue had acknowledged was lost: the queue did not move back, every place is there.
    expect(stored.serving).toBeGreaterThanOrEqual(servingBefore);
    expect(people.map((p) => Number(stored.places[p.personKey]))).toEqual(people.map((p) => p.position));
    expect(failures).toEqual([]);
    expect(people.filter((p) => !p.booked).map((p) => p.position)).toEqual([]);
    // Everyone still waiting when the disruptions ended, and everyone held mid-booking, was re-checked.
    expect(waitingAfter.filter((p) => !p.checked).map((p) => p.position)).toEqual([]);
    // Only the killed node ever failed to answer, and only while it was down.
    expect(networkErrors.filter((e) => e.node !== 1 || e.at < nodeDown.from || e.at > nodeDown.to + 1_000)).toEqual([]);
    const books = await ledger(id);
    expect(books).toEqual({ bookings: PEOPLE, persons: PEOPLE, over: 0, mismatched: 0, doses: 2 * PEOPLE });
    report(
      `no bounce: ${PEOPLE} people (${before.waiting} waiting, ${before.midBooking} admitted and mid-booking, ${before.booked} booked at the kill); ` +
        `node 1 killed at +${Math.round(tKill - tStart)} ms and ready again after ${Math.round(tNodeBack - tKill)} ms; ` +
        `Redis killed${losesData ? ' and wiped' : ''} at +${Math.round(tRedisKill - tStart)} ms, every node ready again after ${Math.round(tRedisBack - tRedisKill)} ms; ` +
        `all booked at +${Math.round(tDone - tStart)} ms (scenario ${Math.round(tDone - t0)} ms); answers: ${tally.ok} 2xx, ${tally.notYet} 425, ` +
        `${tally.unavailable} deliberate 503 (${[...unavailable].map(([what, n]) => `${n} ${what}`).join(', ')}), ${tally.networkErrors} without answer (node 1 down); ` +
        `${people.filter((p) => p.checked).length} places re-checked after the disruptions`,
    );
  }, 150_000);
});
