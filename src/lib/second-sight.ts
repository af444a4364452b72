/**
 * A doorkeeper for the memories of the hot paths: it answers whether a key was offered before,
 * from a fixed table of 32-bit hashes, without keeping the key.
 *
 * At the opening most tokens a node sees are seen once: a new person's session on their join.
 * Remembering each of them cost the join more than it ever saved. Every entry pushes another out
 * of a full LRU, and the garbage collector copies each remembered entry before it dies. So a
 * memory takes an entry only on its key's second sight, as TinyLFU's doorkeeper does.
 *
 * The table forgets: each slot holds the last key hashed to it. A key seen again after a few
 * hundred thousand others counts as new. Two keys can share a hash; then one counts as seen. Both
 * only decide what a memory keeps, never what it answers.
 */
export class SecondSight {
  private readonly hashes: Int32Array;
  private readonly mask: number;

  /** `slots` is rounded up to a power of two. */
  constructor(slots = 1 << 18) {
    const size = 2 ** Math.ceil(Math.log2(Math.max(2, slots)));
    this.hashes = new Int32Array(size);
    this.mask = size - 1;
  }

  /** True when `key` (by its last 32 characters) was offered before; else records it and says false. */
  seenBefore(key: string): boolean {
    const hash = tailHash(key) | 1; // never 0, the empty slot
    const slot = hash & this.mask;
    if (this.hashes[slot] === hash) return true;
    this.hashes[slot] = hash;
    return false;
  }
}

/**
 * FNV-1a over the last 32 characters (the part of a token or a person key that tells them apart),
 * then MurmurHash3's finaliser: FNV's low bits, which pick the slot, depend on the input's low
 * bits only.
 */
function tailHash(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = Math.max(0, key.length - 32); i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  return hash ^ (hash >>> 16);
}
