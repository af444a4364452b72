import type { Checkpoint } from '../domain/checkpoint.ts';
import { rootHash, type HashReader } from '../domain/merkle.ts';
import { replayLog, type Replay } from '../domain/order-of-service.ts';
import { parseCheckpoint } from '../domain/checkpoint.ts';
import { cosignedAt } from '../domain/cosignature.ts';
import { NoteError, openNote, verifierOf } from '../../../lib/signed-note.ts';
import { downloadLog, logBase, type LogFetch } from './download-log.ts';

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
export async function auditLog(get: LogFetch, campaignId: string, verifierKey: string, previous: RememberedCheckpoint | null = null, witnessKeys: readonly string[] = []): Promise<AuditReport> {
  const log = await downloadLog(get, campaignId, verifierKey);
  const violations = [...log.violations];
  if (witnessKeys.length > 0 && log.violations.length === 0) violations.push(...(await checkWitnessed(get, campaignId, verifierKey, witnessKeys, log)));
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

/**
 * With witnesses to trust: the largest witnessed checkpoint must carry each one's cosignature and
 * the log's signature, and the tree audited must extend it — the history the witnesses saw.
 */
async function checkWitnessed(get: LogFetch, campaignId: string, verifierKey: string, witnessKeys: readonly string[], log: { read: HashReader; checkpoint: Checkpoint }): Promise<string[]> {
  const res = await get(`${logBase(campaignId)}/checkpoint/witnessed`);
  if (res.status === 404) return ['no witnessed checkpoint: no witness has cosigned the log'];
  if (res.status !== 200) throw new Error(`GET the witnessed checkpoint answered ${res.status}`);
  const note = res.body.toString('utf8');
  let witnessed: Checkpoint;
  try {
    witnessed = parseCheckpoint(openNote(note, [verifierOf(verifierKey)]).text);
  } catch (error) {
    if (error instanceof NoteError) return [`the witnessed checkpoint is not signed by the log's key (${error.message})`];
    throw error;
  }
  const violations = witnessKeys.filter((key) => cosignedAt(note, key) === null).map((key) => `the witnessed checkpoint lacks the cosignature of ${key.slice(0, key.indexOf('+'))}`);
  if (witnessed.size > log.checkpoint.size) violations.push(`the witnesses cosigned ${witnessed.size} entries, more than the ${log.checkpoint.size} served`);
  else if (!rootHash(log.read, witnessed.size).equals(witnessed.root)) violations.push(`the log served is not the one the witnesses cosigned at ${witnessed.size} entries`);
  return violations;
}
