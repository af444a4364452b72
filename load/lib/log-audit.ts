/**
 * The night's queue log audited as anyone could (issue 22, docs/transparency.md "The auditor"):
 * once the crowd is done and the log has caught up, `auditLog` downloads the campaign's checkpoint
 * and tiles from the system's own address, verifies them and replays the order of service; then,
 * with the apps stopped, the admissions the database granted are checked against it (the
 * operator's mode of `npm run audit`). Any violation fails the run like a broken invariant.
 */
import { join } from 'node:path';
import { loadConfig } from '../../src/config.ts';
import { openDatabase } from '../../src/infra/db/database.ts';
import { auditLog, type AuditReport } from '../../src/modules/transparency/audit/audit-log.ts';
import { crossCheckAdmissions } from '../../src/modules/transparency/audit/cross-check.ts';
import { httpLogFetch } from '../../src/modules/transparency/audit/download-log.ts';
import { QueueOpenings } from '../../src/modules/transparency/queue-openings.ts';

export interface LogAudit {
  /** Entries in the checkpoint audited, and of them places, admissions and skips. */
  entries: number;
  counts: Record<string, number>;
  admitted: number;
  /** Every rule broken, the public audit's and the database cross-check's; empty when clean. */
  violations: string[];
  crossChecked: boolean;
  seconds: number;
}

/** How long the log may take to hold the night's last changes once the crowd stopped. */
const CATCH_UP_MS = 60_000;

/** The public audit, while the apps still serve: null when the system keeps no queue log. */
export async function auditPublicLog(origin: string, campaignId: string): Promise<{ report: AuditReport; seconds: number } | null> {
  const get = httpLogFetch(origin);
  const key = await get('/api/v1/log/key');
  if (key.status !== 200) return null;
  const startedAt = performance.now();
  // The sequencer stores each refresh's changes and a checkpoint follows within a second: audit
  // once two checkpoints two seconds apart agree (or after a minute, whatever it holds then).
  let size = -1;
  const deadline = Date.now() + CATCH_UP_MS;
  while (Date.now() < deadline) {
    const checkpoint = await get(`/api/v1/campaigns/${campaignId}/log/checkpoint`);
    const now = checkpoint.status === 200 ? Number(checkpoint.body.toString('utf8').split('\n')[1]) : -1;
    if (now === size && now > 0) break;
    size = now;
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
  const report = await auditLog(get, campaignId, key.body.toString('utf8').trim());
  return { report, seconds: (performance.now() - startedAt) / 1000 };
}

/** The operator's cross-check, with the apps stopped: every admission the database granted is in the log. */
export async function crossCheckLog(env: NodeJS.ProcessEnv, campaignId: string, audited: { report: AuditReport; seconds: number }): Promise<LogAudit> {
  const { report } = audited;
  const config = loadConfig(env);
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: join(config.dataDir, 'pglite'), poolSize: 2 });
  const startedAt = performance.now();
  try {
    const violations = [...report.violations, ...(await crossCheckAdmissions(database.db, campaignId, new QueueOpenings(config.secrets.personPepper), report.replay))];
    return {
      entries: report.checkpoint.size,
      counts: report.replay.counts,
      admitted: report.replay.admitted.size,
      violations,
      crossChecked: true,
      seconds: audited.seconds + (performance.now() - startedAt) / 1000,
    };
  } finally {
    await database.close();
  }
}
