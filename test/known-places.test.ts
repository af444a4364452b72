import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok, openCampaign, operator, person } from './support/fixtures.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

/**
 * A node answers a repeat join from memory once it has handed a person's place back
 * (src/modules/waiting-room/known-places.ts): the store is asked only by people who have not
 * asked twice, and by pre-queue entries, whose place is not drawn yet.
 */
let t: TestApp;
const C = 'kp';
const join = (who: Record<string, string>) => t.app.inject({ method: 'POST', url: `/api/v1/campaigns/${C}/queue/tickets`, headers: who });

/** Runs `work` while every store call a join can make fails, as when Redis is unreachable. */
async function withStoreDown<T>(work: () => Promise<T>): Promise<T> {
  const store = t.ctx.waitingRoom.store as unknown as Record<string, unknown>;
  const originals = new Map(['join', 'lookup', 'reinstate'].map((name) => [name, store[name]]));
  for (const name of originals.keys()) {
    store[name] = async () => {
      throw new Error('connection refused');
    };
  }
  try {
    return await work();
  } finally {
    for (const [name, fn] of originals) store[name] = fn;
  }
}

beforeAll(async () => {
  // The queue opens 19:00 Seoul (10:00Z), the window 20:00: joining before 20:00 is the pre-queue.
  t = await startTestApp({ now: '2026-08-09T10:30:00Z' });
  await ok(t.app, 'POST', '/api/v1/admin/campaigns', openCampaign(C), operator);
  await t.ctx.waitingRoom.refresh();
});
afterAll(() => t.close());

describe('places handed back', () => {
  it('are not remembered for a pre-queue entry, whose place is drawn at the opening', async () => {
    const early = await person(t.app);
    expect((await join(early)).json()).toMatchObject({ position: null, state: 'prequeue' });
    expect((await join(early)).json()).toMatchObject({ position: null, state: 'prequeue' });
    t.clock.advance(30 * 60_000); // 20:00: the opening draws the pre-queue
    await t.ctx.waitingRoom.refresh();
    const drawn = (await join(early)).json();
    expect(drawn).toMatchObject({ position: 1, state: 'open' });
  });

  it('answer a repeat join while the store is unreachable; one who asked once, or is new, gets 503', async () => {
    const [regular, once, newcomer] = [await person(t.app), await person(t.app), await person(t.app)];
    const first = await join(regular);
    expect(first.statusCode).toBe(201);
    const again = await join(regular);
    expect([again.statusCode, again.json().position]).toEqual([200, first.json().position]);
    expect((await join(once)).statusCode).toBe(201);

    const metric = async () => (await t.ctx.metrics.joinsRemembered.get()).values[0]?.value ?? 0;
    const before = await metric();
    const [remembered, asked, arrived] = await withStoreDown(async () => [await join(regular), await join(once), await join(newcomer)]);
    expect(await metric()).toBe(before + 1);
    expect([remembered.statusCode, remembered.json().position]).toEqual([200, first.json().position]);
    expect(t.ctx.signer.verify('ticket', remembered.json().ticket, t.clock.now()).claims.pos).toBe(first.json().position);
    for (const refused of [asked, arrived]) expect([refused.statusCode, refused.json().error.code]).toEqual([503, 'YEYAK_ERR_QUEUE_UNAVAILABLE']);
  });

  it('are the place itself once the queue closes: no new place, the same one for those who hold it', async () => {
    const holder = await person(t.app);
    const { position } = (await join(holder)).json();
    await join(holder);
    await t.ctx.waitingRoom.store.setClosed(C, true, 0);
    await t.ctx.waitingRoom.refresh();
    try {
      expect((await join(holder)).json()).toMatchObject({ position, state: 'closed' });
      expect((await join(await person(t.app))).json().error.details.reason).toBe('CAMPAIGN_CLOSED');
    } finally {
      await t.ctx.waitingRoom.store.setClosed(C, false, 0);
      await t.ctx.waitingRoom.refresh();
    }
  });
});
