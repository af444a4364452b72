import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { campaignKeys } from '../src/modules/waiting-room/redis/queue-keys.ts';
import { mapLimit } from './support/cluster.ts';
import { redisServerOnPath } from './support/redis.ts';
import { errorOf, NODES, range, report, sleep, useThreeNodes } from './support/three-nodes.ts';

/**
 * Three real server processes (`tsx src/server.ts`) over one PostgreSQL database and one Redis of
 * the suite's own (support/three-nodes.ts): the waiting room's promises across nodes (BRIEF
 * §4.2–4.4) — fair order, and one place per person whatever the device or node. No bounce when a
 * node or Redis dies: multi-node-no-bounce.test.ts. Runs when DATABASE_URL is set and
 * `redis-server` is on the PATH.
 */

/** Pairs (i < j) with values[i] > values[j]: 0 when the values follow the order of the array. */
function inversions(values: readonly number[]): number {
  let count = 0;
  for (let i = 0; i < values.length; i++) for (let j = i + 1; j < values.length; j++) if (values[i]! > values[j]!) count++;
  return count;
}

describe.skipIf(!process.env.DATABASE_URL || !redisServerOnPath)('three nodes over one PostgreSQL and one Redis', () => {
  const three = useThreeNodes();
  const { admin, firstDate, withRedis, createCampaign, verifyPeople, status, frozenServingUpTo, ledger } = three;

  it('admits 2,000 people in the order they joined, whichever node they join, poll or book on', async () => {
    const { client } = three;
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
    const { client } = three;
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
});
