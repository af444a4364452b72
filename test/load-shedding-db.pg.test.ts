/**
 * Load shedding by the database pools (PostgreSQL): while more requests wait for a connection of a
 * pool than `YEYAK_SHED_DB_WAITING`, the app answers the routes that need that pool 503 with
 * Retry-After at once instead of queueing more, serves the rest and keeps liveness answerable, and
 * serves again once the queue has drained; while the main pool's wait stays over
 * `YEYAK_SHED_DB_WAIT_MS`, only the work that needs that pool is refused.
 */
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { onPostgres, startTestApp } from './support/test-app.ts';

const settle = () => new Promise((resolve) => setTimeout(resolve, 1200)); // the pool is watched on every request; this lets the queries queue

describe.skipIf(!onPostgres)('load shedding by the database pool', () => {
  it('answers 503 with Retry-After while too many wait for a main-pool connection, serves what needs none, and serves again once they have', async () => {
    // The test of the setting itself: a threshold of 2 on a pool of one shows it with four queries.
    const t = await startTestApp({ env: { YEYAK_DB_POOL_SIZE: '1', YEYAK_SHED_DB_WAITING: '2' } });
    try {
      // The one connection is held; three more queries wait behind it.
      const held = sql`SELECT pg_sleep(2.5)`.execute(t.ctx.db);
      const waiting = Array.from({ length: 3 }, () => sql`SELECT 1`.execute(t.ctx.db));
      await settle();
      expect(t.ctx.database.mainPoolWaiting()).toBeGreaterThanOrEqual(2);
      const shed = await t.app.inject({ method: 'GET', url: '/api/v1/campaigns' });
      expect(shed.statusCode).toBe(503);
      expect(shed.json().error.code).toBe('YEYAK_ERR_UNAVAILABLE');
      expect(shed.json().error.details.shed).toBe('dbWaiting');
      expect(shed.headers['retry-after']).toBe('2');
      expect((await t.app.inject({ method: 'GET', url: '/api/v1/health' })).statusCode).toBe(200);
      // The waiting room (its store) and the booking path (its own pool) are not refused, and the node stays ready.
      for (const url of ['/api/v1/campaigns/c1/queue/tickets/me', '/api/v1/campaigns/c1/institutions?limit=5']) {
        const answer = await t.app.inject({ method: 'GET', url });
        expect(answer.statusCode, `${url}: ${answer.body}`).not.toBe(503);
      }
      expect(t.ctx.pressure.cause()).toBeNull();
      expect((await t.app.inject({ method: 'GET', url: '/metrics' })).body).toMatch(/yeyak_shed_requests_total\{cause="dbWaiting"\} [1-9]/);
      await Promise.all([held, ...waiting]);
      await settle();
      expect((await t.app.inject({ method: 'GET', url: '/api/v1/campaigns' })).statusCode).toBe(200);
      // The waits behind the held connection are in the pool-wait histogram (2–2.5 s: between the 1 s and 5 s buckets).
      const metrics = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
      const series = (name: string, ...labels: string[]) => metrics.split('\n').find((l) => l.startsWith(`${name}{`) && labels.every((label) => l.includes(label)));
      const waits = (le: string) => Number(series('yeyak_db_pool_wait_seconds_bucket', `le="${le}"`, 'pool="main"')?.split(' ')[1]);
      expect(waits('5') - waits('1')).toBeGreaterThanOrEqual(3);
      expect(Number(series('yeyak_db_statement_seconds_count', 'pool="main"')?.split(' ')[1])).toBeGreaterThan(4);
    } finally {
      await t.close();
    }
  }, 30_000);

  it('refuses only the work that needs the main pool while its wait stays over the shipped threshold, and serves the waiting room and the booking path', async () => {
    // The shipped threshold (250 ms); a pool of one held for 3.5 s makes every checkout wait.
    const t = await startTestApp({ env: { YEYAK_DB_POOL_SIZE: '1' } });
    try {
      const held = sql`SELECT pg_sleep(3.5)`.execute(t.ctx.db);
      const queued = sql`SELECT 1`.execute(t.ctx.db);
      // The wait must be sustained over the whole window (2 s) before anything is refused.
      await new Promise((resolve) => setTimeout(resolve, 2_600));
      const shed = await t.app.inject({ method: 'GET', url: '/api/v1/campaigns' });
      expect(shed.statusCode).toBe(503);
      expect(shed.json().error.details.shed).toBe('dbWait');
      expect(shed.headers['retry-after']).toBe('2');
      // The waiting room (its store) and the booking path (its own pool) are not refused.
      for (const url of ['/api/v1/campaigns/c1/queue/tickets/me', '/api/v1/campaigns/c1/institutions?limit=5']) {
        const answer = await t.app.inject({ method: 'GET', url });
        expect(answer.statusCode, `${url}: ${answer.body}`).not.toBe(503);
      }
      // Readiness does not fail for it: every node's main pool waits together, and the balancer must keep sending the rest.
      expect(t.ctx.pressure.cause()).toBeNull();
      await Promise.all([held, queued]);
      // At once, though the window's intervals were slow: nobody waits for a connection any more.
      expect(t.ctx.pressure.mainPool.sustainedWaitMs()).toBeGreaterThan(250);
      expect((await t.app.inject({ method: 'GET', url: '/api/v1/campaigns' })).statusCode).toBe(200);
      expect((await t.app.inject({ method: 'GET', url: '/metrics' })).body).toMatch(/yeyak_shed_requests_total\{cause="dbWait"\} [1-9]/);
    } finally {
      await t.close();
    }
  }, 30_000);

  it('refuses only the booking path while too many wait for a connection of its own pool, and serves sign-ins and the waiting room', async () => {
    // The test of the setting itself: a threshold of 2 on a booking pool of one shows it with four queries.
    const t = await startTestApp({ env: { YEYAK_DB_BOOKING_POOL_SIZE: '1', YEYAK_SHED_DB_WAITING: '2' } });
    try {
      const bookingDb = t.ctx.database.bookingDb;
      expect(bookingDb).not.toBe(t.ctx.db);
      const held = sql`SELECT pg_sleep(2.5)`.execute(bookingDb);
      const waiting = Array.from({ length: 3 }, () => sql`SELECT 1`.execute(bookingDb));
      await settle();
      expect(t.ctx.database.bookingPoolWaiting()).toBeGreaterThanOrEqual(2);
      expect(t.ctx.database.mainPoolWaiting()).toBe(0);
      for (const url of ['/api/v1/campaigns/c1/institutions?limit=5', '/api/v1/bookings']) {
        const shed = await t.app.inject({ method: 'GET', url });
        expect(shed.statusCode, `${url}: ${shed.body}`).toBe(503);
        expect(shed.json().error.details.shed).toBe('bookingDbWaiting');
        expect(shed.headers['retry-after']).toBe('2');
      }
      // The crowd's door and the waiting room go on: refusing them would not shorten the booking path's queue.
      const signIn = await t.app.inject({ method: 'POST', url: '/api/v1/identity/dev', payload: { name: '홍길동', birthDate: '1960-03-01', phone: '010-1234-5678' } });
      expect(signIn.statusCode, signIn.body).toBe(201);
      expect((await t.app.inject({ method: 'GET', url: '/api/v1/campaigns' })).statusCode).toBe(200);
      expect((await t.app.inject({ method: 'GET', url: '/api/v1/campaigns/c1/queue/tickets/me' })).statusCode).not.toBe(503);
      expect(t.ctx.pressure.cause()).toBeNull();
      await Promise.all([held, ...waiting]);
      await settle();
      expect((await t.app.inject({ method: 'GET', url: '/metrics' })).body).toMatch(/yeyak_shed_requests_total\{cause="bookingDbWaiting"\} 2\n/);
      expect((await t.app.inject({ method: 'GET', url: '/api/v1/bookings' })).statusCode).toBe(401);
    } finally {
      await t.close();
    }
  }, 30_000);
});
