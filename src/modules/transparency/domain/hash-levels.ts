import { HASH_BYTES, type HashReader, nodeHash } from './merkle.ts';

/** One level's hashes, 32 bytes each, in one buffer that doubles as it fills. */
export class HashRow {
  #bytes: Buffer;
  length = 0;

  constructor(capacity = 256) {
    this.#bytes = Buffer.alloc(HASH_BYTES * capacity);
  }

  push(hash: Uint8Array): void {
    if ((this.length + 1) * HASH_BYTES > this.#bytes.length) {
      const grown = Buffer.alloc(this.#bytes.length * 2);
      this.#bytes.copy(grown);
      this.#bytes = grown;
    }
    this.#bytes.set(hash, this.length * HASH_BYTES);
    this.length += 1;
  }

  /** A view of hash `i`: slots are written once, so a view stays right after the row grows. */
  at(i: number): Buffer | undefined {
    return i >= 0 && i < this.length ? this.#bytes.subarray(i * HASH_BYTES, (i + 1) * HASH_BYTES) : undefined;
  }
}

/**
 * The stored hashes of a growing tree: at each level the hash of every complete subtree, the
 * leaf hashes at level 0. Appending a leaf completes at most one subtree per level, so an append
 * costs one hash per level it completes (two on average), and the tree holds about 64 bytes per
 * leaf. These are the hashes a tile serves.
 */
export class HashLevels {
  readonly #levels: HashRow[] = [new HashRow()];

  /** How many leaves the tree has. */
  get size(): number {
    return this.#levels[0]!.length;
  }

  /** Appends a leaf hash; returns its index. */
  append(leaf: Uint8Array): number {
    const index = this.size;
    let hash = leaf;
    for (let level = 0; ; level++) {
      const row = (this.#levels[level] ??= new HashRow());
      row.push(hash);
      if (row.length % 2 === 1) break;
      hash = nodeHash(row.at(row.length - 2)!, hash);
    }
    return index;
  }

  /** The hash of the complete subtree at `level`, `index`; throws if that subtree is not complete. */
  readonly read: HashReader = (level, index) => {
    const hash = this.#levels[level]?.at(index);
    if (!hash) throw new RangeError(`no complete subtree at level ${level}, index ${index} in a tree of ${this.size}`);
    return hash;
  };
}
