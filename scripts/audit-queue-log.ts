/**
 * Audits a campaign's public queue log (docs/transparency.md "The auditor") from outside: verifies
 * the checkpoint's signature, that the tiles hash to its root and the entries to their leaves, that
 * the log extends the checkpoint audited last time (with --state), re-runs every pre-queue draw and
 * checks the order of service. Prints a verdict; exits 1 on any violation, 2 on bad usage, 3 when
 * --operator finds the embedded database open in a running server.
 *
 *   npm run audit -- --url https://yeyak.example --campaign 2026-covid-booster [--key <verifier key>] [--state audit.json] [--witness <witness verifier key> …]
 *
 * With --witness (once per witness one trusts), the largest witnessed checkpoint must carry each
 * one's cosignature, and the log audited must extend it: the history the witnesses saw.
 * Without --key the server's own key is fetched and printed: pin it with --key (or a state file)
 * from then on. With --operator the admissions the database granted are checked against the log
 * too; it reads the database and the person pepper from the server's configuration (DATABASE_URL,
 * YEYAK_PERSON_PEPPER, or the embedded default's data directory with the server stopped).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/infra/db/database.ts';
import { exitIfDataDirInUse } from '../src/infra/db/data-dir-lock.ts';
import { auditLog, rememberCheckpoint, type RememberedCheckpoint } from '../src/modules/transparency/audit/audit-log.ts';
import { crossCheckAdmissions } from '../src/modules/transparency/audit/cross-check.ts';
import { httpLogFetch } from '../src/modules/transparency/audit/download-log.ts';
import { QueueOpenings } from '../src/modules/transparency/queue-openings.ts';

interface AuditState {
  key: string;
  checkpoint: RememberedCheckpoint;
}

function usage(message: string): never {
  console.error(`${message}\nusage: npm run audit -- --url <base URL> --campaign <id> [--key <verifier key>] [--state <file>] [--operator] [--witness <key> …]`);
  process.exit(2);
}

const { values } = parseArgs({ options: { url: { type: 'string' }, campaign: { type: 'string' }, key: { type: 'string' }, state: { type: 'string' }, operator: { type: 'boolean', default: false }, witness: { type: 'string', multiple: true } } });
if (!values.url || !values.campaign) usage('--url and --campaign are required');
const get = httpLogFetch(values.url);
const state: AuditState | null = values.state && existsSync(values.state) ? (JSON.parse(readFileSync(values.state, 'utf8')) as AuditState) : null;
let key = values.key ?? state?.key;
if (!key) {
  const res = await get('/api/v1/log/key');
  if (res.status !== 200) usage(`the server has no log key (GET /api/v1/log/key answered ${res.status})`);
  key = res.body.toString('utf8').trim();
  console.log(`key (fetched from the server; pin it with --key): ${key}`);
}
if (state && state.key !== key) usage(`--key differs from the key in ${values.state}`);

const report = await auditLog(get, values.campaign, key, state?.checkpoint ?? null, values.witness ?? []);
if (values.operator) {
  const config = loadConfig();
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: join(config.dataDir, 'pglite'), poolSize: 2 }).catch((error: unknown) => {
    exitIfDataDirInUse(error);
    throw error;
  });
  try {
    report.violations.push(...(await crossCheckAdmissions(database.db, values.campaign, new QueueOpenings(config.secrets.personPepper), report.replay)));
  } finally {
    await database.close();
  }
}

const { checkpoint, replay, violations } = report;
console.log(`log ${checkpoint.origin}: ${checkpoint.size} entries, root ${checkpoint.root.toString('base64')}`);
console.log(`  ${Object.entries(replay.counts).filter(([, n]) => n > 0).map(([kind, n]) => `${kind} ${n}`).join(', ') || 'no entries'}`);
console.log(`  places handed out up to ${replay.issuedUpTo}, served up to ${replay.servingUpTo}, ${replay.admitted.size} admitted${values.operator ? '; checked against the database' : ''}`);
if (violations.length === 0) {
  console.log('verdict: clean');
  if (values.state) writeFileSync(values.state, JSON.stringify({ key, checkpoint: rememberCheckpoint(checkpoint) } satisfies AuditState, null, 2));
} else {
  console.log(`verdict: ${violations.length} violation${violations.length === 1 ? '' : 's'}`);
  for (const v of violations.slice(0, 50)) console.log(`  ${v}`);
  if (violations.length > 50) console.log(`  … and ${violations.length - 50} more`);
  process.exitCode = 1;
}
