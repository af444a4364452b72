import { HASH_BYTES, nodeHash, type HashReader } from './merkle.ts';

/**
 * C2SP tlog-tiles (https://c2sp.org/tlog-tiles): a log's hashes served as immutable files. A tile
 * at level L holds up to 256 consecutive hashes of the tree's level 8·L (level 0: the leaf hashes),
 * tile N the ones from index 256·N; a tile not yet full is served as a partial tile of width W.
 * Its path is `tile/<L>/<N>[.p/<W>]`, N written in 3-digit groups, all but the last behind an `x`
 * (1234067 → `x001/x234/067`). The entries themselves are bundled the same way under
 * `tile/entries/`, each entry as a big-endian uint16 length and its bytes.
 */
export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 2 ** TILE_HEIGHT;

export interface TileAddress {
  /** The tile's level, or 'entries' for an entry bundle. */
  level: number | 'entries';
  index: number;
  /** 256 for a full tile, 1–255 for a partial one. */
  width: number;
}

/** The index of a tile as its path elements: 1234067 → `x001/x234/067`. */
export function encodeTileIndex(index: number): string {
  if (!Number.isSafeInteger(index) || index < 0) throw new RangeError(`not a tile index: ${index}`);
  const groups: string[] = [];
  let n = index;
  do {
    groups.unshift(String(n % 1000).padStart(3, '0'));
    n = Math.floor(n / 1000);
  } while (n > 0);
  return groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join('/');
}

/** A tile's path below the log's prefix: `tile/<L>/<N>[.p/<W>]`. */
export function tilePath(t: TileAddress): string {
  if (!Number.isInteger(t.width) || t.width < 1 || t.width > TILE_WIDTH) throw new RangeError(`not a tile width: ${t.width}`);
  return `tile/${t.level}/${encodeTileIndex(t.index)}${t.width < TILE_WIDTH ? `.p/${t.width}` : ''}`;
}

/** The tile a path names (without `tile/`), or null for any path not in the canonical form. */
export function parseTilePath(path: string): TileAddress | null {
  const match = /^(entries|[0-9]|[1-5][0-9]|6[0-3])\/((?:x[0-9]{3}\/)*)([0-9]{3})(?:\.p\/([1-9][0-9]{0,2}))?$/.exec(path);
  if (!match) return null;
  const groups = [...(match[2] ?? '').split('/').filter(Boolean).map((g) => g.slice(1)), match[3]!];
  // The shortest form only: no leading group of zeros.
  if (groups.length > 1 && groups[0] === '000') return null;
  const index = groups.reduce((n, g) => n * 1000 + Number(g), 0);
  const width = match[4] === undefined ? TILE_WIDTH : Number(match[4]);
  // A partial tile is narrower than a full one.
  if (!Number.isSafeInteger(index) || (match[4] !== undefined && width >= TILE_WIDTH)) return null;
  return { level: match[1] === 'entries' ? 'entries' : Number(match[1]), index, width };
}

/** How many hashes of a tree of `size` leaves tile `index` at `level` holds (0 when none). */
export function tileWidth(size: number, level: number, index: number): number {
  const hashes = Math.floor(size / 2 ** (TILE_HEIGHT * level));
  return Math.max(0, Math.min(TILE_WIDTH, hashes - index * TILE_WIDTH));
}

/** The bytes of a hash tile: its `width` hashes, concatenated. */
export function tileHashes(read: HashReader, level: number, index: number, width: number): Buffer {
  const hashes: Buffer[] = [];
  for (let i = 0; i < width; i++) hashes.push(read(level * TILE_HEIGHT, index * TILE_WIDTH + i));
  return Buffer.concat(hashes);
}

/**
 * The stored hashes of a tree read from its tiles, as an auditor holding them reads it: a hash at
 * a level between two tile levels is computed from the tile level below. `tileAt` returns the
 * widest tile it has at a tile level and index (a partial one serves what it holds).
 */
export function hashReaderOfTiles(tileAt: (level: number, index: number) => Uint8Array): HashReader {
  const read: HashReader = (level, index) => {
    if (level % TILE_HEIGHT !== 0) return nodeHash(read(level - 1, 2 * index), read(level - 1, 2 * index + 1));
    const tile = tileAt(level / TILE_HEIGHT, Math.floor(index / TILE_WIDTH));
    const at = (index % TILE_WIDTH) * HASH_BYTES;
    if (tile.length < at + HASH_BYTES) throw new RangeError(`tile ${level / TILE_HEIGHT}/${Math.floor(index / TILE_WIDTH)} does not reach hash ${index}`);
    return Buffer.from(tile.subarray(at, at + HASH_BYTES));
  };
  return read;
}

/** An entry bundle: each entry as a big-endian uint16 length and its bytes. */
export function encodeEntryBundle(entries: readonly Uint8Array[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    if (entry.length > 0xffff) throw new RangeError('an entry longer than 65,535 bytes');
    const length = Buffer.alloc(2);
    length.writeUInt16BE(entry.length);
    parts.push(length, Buffer.from(entry));
  }
  return Buffer.concat(parts);
}

/** The entries of a bundle; throws on a truncated one. */
export function decodeEntryBundle(bundle: Uint8Array): Buffer[] {
  const bytes = Buffer.from(bundle);
  const entries: Buffer[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (at + 2 > bytes.length) throw new RangeError('truncated entry bundle');
    const length = bytes.readUInt16BE(at);
    if (at + 2 + length > bytes.length) throw new RangeError('truncated entry bundle');
    entries.push(bytes.subarray(at + 2, at + 2 + length));
    at += 2 + length;
  }
  return entries;
}
