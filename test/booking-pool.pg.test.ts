/**
 * The booking path's own pool (PostgreSQL): while the main pool's every connection is busy — a
 * sign-in storm — people already admitted still search and book on connections of their own.
 */
import { describe, expect, it } from 'vitest';
import { admitted, ok, seedCampaign } from './support/fixtures.ts';
import { holdMainPool } from './support/main-pool-hold.ts';
import { onPostgres, startTestApp } from './support/test-app.ts';

describe.skipIf(!onPostgres)('the booking path’s pool', () => {
  it('searches and books while the main pool is held, and waits behind it without its own pool', async () => {
    for (const bookingPool of ['2', '0']) {
      const t = await startTestApp({ now: '2026-08-10T02:00:00Z', env: { YEYAK_DB_POOL_SIZE: '1', YEYAK_DB_BOOKING_POOL_SIZE: bookingPool } });
      try {
        expect(t.ctx.database.bookingDb === t.ctx.db).toBe(bookingPool === '0');
        await seedCampaign(t.app, { id: 'bp', institutions: ['B1'], dates: ['2026-08-25', '2026-09-15'], times: ['10:00'], doses: 5 });
        const { session } = await ok(t.app, 'POST', '/api/v1/identity/dev', { name: '홍길동', birthDate: '1960-03-01', phone: '010-1234-5678' });
        const pass = await admitted(t, { authorization: `Bearer ${session}` }, 'bp');
        // The main pool's one connection is taken for 1.5 s.
        const hold = await holdMainPool(t, 1500);
        const search = await t.app.inject({ method: 'GET', url: '/api/v1/campaigns/bp/institutions?sido=서울특별시&date=2026-08-25', headers: pass });
        const searchedWhileHeld = hold.held();
        const booking = await t.app.inject({ method: 'POST', url: '/api/v1/campaigns/bp/bookings', headers: { ...pass, 'idempotency-key': `k${bookingPool}` }, payload: { institutionId: 'B1', date: '2026-08-25', time: '10:00' } });
        const bookedWhileHeld = hold.held();
        expect(search.statusCode).toBe(200);
        expect(search.json().items.map((i: { id: string }) => i.id)).toEqual(['B1']);
        expect(booking.statusCode).toBe(201);
        expect([searchedWhileHeld, bookedWhileHeld]).toEqual(bookingPool === '0' ? [false, false] : [true, true]);
        await hold.released;
      } finally {
        await t.close();
      }
    }
  }, 60_000);
});
