import { fetchOk, fetchTree, logBase, type LogFetch } from '../audit/download-log.ts';
import { parseCheckpoint } from '../domain/checkpoint.ts';
import type { Witness } from '../domain/cosignature.ts';
import { rootHash } from '../domain/merkle.ts';
import { NoteError, openNote, verifierOf } from '../../../lib/signed-note.ts';

/** What a witness remembers of a log: the last checkpoint it cosigned. */
export interface WitnessMemory {
  origin: string;
  size: number;
  /** base64 */
  root: string;
}

export type WitnessOutcome =
  /** Cosigned: the note to hand the log (its checkpoint with this witness's line), and what to remember. */
  | { kind: 'cosigned'; note: string; memory: WitnessMemory }
  /** The checkpoint is the one cosigned last: nothing to do. */
  | { kind: 'unchanged' }
  /** Refused, and why: this witness will never cosign a history that contradicts what it cosigned. */
  | { kind: 'refused'; reason: string };

/**
 * One look at a campaign's log by a witness (C2SP tlog-witness semantics, pulled instead of
 * pushed): fetches the latest checkpoint, opens it with the log's key, and cosigns it only if the
 * log's tiles hash to its root and its tree extends the one the witness cosigned last — same
 * origin, not smaller, the old root recomputed from the new tiles. Full tiles are kept in
 * `tiles` between looks (they never change). A fork — two trees of one size, or a tree that does
 * not extend the last — is refused, however validly the log signed it.
 */
export async function witnessOnce(get: LogFetch, campaignId: string, logKey: string, witness: Witness, memory: WitnessMemory | null, nowSeconds: number, tiles = new Map<string, Buffer>()): Promise<WitnessOutcome> {
  const base = logBase(campaignId);
  const note = (await fetchOk(get, `${base}/checkpoint`)).toString('utf8');
  let text: string;
  try {
    text = openNote(note, [verifierOf(logKey)]).text;
  } catch (error) {
    if (error instanceof NoteError) return { kind: 'refused', reason: `the checkpoint is not signed by the log's key (${error.message})` };
    throw error;
  }
  const checkpoint = parseCheckpoint(text);
  const root = checkpoint.root.toString('base64');
  if (memory) {
    if (checkpoint.origin !== memory.origin) return { kind: 'refused', reason: `another log's checkpoint (${checkpoint.origin}, not ${memory.origin})` };
    if (checkpoint.size < memory.size) return { kind: 'refused', reason: `the log shrank from ${memory.size} to ${checkpoint.size} entries` };
    if (checkpoint.size === memory.size) return root === memory.root ? { kind: 'unchanged' } : { kind: 'refused', reason: `a fork: two roots for ${memory.size} entries` };
  }
  const read = await fetchTree(get, base, checkpoint.size, tiles);
  if (!rootHash(read, checkpoint.size).equals(checkpoint.root)) return { kind: 'refused', reason: 'the tiles do not hash to the signed root' };
  if (memory && !rootHash(read, memory.size).equals(Buffer.from(memory.root, 'base64'))) {
    return { kind: 'refused', reason: `a fork: the tree of ${checkpoint.size} entries does not extend the one of ${memory.size} cosigned before` };
  }
  return { kind: 'cosigned', note: note + witness.cosign(text, nowSeconds), memory: { origin: checkpoint.origin, size: checkpoint.size, root } };
}
