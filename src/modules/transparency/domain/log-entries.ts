import { HASH_BYTES } from './merkle.ts';

/**
 * The entries of a campaign's queue log (docs/transparency.md): one ASCII line each, the kind
 * first, then its fields in a fixed order, separated by single spaces. Integers are decimal
 * without leading zeros, times Unix milliseconds of the server clock (UTC), hashes standard
 * base64. An entry's bytes are what its leaf hashes; a parser accepts only the form the encoder
 * writes, so one entry has one encoding.
 */
export type LogEntry =
  /** A first-come place: its position, when it was handed out, the holder's commitment. */
  | { kind: 'place'; position: number; atMs: number; commitment: Buffer }
  /**
   * A place handed out earlier whose `place` entry the log never received (the store lost it
   * before the sequencer stored it), recorded when the queue learnt of it again: from the
   * journal when the store was restored, or from the holder's signed ticket. The time is then.
   */
  | { kind: 'restore'; position: number; atMs: number; commitment: Buffer }
  /** A round's seed committed before its pre-queue takes anyone: SHA-256 of the seed. */
  | { kind: 'seed'; round: number; atMs: number; seedHash: Buffer }
  /** A pre-queue entry of a round, placed when the round is drawn. */
  | { kind: 'enter'; round: number; atMs: number; commitment: Buffer }
  /**
   * A round drawn at its opening: the seed revealed, its `count` entries placed at base + 1 …
   * base + count in the order of their draws, and the SHA-256 of their commitments in that order.
   */
  | { kind: 'draw'; round: number; atMs: number; base: number; count: number; seed: Buffer; orderHash: Buffer }
  /** The queue serves every place up to this position from now. */
  | { kind: 'serve'; servingUpTo: number; atMs: number }
  /** The place at this position was admitted to book. */
  | { kind: 'admit'; position: number; atMs: number }
  /** The place at this position was passed over: its holder left, or their admission expired unused. */
  | { kind: 'skip'; position: number; atMs: number; reason: SkipReason }
  | { kind: 'pause'; atMs: number }
  | { kind: 'resume'; atMs: number }
  | { kind: 'close'; atMs: number }
  | { kind: 'reopen'; atMs: number };

type SkipReason = 'abandoned' | 'expired';
const SKIP_REASONS: readonly SkipReason[] = ['abandoned', 'expired'];

type Field = 'int' | 'hash' | 'reason';
type Kind = LogEntry['kind'];

/** Each kind's fields, in the order they are written. */
const FIELDS: { [K in Kind]: [Exclude<keyof Extract<LogEntry, { kind: K }>, 'kind'>, Field][] } = {
  place: [['position', 'int'], ['atMs', 'int'], ['commitment', 'hash']],
  restore: [['position', 'int'], ['atMs', 'int'], ['commitment', 'hash']],
  seed: [['round', 'int'], ['atMs', 'int'], ['seedHash', 'hash']],
  enter: [['round', 'int'], ['atMs', 'int'], ['commitment', 'hash']],
  draw: [['round', 'int'], ['atMs', 'int'], ['base', 'int'], ['count', 'int'], ['seed', 'hash'], ['orderHash', 'hash']],
  serve: [['servingUpTo', 'int'], ['atMs', 'int']],
  admit: [['position', 'int'], ['atMs', 'int']],
  skip: [['position', 'int'], ['atMs', 'int'], ['reason', 'reason']],
  pause: [['atMs', 'int']],
  resume: [['atMs', 'int']],
  close: [['atMs', 'int']],
  reopen: [['atMs', 'int']],
};

export class EntryError extends Error {}

function encodeField(value: unknown, type: Field): string {
  if (type === 'int' && Number.isSafeInteger(value) && (value as number) >= 0) return String(value);
  if (type === 'hash' && Buffer.isBuffer(value) && value.length === HASH_BYTES) return value.toString('base64');
  if (type === 'reason' && SKIP_REASONS.includes(value as SkipReason)) return value as string;
  throw new EntryError(`not a valid ${type}: ${String(value)}`);
}

function decodeField(text: string, type: Field): number | Buffer | SkipReason {
  if (type === 'int' && /^(0|[1-9][0-9]*)$/.test(text) && Number.isSafeInteger(Number(text))) return Number(text);
  if (type === 'hash') {
    const hash = Buffer.from(text, 'base64');
    if (hash.length === HASH_BYTES && hash.toString('base64') === text) return hash;
  }
  if (type === 'reason' && SKIP_REASONS.includes(text as SkipReason)) return text as SkipReason;
  throw new EntryError(`not a valid ${type}: ${text}`);
}

/** The bytes of an entry: `<kind> <field> …\n`. */
export function encodeEntry(entry: LogEntry): Buffer {
  return Buffer.from(encodeEntryLine(entry), 'ascii');
}

/** The same bytes as text (ASCII, newline included): what the log stores and hashes (`leafHashOfLine`). */
export function encodeEntryLine(entry: LogEntry): string {
  const fields = FIELDS[entry.kind] as [string, Field][];
  let line: string = entry.kind;
  for (const [name, type] of fields) line += ` ${encodeField((entry as unknown as Record<string, unknown>)[name], type)}`;
  return `${line}\n`;
}

/** The entry its bytes encode; throws EntryError for anything the encoder would not write. */
export function decodeEntry(bytes: Uint8Array): LogEntry {
  const text = Buffer.from(bytes).toString('latin1');
  if (!/^[a-z]+( [0-9A-Za-z+/=]+)*\n$/.test(text)) throw new EntryError('malformed entry');
  const [kind, ...values] = text.slice(0, -1).split(' ');
  if (!kind || !Object.hasOwn(FIELDS, kind)) throw new EntryError(`unknown entry kind: ${kind}`);
  const fields = FIELDS[kind as Kind] as [string, Field][];
  if (values.length !== fields.length) throw new EntryError(`a ${kind} entry has ${fields.length} fields`);
  const entry: Record<string, unknown> = { kind };
  fields.forEach(([name, type], i) => (entry[name] = decodeField(values[i]!, type)));
  return entry as unknown as LogEntry;
}
