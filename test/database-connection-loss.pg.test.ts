/**
 * A connection cut while the app holds it between two statements — what every node meets when
 * PostgreSQL's primary fails over or restarts — fails that transaction as "unavailable" (503) and
 * never ends the process. Found by the chaos suite: node-postgres emitted an unhandled 'error'
 * event on the checked-out client, and all three nodes exited at once.
 */
import { sql } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable } from '../src/infra/db/database-errors.ts';
import { onPostgres, startTestApp } from './support/test-app.ts';

describe.skipIf(!onPostgres)('a database connection cut under a transaction', () => {
  it('fails the transaction as unavailable, keeps the process, and serves the next request on a new connection', async () => {
    const t = await startTestApp();
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    const admin = new pg.Client({ connectionString: t.ctx.config.databaseUrl! });
    await admin.connect();
    try {
      const failure = await t.ctx.db
        .transaction()
        .execute(async (trx) => {
          const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx);
          // The server ends this backend while the app holds it idle inside its transaction.
          await admin.query('select pg_terminate_backend($1)', [rows[0]!.pid]);
          await new Promise((resolve) => setTimeout(resolve, 300));
          await sql`select 1`.execute(trx);
        })
        .then(
          () => null,
          (error: unknown) => error,
        );
      expect(failure).not.toBeNull();
      expect(isDatabaseUnavailable(failure)).toBe(true);
      expect(uncaught).toEqual([]);
      expect((await t.app.inject({ method: 'GET', url: '/api/v1/ready' })).statusCode).toBe(200);
    } finally {
      process.off('uncaughtException', onUncaught);
      await admin.end();
      await t.close();
    }
  }, 30_000);

  it('fails a statement stuck behind a lock it will never get as unavailable, not as our bug', async () => {
    // Found by the chaos suite: after a split promotion the primary's commits waited for a
    // synchronous standby that could no longer follow, holding their row locks; every booking
    // behind them met statement_timeout (57014) and was answered 500.
    const t = await startTestApp();
    const holder = new pg.Client({ connectionString: t.ctx.config.databaseUrl! });
    await holder.connect();
    try {
      await holder.query('create table if not exists lock_probe (id int primary key); insert into lock_probe values (1) on conflict do nothing');
      await holder.query('begin');
      await holder.query('select * from lock_probe where id = 1 for update');
      const failure = await t.ctx.db
        .transaction()
        .execute(async (trx) => {
          // The pool's own timeout is 10 s; this test waits 0.3 s of it.
          await sql`set local statement_timeout = 300`.execute(trx);
          await sql`select * from lock_probe where id = 1 for update`.execute(trx);
        })
        .then(
          () => null,
          (error: unknown) => error,
        );
      expect((failure as { code?: string } | null)?.code).toBe('57014');
      expect(isDatabaseUnavailable(failure)).toBe(true);
    } finally {
      await holder.query('rollback').catch(() => {});
      await holder.query('drop table if exists lock_probe');
      await holder.end();
      await t.close();
    }
  }, 30_000);
});
