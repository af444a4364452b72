import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok, openCampaign, operator, person, rotationWindows } from './support/fixtures.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

/**
 * A pre-queue for every opening of a 10-day rotation (BRIEF §4 promise 4 on every day): each
 * day's cohort may wait from an hour before its 20:00 Seoul opening, is shuffled at the opening
 * and placed after everyone already in line; from 20:00 on, first come, first served.
 */
let t: TestApp;
// Window k opens 2026-08-(8+k) 20:00 Seoul for birth days ending in (k + 8) mod 10; the queue opens 19:00 on day 1.
const C = 'rot';
const base = `/api/v1/campaigns/${C}`;
const DAY1 = '1970-05-19'; // window r1, 08-09 20:00
const DAY2 = '1970-05-20'; // window r2, 08-10 20:00
const DAY3 = '1970-05-11'; // window r3, 08-11 20:00
// A second rotation from 08-21 whose pre-queues open 21 hours ahead: across Seoul's midnight.
const M = 'rot-midnight';
const DAY10 = '1970-05-28'; // window r10 of M, 08-30 20:00 Seoul; its pre-queue from 08-29 23:00

function join(who: Record<string, string>, campaign = C) {
  return t.app.inject({ method: 'POST', url: `/api/v1/campaigns/${campaign}/queue/tickets`, headers: who });
}

async function at(instant: string) {
  t.clock.set(instant);
  await t.ctx.waitingRoom.refresh();
}

const me = async (ticket: string) => ok(t.app, 'GET', `${base}/queue/tickets/me`, undefined, { authorization: `Bearer ${ticket}` });
/** The shared status document after a refresh (it is refreshed every 250 ms in the process). */
async function status(campaign = C) {
  await t.ctx.waitingRoom.refresh();
  return ok(t.app, 'GET', `/api/v1/campaigns/${campaign}/queue`);
}

beforeAll(async () => {
  t = await startTestApp({ now: '2026-08-09T09:00:00Z' });
  await ok(t.app, 'POST', '/api/v1/admin/campaigns', openCampaign(C, { windows: rotationWindows(9) }), operator);
  await ok(t.app, 'POST', '/api/v1/admin/campaigns', openCampaign(M, { queueOpensAt: '2026-08-20T23:00:00+09:00', windows: rotationWindows(21) }), operator);
  await t.ctx.waitingRoom.refresh();
});
afterAll(() => t.close());

