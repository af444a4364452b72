import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { campaignKeys } from '../src/modules/waiting-room/redis/queue-keys.ts';
import { NetworkError, type Reply } from './support/cluster.ts';
import { redisServerOnPath } from './support/redis.ts';
import { errorOf, NODES, range, report, sleep, useThreeNodes } from './support/three-nodes.ts';

/**
 * Three real server processes over one PostgreSQL database and one Redis of the suite's own
 * (support/three-nodes.ts): no bounce (BRIEF §4.4) — while a node is killed and restarted, and
 * then Redis is (with its data, or wiped and restored from the journal), everyone keeps their
 * place and their admission and books. Runs when DATABASE_URL is set and `redis-server` is on the
 * PATH.
 */

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

describe.skipIf(!process.env.DATABASE_URL || !redisServerOnPath)('three nodes over one PostgreSQL and one Redis', () => {
  const three = useThreeNodes();
  const { admin, firstDate, withRedis, createCampaign, verifyPeople, ledger } = three;

  it.each([
    { id: 'bounce', redisRestart: 'with its data (AOF, appendfsync always)', losesData: false },
    { id: 'bounce-loss', redisRestart: 'without its data, restored from the journal', losesData: true },
  ])('bounces no one when a node is killed and restarted and then Redis is, $redisRestart', async ({ id, losesData }) => {
    const { client, cluster, redis } = three;
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
