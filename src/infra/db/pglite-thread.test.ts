import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgliteThread } from './pglite-thread.ts';

/** The embedded database through its worker thread: what crosses the thread boundary, and how. */
describe('PgliteThread', () => {
  let db: PgliteThread;
  beforeAll(async () => {
    db = await PgliteThread.open(null);
    await db.query(`CREATE TABLE t (id int PRIMARY KEY, day date, bytes bytea, doc jsonb, list int[], at timestamptz, big int8, CONSTRAINT t_day_set CHECK (day IS NOT NULL OR id < 0))`);
  });
  afterAll(() => db.close());

  it('carries values both ways as PGlite in process did', async () => {
    const at = new Date('2026-08-10T02:00:00.123Z');
    const { rows, affectedRows, fields } = await db.query(`INSERT INTO t VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`, [
      1,
      '2026-08-20',
      Buffer.from([0, 1, 255]),
      JSON.stringify({ a: [1, { b: 'ㄱ' }] }),
      [3, 1, 2],
      at,
      2n ** 40n,
    ]);
    expect(affectedRows).toBe(1);
    expect(fields.map((f) => f.name)).toEqual(['id', 'day', 'bytes', 'doc', 'list', 'at', 'big']);
    // A date stays the calendar day it is; int8 becomes a number.
    expect(rows).toEqual([{ id: 1, day: '2026-08-20', bytes: new Uint8Array([0, 1, 255]), doc: { a: [1, { b: 'ㄱ' }] }, list: [3, 1, 2], at, big: 2 ** 40 }]);
    const array = await db.query(`SELECT id, day FROM t`, [], { rowMode: 'array' });
    expect(array.rows).toEqual([[1, '2026-08-20']]);
  });

  it("keeps PostgreSQL's fields on an error", async () => {
    await db.query(`INSERT INTO t (id, day) VALUES (2, '2026-08-20')`);
    const error = await db.query(`INSERT INTO t (id, day) VALUES (2, '2026-08-21')`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ code: '23505', constraint: 't_pkey', table: 't', schema: 'public', severity: 'ERROR', detail: 'Key (id)=(2) already exists.' });
    expect(String(error)).toBe('error: duplicate key value violates unique constraint "t_pkey"');
    const check = await db.query(`INSERT INTO t (id) VALUES (3)`).catch((e: unknown) => e);
    expect(check).toMatchObject({ code: '23514', constraint: 't_day_set' });
    // A parameter that cannot cross the boundary fails the call, not the thread.
    await expect(db.query('SELECT $1::text', [() => 1])).rejects.toThrow(/could not be cloned/);
    expect((await db.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('lets nothing from outside run inside a transaction, and rolls back on a throw', async () => {
    const seen: string[] = [];
    const inside = db.transaction(async (tx) => {
      await tx.query(`INSERT INTO t (id, day) VALUES (10, '2026-08-20')`);
      // The outside statement, sent now, must wait for the commit.
      await new Promise((resolve) => setTimeout(resolve, 50));
      seen.push(`inside ${(await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM t WHERE id >= 10')).rows[0]!.n}`);
    });
    const outside = db.query<{ n: number }>('SELECT count(*)::int AS n FROM t WHERE id >= 10').then((r) => seen.push(`outside ${r.rows[0]!.n}`));
    await Promise.all([inside, outside]);
    expect(seen).toEqual(['inside 1', 'outside 1']);
    await expect(
      db.transaction(async (tx) => {
        await tx.query(`INSERT INTO t (id, day) VALUES (11, '2026-08-20')`);
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    await db.transaction(async (tx) => {
      await tx.query(`INSERT INTO t (id, day) VALUES (12, '2026-08-20')`);
      await tx.rollback();
    });
    expect((await db.query('SELECT id FROM t WHERE id >= 10 ORDER BY id')).rows).toEqual([{ id: 10 }]);
  });

  it('reports a commit that rolled back (an error swallowed inside the transaction)', async () => {
    const error = await db
      .transaction(async (tx) => {
        await tx.query(`INSERT INTO t (id, day) VALUES (2, '2026-08-20')`).catch(() => undefined);
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: '25P02' });
  });

  it('analyzes a table once a bulk write has grown it, as autovacuum would', async () => {
    await db.query(`CREATE TABLE grown (id int PRIMARY KEY, kind text)`);
    await db.query(`INSERT INTO grown SELECT n, 'k' || (n % 7) FROM generate_series(1, 5000) n`);
    // The worker analyzes in the background, once the statement has answered.
    let analyzed = 0;
    for (let i = 0; i < 100 && analyzed === 0; i++) {
      analyzed = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stats WHERE tablename = 'grown'`)).rows[0]!.n;
      if (analyzed === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(analyzed).toBe(2);
  });
});

describe('PgliteThread when the worker dies', () => {
  it('fails what waits and what comes after with a clear error, and never hangs', async () => {
    // A stand-in worker: says it is open, then exits on the first request without answering.
    const worker = new Worker(
      `const { parentPort } = require('node:worker_threads');
       parentPort.postMessage({ id: 0, ok: true });
       parentPort.on('message', () => process.exit(3));`,
      { eval: true },
    );
    const db = await PgliteThread.over(worker);
    await expect(db.query('SELECT 1')).rejects.toThrow('embedded database: the worker thread exited (code 3)');
    expect(db.closed).toBe(true);
    await expect(db.query('SELECT 1')).rejects.toThrow('exited (code 3)');
    await db.close();
  });

  it('fails the open when PGlite cannot start', async () => {
    const worker = new Worker(`require('node:worker_threads').parentPort.postMessage({ id: 0, ok: false, error: { message: 'no such directory', name: 'Error', fields: { code: 'ENOENT' } } });`, { eval: true });
    await expect(PgliteThread.over(worker)).rejects.toMatchObject({ message: 'no such directory', code: 'ENOENT' });
  });
});
