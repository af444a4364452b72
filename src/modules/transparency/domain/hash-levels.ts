import { type HashReader, nodeHash } from './merkle.ts';

/**
 * The stored hashes of a growing tree: at each level the hash of every complete subtree, the
 * leaf hashes at level 0. Appending a leaf completes at most one subtree per level, so an append
 * costs one hash per level it completes (two on average). These are the hashes a tile serves.
 */
export class HashLevels {
  readonly #levels: Buffer[][] = [[]];

  /** How many leaves the tree has. */
  get size(): number {
    return this.#levels[0]!.length;
  }

  /** Appends a leaf hash; returns its index. */
  append(leaf: Buffer): number {
    const index = this.size;
    let hash = leaf;
    for (let level = 0; ; level++) {
      const hashes = (this.#levels[level] ??= []);
      hashes.push(hash);
      if (hashes.length % 2 === 1) break;
      hash = nodeHash(hashes[hashes.length - 2]!, hash);
    }
    return index;
  }

  /** The hash of the complete subtree at `level`, `index`; throws if that subtree is not complete. */
  readonly read: HashReader = (level, index) => {
    const hash = this.#levels[level]?.[index];
    if (!hash) throw new RangeError(`no complete subtree at level ${level}, index ${index} in a tree of ${this.size}`);
    return hash;
  };
}
