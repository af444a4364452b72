import { HashRow } from './hash-levels.ts';
import { type HashReader, nodeHash } from './merkle.ts';
import { TILE_HEIGHT, TILE_WIDTH } from './tiles.ts';

/** A level-0 tile's hashes below the tile level above it: levels 0 … TILE_HEIGHT − 1, indexed within the tile. */
type TileLevels = HashRow[];

/** A hash below the first tile level, in a complete tile the tree does not hold: load the tile's leaves (`loadTile`) and read again. */
export class TileNotHeld extends Error {
  constructor(readonly tile: number) {
    super(`level-0 tile ${tile} is not held`);
  }
}

/** How many complete level-0 tiles are kept after they were loaded or completed (16 KB each). */
const TILES_KEPT = 64;

/**
 * The stored hashes of a growing tree, kept small: every hash from the first tile level up (level
 * 8: one hash per 256 leaves, about a quarter of a byte a leaf for all of them), and below it only
 * the tile at the right edge, still growing, and the last complete tiles used. A hash in another
 * complete tile throws `TileNotHeld`; its 256 leaf hashes, read back from the stored entries, give
 * the tile again (`loadTile`). A checkpoint's root at the tree's own size never needs one; a proof
 * or a hash tile of the past needs one or two.
 */
export class CompactHashLevels {
  /** Levels TILE_HEIGHT and up: every complete subtree's hash. */
  readonly #upper: HashRow[] = [];
  /** The right edge's tile, levels 0 … TILE_HEIGHT − 1. */
  #edge: TileLevels = newTile();
  /** Complete tiles held, least recently used first. */
  readonly #tiles = new Map<number, TileLevels>();
  #size = 0;

  /** How many leaves the tree has. */
  get size(): number {
    return this.#size;
  }

  /** Appends a leaf hash; returns its index. */
  append(leaf: Uint8Array): number {
    return this.appendHashed(leaf, (left, right) => nodeHash(left, right));
  }

  /**
   * Appends a leaf hash with the interior hashes it completes, made elsewhere (`treeHashes`, in
   * order from the lowest level): `node` gives each in turn, from the two children it joins.
   */
  appendHashed(leaf: Uint8Array, node: (left: Buffer, right: Uint8Array) => Uint8Array): number {
    const index = this.#size;
    let hash = leaf;
    for (let level = 0; ; level++) {
      const row = level < TILE_HEIGHT ? this.#edge[level]! : (this.#upper[level - TILE_HEIGHT] ??= new HashRow());
      row.push(hash);
      if (row.length % 2 === 1) break;
      hash = node(row.at(row.length - 2)!, hash);
    }
    this.#size += 1;
    if (this.#size % TILE_WIDTH === 0) {
      this.#keep(Math.floor(index / TILE_WIDTH), this.#edge);
      this.#edge = newTile();
    }
    return index;
  }

  /**
   * The tree's right edge: at each level, the last complete subtree still without a right sibling,
   * or null. With it the hashes of the next leaves can be made anywhere (`treeHashes`).
   */
  rightEdge(): (Uint8Array | null)[] {
    const edge: (Uint8Array | null)[] = [];
    // Copies, 32 bytes each: a view would take its whole row along when it crosses to another thread.
    for (let level = 0, count = this.#size; count > 0; level++, count = Math.floor(count / 2)) edge.push(count % 2 === 1 ? new Uint8Array(this.read(level, count - 1)) : null);
    return edge;
  }

  /** Holds a complete tile again from its 256 leaf hashes, in order. */
  loadTile(tile: number, leaves: readonly Uint8Array[]): void {
    if (leaves.length !== TILE_WIDTH || (tile + 1) * TILE_WIDTH > this.#size) throw new RangeError(`tile ${tile} is not complete in a tree of ${this.#size}`);
    const levels = newTile();
    for (const leaf of leaves) {
      let hash = leaf;
      for (let level = 0; level < TILE_HEIGHT; level++) {
        const row = levels[level]!;
        row.push(hash);
        if (row.length % 2 === 1) break;
        hash = nodeHash(row.at(row.length - 2)!, hash);
      }
    }
    this.#keep(tile, levels);
  }

  /** The hash of the complete subtree at `level`, `index`; throws `TileNotHeld` for a tile to load, RangeError if that subtree is not complete. */
  readonly read: HashReader = (level, index) => {
    const hash = level >= TILE_HEIGHT ? this.#upper[level - TILE_HEIGHT]?.at(index) : this.#below(level, index);
    if (!hash) throw new RangeError(`no complete subtree at level ${level}, index ${index} in a tree of ${this.#size}`);
    return hash;
  };

  #below(level: number, index: number): Buffer | undefined {
    const perTile = TILE_WIDTH >> level;
    const tile = Math.floor(index / perTile);
    const edgeTile = Math.floor(this.#size / TILE_WIDTH);
    if (tile === edgeTile) return this.#edge[level]!.at(index - tile * perTile);
    if (tile > edgeTile || index < 0) return undefined;
    const held = this.#tiles.get(tile);
    if (!held) throw new TileNotHeld(tile);
    this.#tiles.delete(tile);
    this.#tiles.set(tile, held);
    return held[level]!.at(index - tile * perTile);
  }

  #keep(tile: number, levels: TileLevels): void {
    this.#tiles.delete(tile);
    this.#tiles.set(tile, levels);
    if (this.#tiles.size > TILES_KEPT) this.#tiles.delete(this.#tiles.keys().next().value!);
  }
}

function newTile(): TileLevels {
  return Array.from({ length: TILE_HEIGHT }, (_, level) => new HashRow(TILE_WIDTH >> level));
}