describe('a pre-queue for every opening of a rotation', () => {
  const day1Places: number[] = [];

  it('day 1: the first cohort’s pre-queue is shuffled at 20:00, then first come, first served', async () => {
    await at('2026-08-09T19:30:00+09:00');
    const tickets = [];
    for (let i = 0; i < 4; i++) {
      const res = await join(await person(t.app, DAY1));
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({ position: null, state: 'prequeue' });
      tickets.push(res.json().ticket as string);
    }
    const tooEarly = await join(await person(t.app, DAY2));
    expect(tooEarly.statusCode).toBe(403);
    expect(tooEarly.json().error.details).toEqual({ reason: 'NOT_YOUR_WINDOW', window: { id: 'r2', opensAt: '2026-08-10T20:00:00+09:00', closesAt: '2026-08-11T18:00:00+09:00' } });
    await at('2026-08-09T20:00:00+09:00');
    for (const ticket of tickets) day1Places.push((await me(ticket)).position);
    expect([...day1Places].sort()).toEqual([1, 2, 3, 4]);
    for (let i = 0; i < 3; i++) day1Places.push((await join(await person(t.app, DAY1))).json().position);
    expect(day1Places.slice(4)).toEqual([5, 6, 7]);
    expect(await status()).toMatchObject({ state: 'open', issuedUpTo: 7, prequeueSize: 0, nextOpensAt: '2026-08-10T20:00:00+09:00' });
  });

  it('day 2: the cohort waits from 19:00 while the queue is open; a day-3 person is refused with their window', async () => {
    await at('2026-08-10T18:59:59.999+09:00');
    const early = await join(await person(t.app, DAY2));
    expect(early.statusCode).toBe(403);
    expect(early.json().error.details.reason).toBe('NOT_YOUR_WINDOW');
    await at('2026-08-10T19:00:00+09:00');
    const first = await join(await person(t.app, DAY2));
    expect(first.json()).toMatchObject({ position: null, state: 'prequeue' });

    await at('2026-08-10T19:59:59+09:00');
    const body = { name: '이튿날', birthDate: DAY2, phone: '010-5200-0001' };
    const devices = [];
    for (let i = 0; i < 2; i++) devices.push({ authorization: `Bearer ${(await ok(t.app, 'POST', '/api/v1/identity/dev', body)).session}` });
    const joined = await join(devices[0]!);
    expect(joined.statusCode).toBe(201);
    expect(joined.json()).toMatchObject({ position: null, state: 'prequeue' });
    // Another device of the same person: the same (pending) place, shown as the pre-queue.
    const again = await join(devices[1]!);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ position: null, state: 'prequeue' });
    expect(await me(joined.json().ticket)).toMatchObject({ position: null, ahead: null, admitted: false, state: 'prequeue' });
    const more = [];
    for (let i = 0; i < 4; i++) more.push((await join(await person(t.app, DAY2))).json().ticket as string);
    // The queue is open for day 1 and says when the next round is drawn.
    expect(await status()).toMatchObject({ state: 'open', opensAt: '2026-08-09T20:00:00+09:00', nextOpensAt: '2026-08-10T20:00:00+09:00', issuedUpTo: 7, prequeueSize: 6 });
    const day3 = await join(await person(t.app, DAY3));
    expect(day3.statusCode).toBe(403);
    expect(day3.json().error).toMatchObject({ code: 'YEYAK_ERR_NOT_ELIGIBLE', details: { reason: 'NOT_YOUR_WINDOW', window: { id: 'r3', opensAt: '2026-08-11T20:00:00+09:00' } } });

    // 20:00:00.000 exactly: a first-come join before any refresh performs the opening first.
    t.clock.set('2026-08-10T20:00:00+09:00');
    const atOpening = await join(await person(t.app, DAY2));
    expect(atOpening.json()).toMatchObject({ position: 7 + 6 + 1, state: 'open' });
    await t.ctx.waitingRoom.refresh();
    const drawn = [];
    for (const ticket of [first.json().ticket, joined.json().ticket, ...more]) drawn.push((await me(ticket)).position as number);
    expect([...drawn].sort((a, b) => a - b)).toEqual([8, 9, 10, 11, 12, 13]);
    expect((await join(devices[1]!)).json()).toMatchObject({ position: drawn[1], state: 'open' });
    expect((await join(await person(t.app, DAY2))).json().position).toBe(15);
    expect(await status()).toMatchObject({ issuedUpTo: 15, prequeueSize: 0, nextOpensAt: '2026-08-11T20:00:00+09:00' });
    // Day 1's places did not move.
    expect(Math.max(...day1Places)).toBeLessThan(Math.min(...drawn));
  });

  it('across Seoul’s midnight: a pre-queue that opens at 23:00 takes people on both sides of 00:00', async () => {
    await at('2026-08-29T22:59:59.999+09:00');
    const early = await join(await person(t.app, DAY10), M);
    expect(early.json().error.details).toMatchObject({ reason: 'NOT_YOUR_WINDOW', window: { id: 'r10', opensAt: '2026-08-30T20:00:00+09:00' } });
    await at('2026-08-29T23:00:00+09:00');
    const before = await join(await person(t.app, DAY10), M);
    expect(before.json()).toMatchObject({ position: null, state: 'prequeue' });
    await at('2026-08-30T00:00:00+09:00');
    const after = await join(await person(t.app, DAY10), M);
    expect(after.json()).toMatchObject({ position: null, state: 'prequeue' });
    expect(await status(M)).toMatchObject({ state: 'open', nextOpensAt: '2026-08-30T20:00:00+09:00', prequeueSize: 2 });
    await at('2026-08-30T20:00:00+09:00');
    const { issuedUpTo } = await status(M);
    const places = [];
    for (const res of [before, after]) places.push((await ok(t.app, 'GET', `/api/v1/campaigns/${M}/queue/tickets/me`, undefined, { authorization: `Bearer ${res.json().ticket}` })).position);
    expect(places.sort()).toEqual([issuedUpTo - 1, issuedUpTo]);
    expect(await status(M)).toMatchObject({ prequeueSize: 0, nextOpensAt: null });
  });
});
