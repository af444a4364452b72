/**
 * What storing the queue log's entries costs the embedded database (PGlite in its worker thread,
 * which also journals every new place), per entry, in one run: the entries stored by bundle as the
 * log stores them (`insertLogEntries`, migration 0026) against the same entries one row each with
 * an index of their commitments, as the log stored them before (migrations 0022–0023), the
 * baseline. Each append holds as many entries as the sequencer stores in a refresh at the given
 * rate of new places (a refresh is 250 ms). CPU is the whole process's (both threads), per entry.
 *
 *   npm run bench:log-storage -- [--places-per-second 8000] [--seconds 10]
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { createContext } from '../src/bootstrap.ts';
import { loadConfig } from '../src/config.ts';
import type { Db } from '../src/infra/db/database.ts';
import { insertLogEntries, type StoredEntry } from '../src/modules/transparency/queue-log.repository.ts';
import { appEnvironment } from './lib/app-env.ts';

const { values: args } = parseArgs({ options: { 'places-per-second': { type: 'string', default: '8000' }, seconds: { type: 'string', default: '10' } } });
const perAppend = Math.max(1, Math.round(Number(args['places-per-second']) / 4));
/** A refresh's appends over the given seconds of places. */
const appends = Math.max(4, Math.round(Number(args.seconds) * 4));

const ctx = await createContext(loadConfig(appEnvironment(mkdtempSync(join(tmpdir(), 'log-storage-')), {})));
const db = ctx.db;
// The baseline: the layout of migrations 0022–0023, a row per entry and its commitment indexed.
await sql`CREATE TABLE bench_log_rows (
  campaign_id text NOT NULL, leaf_index integer NOT NULL, entry text NOT NULL, subject text,
  PRIMARY KEY (campaign_id, leaf_index))`.execute(db);
await sql`CREATE INDEX bench_log_rows_subject ON bench_log_rows (campaign_id, subject) WHERE subject IS NOT NULL`.execute(db);

async function insertRows(target: Db, campaignId: string, first: number, entries: readonly StoredEntry[]): Promise<void> {
  await sql`INSERT INTO bench_log_rows (campaign_id, leaf_index, entry, subject)
    SELECT ${campaignId}, ${first}::int + e.n::int - 1, e.entry, e.subject
      FROM unnest(${entries.map((e) => e.line)}::text[], ${entries.map((e) => e.subject)}::text[]) WITH ORDINALITY AS e (entry, subject, n)`.execute(target);
}

/** Place entries as the sequencer writes them (the baseline keeps each commitment as its subject, as it did). */
function placeEntries(first: number, withSubjects: boolean): StoredEntry[] {
  return Array.from({ length: perAppend }, (_, i) => {
    const commitment = randomBytes(32).toString('base64');
    return { line: `place ${first + i + 1} 1786273200000 ${commitment}\n`, subject: withSubjects ? commitment : null };
  });
}

async function measure(label: string, store: (campaignId: string, first: number, entries: StoredEntry[]) => Promise<void>, withSubjects: boolean) {
  const batches = Array.from({ length: appends + 2 }, (_, i) => placeEntries(i * perAppend, withSubjects));
  // Two appends to warm up, on a campaign of their own.
  for (const [i, batch] of batches.slice(0, 2).entries()) await store(`warm-${label}`, i * perAppend, batch);
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (const [i, batch] of batches.slice(2).entries()) await store(label, i * perAppend, batch);
  const used = process.cpuUsage(cpu);
  const entries = appends * perAppend;
  return { cpuUs: (used.user + used.system) / entries, wallUs: ((performance.now() - started) * 1000) / entries };
}

const rows = await measure('rows', (c, first, entries) => insertRows(db, c, first, entries), true);
const bundles = await measure('bundles', (c, first, entries) => insertLogEntries(db, c, first, entries, { epoch: 'bench', seq: first + entries.length }), false);
const f = (n: number) => n.toFixed(1);
console.log(`queue log storage on the embedded database, ${appends} appends of ${perAppend} place entries (a refresh at ${args['places-per-second']} places/s)`);
console.log(`| layout | CPU µs/entry | wall µs/entry |\n|---|---|---|`);
console.log(`| a row per entry, commitments indexed (baseline) | ${f(rows.cpuUs)} | ${f(rows.wallUs)} |`);
console.log(`| by bundle (queue_log_bundles) | ${f(bundles.cpuUs)} | ${f(bundles.wallUs)} |`);
console.log(`bundle ÷ rows, CPU: ${(bundles.cpuUs / rows.cpuUs).toFixed(2)}`);
await ctx.database.close();
