/**
 * BRIEF §4.5 through the real app: the status document gives the pace the estimate divides by
 * (the set rate from the first refresh, the measured pace once it has settled), `…/tickets/me` gives exactly what a client computes from the status
 * with the shared `waitFor`, and at a steady rate the first estimate a person is shown is their
 * actual wait. Time is the manual clock; the queue moves by the waiting room's own refreshes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../src/modules/waiting-room/domain/eta.ts';
import { PACE } from '../src/modules/waiting-room/domain/queue-pace.ts';
import { ok, person, seedCampaign } from './support/fixtures.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

let t: TestApp;
const C = 'eta';
const base = `/api/v1/campaigns/${C}`;
const RATE = 4;
const PEOPLE = 200;

beforeAll(async () => {
  t = await startTestApp();
  await seedCampaign(t.app, { id: C, institutions: ['E1'], dates: ['2026-08-20'], times: ['09:00'], doses: 10, campaign: { admission: { mode: 'fixed', ratePerSecond: RATE, maxActive: 100_000 } } });
}, 60_000);
afterAll(() => t.close());

async function step(ms = 250) {
  t.clock.advance(ms);
  await t.ctx.waitingRoom.refresh();
}

describe('the wait estimate through the API', () => {
  it('is given from the first refresh, at the set rate until the pace is measured, and matches the status and the real wait at a steady rate', async () => {
    const tickets: { ticket: string; position: number }[] = [];
    for (let i = 0; i < PEOPLE; i++) tickets.push((await ok(t.app, 'POST', `${base}/queue/tickets`, undefined, await person(t.app))) as { ticket: string; position: number });
    await t.ctx.waitingRoom.refresh();
    const last = tickets.at(-1)!;
    const me = async () => ok(t.app, 'GET', `${base}/queue/tickets/me`, undefined, { authorization: `Bearer ${last.ticket}` });

    // Nothing measured yet, and an estimate all the same (within 5 s of joining, BRIEF §4.5): the
    // operator's fixed rate, with a p90 that allows for it not being kept.
    expect((await ok(t.app, 'GET', `${base}/queue`)).etaRatePerSecond).toBe(RATE);
    const early = (await me()).eta;
    expect(early.p50Seconds).toBe(Math.ceil(last.position / RATE));
    expect(early.p90Seconds).toBeGreaterThan(early.p50Seconds);

    // The first estimate this person is shown, and when.
    let first: { p50Seconds: number; p90Seconds: number } | null = null;
    let shownAtMs = 0;
    for (let s = 0; first === null && s < 4 * (PACE.settleSeconds + 10); s++) {
      await step();
      const view = await me();
      const status = await ok(t.app, 'GET', `${base}/queue`);
      // The server's figures are the client's own computation from the shared status.
      expect({ ahead: view.ahead, eta: view.eta }).toEqual(waitFor(last.position, status));
      if (view.eta.p50Seconds !== null) {
        first = view.eta;
        shownAtMs = t.clock.now().getTime();
        expect(status.etaRatePerSecond).toBeCloseTo(RATE, 1);
      }
    }
    expect(first).not.toBeNull();
    expect(first!.p90Seconds).toBeGreaterThanOrEqual(first!.p50Seconds);

    // Then the queue runs until this person's turn: the wait was what the first estimate said.
    while ((await ok(t.app, 'GET', `${base}/queue`)).servingUpTo < last.position) await step();
    const actual = (t.clock.now().getTime() - shownAtMs) / 1000;
    expect(Math.abs(actual - first!.p50Seconds)).toBeLessThanOrEqual(Math.max(1, 0.05 * first!.p50Seconds));
    expect((await me())).toMatchObject({ ahead: 0, admitted: true, eta: { p50Seconds: 0, p90Seconds: 0 } });
  }, 120_000);
});
