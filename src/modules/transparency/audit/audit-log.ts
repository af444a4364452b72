import type { Checkpoint } from '../domain/checkpoint.ts';
import { rootHash, type HashReader } from '../domain/merkle.ts';
import { replayLog, type Replay } from '../domain/order-of-service.ts';
import { downloadLog, type LogFetch } from './download-log.ts';

/** What an auditor remembers of the last checkpoint it verified (its state file). */
export interface RememberedCheckpoint {
  origin: string;
  size: number;
  /** base64 */
  root: string;
}

export interface AuditReport {
  checkpoint: Checkpoint;
  /** The hashes of the checkpoint's tree, from its tiles. */
  read: HashReader;
  replay: Replay;
  /** Every rule broken; empty for a clean verdict. */
  violations: string[];
}

/**
 * Audits a campaign's log (docs/transparency.md "The auditor"): downloads and verifies it, checks
 * that it extends the checkpoint verified last time (append-only: the old tree is a prefix of the
 * new), and replays its entries against the order-of-service rules.
 */
export async function auditLog(get: LogFetch, campaignId: string, verifierKey: string, previous: RememberedCheckpoint | null = null): Promise<AuditReport> {
  const log = await downloadLog(get, campaignId, verifierKey);
  const violations = [...log.violations];
  if (previous && log.violations.length === 0) {
    if (previous.origin !== log.checkpoint.origin) violations.push(`the log's origin changed from ${previous.origin} to ${log.checkpoint.origin}`);
    else if (previous.size > log.checkpoint.size) violations.push(`the log shrank from ${previous.size} to ${log.checkpoint.size} entries`);
    else if (!rootHash(log.read, previous.size).equals(Buffer.from(previous.root, 'base64'))) {
      violations.push(`the log forked: its first ${previous.size} entries are not the ones signed before`);
    }
  }
  const replay = replayLog(log.entries);
  violations.push(...replay.violations);
  return { checkpoint: log.checkpoint, read: log.read, replay, violations };
}

/** What to remember of an audited checkpoint for the next audit. */
export function rememberCheckpoint(c: Checkpoint): RememberedCheckpoint {
  return { origin: c.origin, size: c.size, root: c.root.toString('base64') };
}
