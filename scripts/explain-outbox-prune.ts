import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { CompiledQuery } from 'kysely';
import { openDatabase } from '../src/infra/db/database.ts';
import { migrateToLatest } from '../src/infra/db/migrate.ts';
import { pruneBatchStatement, pruneDoneJobs, type PruneCursor } from '../src/modules/outbox/outbox-prune.repository.ts';

/**
 * Shows, on PostgreSQL, the plans of the outbox pruner's statements over a filled outbox: the batch
 * must walk `outbox_jobs_done_by_age` from its cursor (never scan the done rows, nor re-read what
 * earlier batches deleted). Works in a
 * throwaway database next to DATABASE_URL, dropped at the end. Exits 1 when a plan is not so.
 *
 *   DATABASE_URL=postgres://… npx tsx scripts/explain-outbox-prune.ts [--events 100000]
 */
const base = process.env.DATABASE_URL;
if (!base) {
  console.error('DATABASE_URL must name a PostgreSQL server');
  process.exit(2);
}
const eventsArg = process.argv.indexOf('--events');
const events = eventsArg > 0 ? Number(process.argv[eventsArg + 1]) : 100_000;
if (!Number.isInteger(events) || events < 1000) {
  console.error('--events must be an integer of at least 1000');
  process.exit(2);
}
const BATCH = 5_000;

const name = `yeyak_explain_${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: base });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
const url = new URL(base);
url.pathname = `/${name}`;
const database = await openDatabase({ databaseUrl: url.toString(), dataDir: null, poolSize: 2 });
const client = new pg.Client({ connectionString: url.toString() });
let failed = false;

/** The plan of a statement, run for real (ANALYZE, BUFFERS) inside a transaction rolled back. */
async function explain(title: string, query: CompiledQuery, mustUse: string[], mustNot: string[]): Promise<void> {
  await client.query('BEGIN');
  const result = await client.query(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${query.sql}`, query.parameters as unknown[]);
  await client.query('ROLLBACK');
  const plan = result.rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n');
  const missing = mustUse.filter((s) => !plan.includes(s));
  const found = mustNot.filter((s) => plan.includes(s));
  console.log(`\n== ${title}\n${plan}`);
  if (missing.length + found.length > 0) {
    failed = true;
    console.log(`!! expected ${missing.join(', ') || '-'}; found ${found.join(', ') || '-'}`);
  }
}

try {
  await migrateToLatest(database.db);
  await client.connect();
  // Events one every few seconds over ten days; a 1% of messages jobs pending, 0.5% of registry jobs
  // dead, the rest done a minute after fan-out. The cutoff keeps the last three days.
  const start = new Date('2026-08-01T00:00:00Z');
  const cutoff = new Date(start.getTime() + 7 * 86_400_000);
  console.log(`filling ${events} events and ${2 * events} jobs …`);
  await client.query(
    `INSERT INTO outbox (topic, aggregate_id, payload, created_at, processed_at)
     SELECT 'booking.created', 'b' || g, '{}', t, t
     FROM generate_series(1, $1::int) g, LATERAL (SELECT $2::timestamptz + g * ($3::float8 * interval '1 second') AS t) s`,
    [events, start, (10 * 86_400) / events],
  );
  await client.query(
    `INSERT INTO outbox_jobs (consumer, idempotency_key, outbox_id, topic, aggregate_id, payload, status, next_attempt_at, created_at, done_at)
     SELECT c, c || ':' || o.id, o.id, o.topic, o.aggregate_id, o.payload, st, o.processed_at, o.processed_at,
       CASE WHEN st = 'done' THEN o.processed_at + interval '1 minute' END
     FROM outbox o CROSS JOIN (VALUES ('registry'), ('messages')) v (c),
       LATERAL (SELECT CASE WHEN c = 'messages' AND o.id % 100 = 0 THEN 'pending' WHEN c = 'registry' AND o.id % 200 = 7 THEN 'dead' ELSE 'done' END AS st) s`,
  );
  await client.query('VACUUM ANALYZE outbox');
  await client.query('VACUUM ANALYZE outbox_jobs');

  const indexed = ['Index Scan using outbox_jobs_done_by_age'];
  const scans = ['Seq Scan on outbox_jobs'];
  await explain('first batch', pruneBatchStatement(cutoff, null, BATCH).compile(database.db), indexed, scans);

  // Delete a fifth of the old rows for real, batch after batch, then look at the next batch.
  let cursor: PruneCursor | null = null;
  for (let deleted = 0; deleted < events * 0.28; ) {
    const batch = await pruneDoneJobs(database.db, cutoff, cursor, BATCH);
    if (!batch.cursor) break;
    deleted += batch.jobs;
    cursor = batch.cursor;
  }
  await explain('a later batch, resumed from its cursor', pruneBatchStatement(cutoff, cursor, BATCH).compile(database.db), indexed, scans);
  // For contrast: without the cursor a batch steps over every index entry earlier batches deleted.
  await explain('the same batch without its cursor (for contrast)', pruneBatchStatement(cutoff, null, BATCH).compile(database.db), [], []);
} finally {
  await client.end().catch(() => {});
  await database.close();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}
console.log(failed ? '\nFAILED: a plan does not use its index' : '\nevery plan uses its index');
process.exit(failed ? 1 : 0);
