import { describe, expect, it } from 'vitest';
import { HashLevels } from './hash-levels.ts';
import { inclusionProof, leafHash, rootHash } from './merkle.ts';
import { TILE_WIDTH, decodeEntryBundle, encodeEntryBundle, encodeTileIndex, hashReaderOfTiles, parseTilePath, tileHashes, tilePath, tileWidth } from './tiles.ts';

describe('C2SP tiles', () => {
  it('writes tile paths as the specification does, and reads back only the canonical form', () => {
    expect(encodeTileIndex(1234067)).toBe('x001/x234/067');
    expect(encodeTileIndex(0)).toBe('000');
    expect(encodeTileIndex(1000)).toBe('x001/000');
    expect(tilePath({ level: 0, index: 1234067, width: 256 })).toBe('tile/0/x001/x234/067');
    expect(tilePath({ level: 1, index: 5, width: 13 })).toBe('tile/1/005.p/13');
    expect(tilePath({ level: 'entries', index: 1234067, width: 8 })).toBe('tile/entries/x001/x234/067.p/8');
    expect(parseTilePath('0/x001/x234/067')).toEqual({ level: 0, index: 1234067, width: 256 });
    expect(parseTilePath('entries/x001/x234/067.p/8')).toEqual({ level: 'entries', index: 1234067, width: 8 });
    for (const bad of ['0/x000/067', '0/67', '0/1234', '0/067.p/256', '0/067.p/0', '0/067.p/07', '64/000', 'x/000', '0/x001', '0/001/002', '00/001', '0/000/']) {
      expect(parseTilePath(bad), bad).toBeNull();
    }
  });

  it('bundles entries as length-prefixed bytes, and refuses a truncated bundle', () => {
    const entries = [Buffer.from('a'), Buffer.alloc(0), Buffer.alloc(300, 9)];
    const bundle = encodeEntryBundle(entries);
    expect(bundle.subarray(0, 3)).toEqual(Buffer.from([0, 1, 0x61]));
    expect(decodeEntryBundle(bundle)).toEqual(entries);
    expect(() => decodeEntryBundle(bundle.subarray(0, bundle.length - 1))).toThrow(RangeError);
  });

  it('serves a tree of 70,000 leaves as tiles from which an auditor computes the same root and proofs', () => {
    const size = 70_000; // past 256² leaves, so that there are tiles at level 2
    const tree = new HashLevels();
    for (let i = 0; i < size; i++) tree.append(leafHash(Buffer.from(`entry ${i}`)));
    const tiles = new Map<string, Buffer>();
    for (let level = 0; level <= 2; level++) {
      for (let index = 0; tileWidth(size, level, index) > 0; index++) {
        tiles.set(`${level}/${index}`, tileHashes(tree.read, level, index, tileWidth(size, level, index)));
      }
    }
    expect(tileWidth(size, 0, 273)).toBe(size - 273 * TILE_WIDTH);
    expect(tileWidth(size, 2, 0)).toBe(1);
    expect(tileWidth(size, 2, 1)).toBe(0);
    const fromTiles = hashReaderOfTiles((level, index) => tiles.get(`${level}/${index}`) ?? Buffer.alloc(0));
    for (const n of [1, 255, 256, 257, 65_536, 65_537, size]) expect(rootHash(fromTiles, n).equals(rootHash(tree.read, n)), `size ${n}`).toBe(true);
    expect(inclusionProof(fromTiles, 12_345, size)).toEqual(inclusionProof(tree.read, 12_345, size));
    // A tile altered by one bit gives another root.
    const altered = Buffer.from(tiles.get('0/3')!);
    altered[5] = altered[5]! ^ 1;
    const alteredReader = hashReaderOfTiles((level, index) => (level === 0 && index === 3 ? altered : (tiles.get(`${level}/${index}`) ?? Buffer.alloc(0))));
    expect(rootHash(hashReaderOfTiles((l, i) => tiles.get(`${l}/${i}`) ?? Buffer.alloc(0)), 1000).equals(rootHash(alteredReader, 1000))).toBe(false);
  });
});
