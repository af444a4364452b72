/**
 * A migration while a node runs — the old nodes of a rolling deploy — adds a column to a table the
 * node reads with `select *` from a statement it has prepared. PostgreSQL then refuses that
 * statement on that connection for good ("cached plan must not change result type"): without
 * care, every request it serves there is a 500 until the node restarts. Found when migration 0030
 * added `bookings.idempotency_key` under a running app.
 */
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDatabaseUnavailable } from '../src/infra/db/database-errors.ts';
import { onPostgres, startTestApp, type TestApp } from './support/test-app.ts';

describe.skipIf(!onPostgres)('a prepared statement whose table changed under it', () => {
  let t: TestApp;
  let admin: pg.Client;
  beforeAll(async () => {
    t = await startTestApp();
    admin = new pg.Client({ connectionString: t.ctx.config.databaseUrl! });
    await admin.connect();
    await admin.query('drop table if exists stale_probe');
    await admin.query('create table stale_probe (id int primary key, a text)');
    await admin.query(`insert into stale_probe values (1, 'one')`);
  });
  afterAll(async () => {
    await admin.query('drop table if exists stale_probe');
    await admin.end();
    await t.close();
  });

  const read = () => t.ctx.db.selectFrom('stale_probe' as never).selectAll().where('id' as never, '=', 1 as never).execute();
  /** Run often enough to be prepared on the connection the pool hands out next (it hands the last one back first). */
  const prepare = async () => {
    for (let i = 0; i < 3; i++) await read();
  };

  it('answers a statement outside a transaction at once from a fresh plan, and discards the connection', async () => {
    await prepare();
    await admin.query('alter table stale_probe add column b text');
    expect(await read()).toEqual([{ id: 1, a: 'one', b: null }]);
    expect(await read()).toEqual([{ id: 1, a: 'one', b: null }]);
  });

  it('fails a transaction that met it as unavailable (503, retried by the client), and serves the retry', async () => {
    await prepare();
    await admin.query('alter table stale_probe add column c text');
    const failure = await t.ctx.db
      .transaction()
      .execute(async (trx) => {
        await sql`select 1`.execute(trx);
        return trx.selectFrom('stale_probe' as never).selectAll().where('id' as never, '=', 1 as never).execute();
      })
      .then(
        () => null,
        (error: unknown) => error,
      );
    expect(String(failure)).toContain('cached plan must not change result type');
    expect(isDatabaseUnavailable(failure)).toBe(true);
    expect(await read()).toEqual([{ id: 1, a: 'one', b: null, c: null }]);
  });
});
