import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CompactHashLevels, TileNotHeld } from './compact-hash-levels.ts';
import { HashLevels } from './hash-levels.ts';
import { consistencyProof, inclusionProof, type HashReader, leafHash, rootHash } from './merkle.ts';
import { tileHashes } from './tiles.ts';

const leafOf = (i: number) => leafHash(createHash('sha256').update(`entry ${i}\n`).digest());

/** Runs `compute`, loading each tile it asks for from the leaves (as the log reads them back from its bundles). */
function withTiles<T>(tree: CompactHashLevels, compute: (read: HashReader) => T, loaded: number[] = []): T {
  for (;;) {
    try {
      return compute(tree.read);
    } catch (error) {
      if (!(error instanceof TileNotHeld)) throw error;
      loaded.push(error.tile);
      tree.loadTile(
        error.tile,
        Array.from({ length: 256 }, (_, i) => leafOf(error.tile * 256 + i)),
      );
    }
  }
}

describe('CompactHashLevels (the tree without its complete tiles below level 8)', () => {
  const SIZE = 256 * 80 + 77;
  const full = new HashLevels();
  const compact = new CompactHashLevels();
  for (let i = 0; i < SIZE; i++) {
    full.append(leafOf(i));
    expect(compact.append(leafOf(i))).toBe(i);
  }

  it('gives the same roots at its own size and at every earlier size, loading what a past size needs', () => {
    const loaded: number[] = [];
    // Its own size needs no tile: every hash is at level 8 or up, or in the right edge.
    expect(compact.read(0, SIZE - 1)).toEqual(full.read(0, SIZE - 1));
    expect(rootHash(compact.read, SIZE)).toEqual(rootHash(full.read, SIZE));
    for (const size of [1, 255, 256, 257, 1000, 256 * 10, 256 * 80, SIZE - 1]) {
      expect(withTiles(compact, (read) => rootHash(read, size), loaded), `size ${size}`).toEqual(rootHash(full.read, size));
    }
    // Tiles 0 … 15 were dropped (64 kept), and the root at size 1000 needed tile 3.
    expect(loaded).toContain(3);
  });

  it('gives the same inclusion and consistency proofs and hash tiles', () => {
    for (const [index, size] of [[0, SIZE], [300, 4000], [SIZE - 1, SIZE], [256 * 5 + 3, 256 * 70 + 9], [12, 13]] as const) {
      expect(withTiles(compact, (read) => inclusionProof(read, index, size))).toEqual(inclusionProof(full.read, index, size));
    }
    for (const [oldSize, newSize] of [[1, SIZE], [777, 20_000], [256 * 3, 256 * 79 + 1], [SIZE - 5, SIZE]] as const) {
      expect(withTiles(compact, (read) => consistencyProof(read, oldSize, newSize))).toEqual(consistencyProof(full.read, oldSize, newSize));
    }
    for (const [level, index, width] of [[0, 2, 256], [0, 80, 77], [1, 0, 80], [0, 79, 256]] as const) {
      expect(withTiles(compact, (read) => tileHashes(read, level, index, width))).toEqual(tileHashes(full.read, level, index, width));
    }
  });

  it('refuses a tile that is not complete, and a hash past the tree', () => {
    expect(() => compact.loadTile(80, Array.from({ length: 256 }, (_, i) => leafOf(80 * 256 + i)))).toThrow(RangeError);
    expect(() => compact.read(0, SIZE)).toThrow(RangeError);
    expect(() => compact.read(8, 81)).toThrow(RangeError);
  });
});
