import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TAKE_ONE_DOSE } from '../migrations/0025-one-dose-ledger.ts';
import { inTransaction } from '../src/infra/db/transaction.ts';
import { releaseDose, takeDose } from '../src/modules/booking/capacity-ledger.ts';
import { seedCampaign } from './support/fixtures.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

/**
 * The one dose ledger (migrations/0025-one-dose-ledger.ts): one text takes a dose — the body of
 * `take_dose`, which a change calls (capacity-ledger.ts), and inline in `create_booking` — and
 * `release_dose` gives one back. On the embedded store here; test/concurrency.pg.test.ts races them
 * on PostgreSQL.
 */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ now: '2026-08-10T02:00:00Z' });
  await seedCampaign(t.app, { id: 'ledger', institutions: ['ledger-1'], dates: ['2026-08-20'], times: ['09:00', '09:30', '10:30'], doses: 1 });
});
afterAll(() => t.close());

async function source(fn: string): Promise<string> {
  const { rows } = await sql<{ src: string }>`SELECT prosrc AS src FROM pg_proc WHERE proname = ${fn}`.execute(t.ctx.db);
  expect(rows).toHaveLength(1);
  return rows[0]!.src;
}

async function booked(): Promise<{ day: number; slots: Record<number, number> }> {
  const day = await sql<{ booked: number }>`SELECT booked FROM clinic_days WHERE campaign_id = 'ledger'`.execute(t.ctx.db);
  const slots = await sql<{ minute: number; booked: number }>`SELECT minute, booked FROM capacity_slots WHERE campaign_id = 'ledger' ORDER BY minute`.execute(t.ctx.db);
  return { day: day.rows[0]!.booked, slots: Object.fromEntries(slots.rows.map((r) => [r.minute, r.booked])) };
}

describe('the one dose ledger', () => {
  it('is one text: take_dose is it, create_booking holds it inline, and no other function in the database moves a dose', async () => {
    const take = TAKE_ONE_DOSE.trim();
    expect(await source('take_dose')).toContain(take);
    const createBooking = await source('create_booking');
    expect(createBooking).toContain(take);
    // Inline, not called: a PL/pgSQL call per dose cost the booking 10–25% more of PostgreSQL's CPU.
    expect(createBooking).not.toContain('take_dose(');
    expect(await source('release_dose')).toMatch(/UPDATE capacity_slots SET booked = booked - 1/);
    const movers = await sql<{ name: string }>`SELECT proname AS name FROM pg_proc WHERE prosrc ~ 'UPDATE (clinic_days|window_shares|capacity_slots) SET booked' ORDER BY proname`.execute(t.ctx.db);
    expect(movers.rows.map((r) => r.name)).toEqual(['create_booking', 'release_dose', 'take_dose']);
  });

  it('takes the exact time, or the nearest free one (ties to the earlier), and gives doses back', async () => {
    const request = { institutionId: 'ledger-1', date: '2026-08-20', shareWindowId: null };
    const taken = await inTransaction(t.ctx.db, async (trx) => [
      await takeDose(trx, 'ledger', { ...request, minute: 9 * 60 + 30, exact: true }),
      await takeDose(trx, 'ledger', { ...request, minute: 9 * 60 + 45, exact: false }),
    ]);
    // 09:45 has no slot and 09:30 is full: 09:00 and 10:30 are both 45 minutes away, and the earlier wins.
    expect(taken).toEqual([570, 540]);
    expect(await booked()).toEqual({ day: 2, slots: { 540: 1, 570: 1, 630: 0 } });
    // A full slot is refused; the caller aborts, and the rollback undoes the clinic-day's increment.
    const refused = inTransaction(t.ctx.db, async (trx) => {
      if ((await takeDose(trx, 'ledger', { ...request, minute: 9 * 60 + 30, exact: true })) === null) throw new Error('sold out');
    });
    await expect(refused).rejects.toThrow('sold out');
    expect(await booked()).toEqual({ day: 2, slots: { 540: 1, 570: 1, 630: 0 } });
    await inTransaction(t.ctx.db, async (trx) => {
      await releaseDose(trx, 'ledger', { institutionId: 'ledger-1', date: '2026-08-20', minute: 540 }, null);
      await releaseDose(trx, 'ledger', { institutionId: 'ledger-1', date: '2026-08-20', minute: 570 }, null);
    });
    expect(await booked()).toEqual({ day: 0, slots: { 540: 0, 570: 0, 630: 0 } });
  });

  it('refuses to give back a dose the slot does not hold (a ledger out of step is an error, never a silent miss)', async () => {
    await expect(
      inTransaction(t.ctx.db, (trx) => releaseDose(trx, 'ledger', { institutionId: 'ledger-1', date: '2026-08-20', minute: 630 }, null)),
    ).rejects.toThrow(/out of step/);
    expect((await booked()).slots[630]).toBe(0);
  });
});
