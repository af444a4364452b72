import { HASH_BYTES } from './merkle.ts';
import { NoteError, isNoteText } from '../../../lib/signed-note.ts';

/**
 * C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint): the text of a signed note naming a log
 * (its origin), a tree size in decimal and the base64 root hash of the tree of that size, one per
 * line, then optional extension lines.
 */
export interface Checkpoint {
  origin: string;
  size: number;
  root: Buffer;
  extensions: string[];
}

/** The note text of a checkpoint. */
export function formatCheckpoint(c: Checkpoint): string {
  if (!Number.isSafeInteger(c.size) || c.size < 0 || c.root.length !== HASH_BYTES) throw new NoteError('malformed checkpoint');
  const text = [c.origin, String(c.size), c.root.toString('base64'), ...c.extensions].map((line) => `${line}\n`).join('');
  if (!isNoteText(text) || [c.origin, ...c.extensions].some((line) => line === '' || line.includes('\n'))) throw new NoteError('malformed checkpoint');
  return text;
}

/** A checkpoint from its note text (signatures already checked); throws NoteError if malformed. */
export function parseCheckpoint(text: string): Checkpoint {
  if (!isNoteText(text)) throw new NoteError('malformed checkpoint');
  const [origin, size, root, ...rest] = text.slice(0, -1).split('\n');
  const hash = Buffer.from(root ?? '', 'base64');
  if (!origin || !size || !/^(0|[1-9][0-9]*)$/.test(size) || !Number.isSafeInteger(Number(size))) throw new NoteError('malformed checkpoint');
  if (hash.length !== HASH_BYTES || hash.toString('base64') !== root || rest.some((line) => line === '')) throw new NoteError('malformed checkpoint');
  return { origin, size: Number(size), root: hash, extensions: rest };
}
