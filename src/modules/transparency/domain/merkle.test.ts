import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HashLevels } from './hash-levels.ts';
import { EMPTY_ROOT, consistencyProof, inclusionProof, leafHash, nodeHash, rootHash, splitPoint } from './merkle.ts';
import { verifyConsistency, verifyInclusion } from './merkle-verify.ts';

// The test vectors of the Certificate Transparency reference implementation, as the Go module
// github.com/transparency-dev/merkle carries them (proof/verify_test.go): eight leaves, the root
// of each prefix, and known inclusion and consistency proofs.
const hex = (h: string) => Buffer.from(h, 'hex');
const LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(hex);
const ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
].map(hex);
/** [leaf index, tree size, proof]. */
const INCLUSION: [number, number, string[]][] = [
  [0, 8, ['96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4']],
  [5, 8, ['bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b', 'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7']],
  [2, 3, ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125']],
  [1, 5, ['6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b']],
];
/** [old size, new size, proof]. */
const CONSISTENCY: [number, number, string[]][] = [
  [1, 8, ['96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4']],
  [6, 8, ['0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a', 'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7']],
  [2, 5, ['5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b']],
  [6, 7, ['0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a', 'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7']],
];

function treeOf(entries: readonly Uint8Array[]): HashLevels {
  const tree = new HashLevels();
  for (const entry of entries) tree.append(leafHash(entry));
  return tree;
}

/** RFC 6962's MTH written as the RFC states it, over the leaves themselves: the independent reference. */
function referenceRoot(entries: readonly Uint8Array[]): Buffer {
  if (entries.length === 0) return EMPTY_ROOT;
  if (entries.length === 1) return leafHash(entries[0]!);
  const k = splitPoint(entries.length);
  return nodeHash(referenceRoot(entries.slice(0, k)), referenceRoot(entries.slice(k)));
}

const SOME_HASH = hex('abacaba000000000000000000000000000000000000000000060061e00123456');

describe('RFC 6962 Merkle tree', () => {
  const tree = treeOf(LEAVES);

  it('computes the reference implementation roots of every prefix of its test leaves, and the empty root', () => {
    for (let size = 1; size <= 8; size++) expect(rootHash(tree.read, size).toString('hex'), `size ${size}`).toBe(ROOTS[size - 1]!.toString('hex'));
    expect(rootHash(tree.read, 0).toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('makes the reference inclusion proofs, which verify; every corruption of them fails', () => {
    for (const [index, size, expected] of INCLUSION) {
      const proof = inclusionProof(tree.read, index, size);
      expect(proof.map((h) => h.toString('hex'))).toEqual(expected);
      const leaf = leafHash(LEAVES[index]!);
      const root = ROOTS[size - 1]!;
      expect(verifyInclusion(index, size, leaf, proof, root)).toBe(true);
      const wrong: [string, number, number, Uint8Array, Uint8Array[], Uint8Array][] = [
        ['index - 1', index - 1, size, leaf, proof, root],
        ['index + 1', index + 1, size, leaf, proof, root],
        ['index ^ 2', index ^ 2, size, leaf, proof, root],
        ['size * 2', index, size * 2, leaf, proof, root],
        ['size / 2', index, Math.floor(size / 2), leaf, proof, root],
        ['wrong leaf', index, size, leafHash(Buffer.from('WrongLeaf')), proof, root],
        ['empty root', index, size, leaf, proof, EMPTY_ROOT],
        ['some root', index, size, leaf, proof, SOME_HASH],
        ['trailing garbage', index, size, leaf, [...proof, Buffer.alloc(0)], root],
        ['trailing root', index, size, leaf, [...proof, root], root],
        ['preceding garbage', index, size, leaf, [Buffer.alloc(0), ...proof], root],
        ['preceding root', index, size, leaf, [root, ...proof], root],
        ['removed component', index, size, leaf, proof.slice(0, -1), root],
        ['inserted component', index, size, leaf, [proof[0]!, SOME_HASH, ...proof.slice(1)], root],
        ...proof.map((_, i): [string, number, number, Uint8Array, Uint8Array[], Uint8Array] => [`bit flipped in proof[${i}]`, index, size, leaf, flipped(proof, i), root]),
      ];
      for (const [what, i, s, l, p, r] of wrong) expect(verifyInclusion(i, s, l, p, r), `${index}/${size}: ${what}`).toBe(false);
    }
  });

  it('makes the reference consistency proofs, which verify; every corruption of them fails', () => {
    for (const [oldSize, newSize, expected] of CONSISTENCY) {
      const proof = consistencyProof(tree.read, oldSize, newSize);
      expect(proof.map((h) => h.toString('hex'))).toEqual(expected);
      const [oldRoot, newRoot] = [ROOTS[oldSize - 1]!, ROOTS[newSize - 1]!];
      expect(verifyConsistency(oldSize, newSize, proof, oldRoot, newRoot)).toBe(true);
      const wrong: [string, number, number, Uint8Array[], Uint8Array, Uint8Array][] = [
        ['old size - 1', oldSize - 1, newSize, proof, oldRoot, newRoot],
        ['old size + 1', oldSize + 1, newSize, proof, oldRoot, newRoot],
        ['old size ^ 2', oldSize ^ 2, newSize, proof, oldRoot, newRoot],
        ['new size * 2', oldSize, newSize * 2, proof, oldRoot, newRoot],
        ['new size / 2', oldSize, Math.floor(newSize / 2), proof, oldRoot, newRoot],
        ['wrong old root', oldSize, newSize, proof, SOME_HASH, newRoot],
        ['wrong new root', oldSize, newSize, proof, oldRoot, SOME_HASH],
        ['swapped roots', oldSize, newSize, proof, newRoot, oldRoot],
        ['empty proof', oldSize, newSize, [], oldRoot, newRoot],
        ['trailing garbage', oldSize, newSize, [...proof, Buffer.alloc(0)], oldRoot, newRoot],
        ['trailing old root', oldSize, newSize, [...proof, oldRoot], oldRoot, newRoot],
        ['trailing new root', oldSize, newSize, [...proof, newRoot], oldRoot, newRoot],
        ['preceding old root', oldSize, newSize, [oldRoot, ...proof], oldRoot, newRoot],
        ['preceding new root', oldSize, newSize, [newRoot, ...proof], oldRoot, newRoot],
        ['preceding proof[0]', oldSize, newSize, [proof[0]!, ...proof], oldRoot, newRoot],
        ['truncated', oldSize, newSize, proof.slice(0, -1), oldRoot, newRoot],
        ...proof.map((_, i): [string, number, number, Uint8Array[], Uint8Array, Uint8Array] => [`bit flipped in proof[${i}]`, oldSize, newSize, flipped(proof, i), oldRoot, newRoot]),
      ];
      for (const [what, m, n, p, r1, r2] of wrong) expect(verifyConsistency(m, n, p, r1, r2), `${oldSize}→${newSize}: ${what}`).toBe(false);
    }
  });

  it('treats the edge sizes as RFC 9162 does', () => {
    const [a, b] = [ROOTS[0]!, ROOTS[1]!];
    expect(verifyConsistency(0, 0, [], EMPTY_ROOT, EMPTY_ROOT)).toBe(true);
    expect(verifyConsistency(0, 5, [], EMPTY_ROOT, b)).toBe(true);
    expect(verifyConsistency(0, 5, [a], EMPTY_ROOT, b)).toBe(false);
    expect(verifyConsistency(1, 1, [], a, a)).toBe(true);
    expect(verifyConsistency(1, 1, [], a, b)).toBe(false);
    expect(verifyConsistency(1, 1, [a], a, a)).toBe(false);
    expect(verifyConsistency(2, 1, [], a, b)).toBe(false);
    expect(verifyInclusion(0, 1, a, [], a)).toBe(true);
    expect(verifyInclusion(0, 0, a, [], a)).toBe(false);
    expect(verifyInclusion(1, 1, a, [], a)).toBe(false);
    expect(verifyInclusion(0, 1, Buffer.alloc(0), [], Buffer.alloc(0))).toBe(false);
    expect(() => inclusionProof(tree.read, 8, 8)).toThrow(RangeError);
    expect(() => consistencyProof(tree.read, 5, 4)).toThrow(RangeError);
    expect(consistencyProof(tree.read, 0, 8)).toEqual([]);
    expect(consistencyProof(tree.read, 8, 8)).toEqual([]);
  });

  it('for any entries: the root is RFC 6962 MTH, every leaf proves its inclusion, every prefix its consistency', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 12 }), { minLength: 1, maxLength: 140 }), fc.nat(), fc.nat(), (entries, a, b) => {
        const t = treeOf(entries);
        const size = entries.length;
        const root = rootHash(t.read, size);
        expect(root.equals(referenceRoot(entries))).toBe(true);
        const index = a % size;
        expect(verifyInclusion(index, size, leafHash(entries[index]!), inclusionProof(t.read, index, size), root)).toBe(true);
        const oldSize = b % (size + 1);
        const oldRoot = rootHash(t.read, oldSize);
        expect(oldRoot.equals(referenceRoot(entries.slice(0, oldSize)))).toBe(true);
        expect(verifyConsistency(oldSize, size, consistencyProof(t.read, oldSize, size), oldRoot, root)).toBe(true);
        // A tree with one entry changed is not consistent with the original's prefix that held it.
        if (oldSize > 0 && oldSize < size) {
          const forked = treeOf(entries.map((e, i) => (i === oldSize - 1 ? Buffer.concat([e, Buffer.from([1])]) : e)));
          expect(verifyConsistency(oldSize, size, consistencyProof(forked.read, oldSize, size), oldRoot, rootHash(forked.read, size))).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });
});

function flipped(proof: readonly Buffer[], i: number): Buffer[] {
  return proof.map((h, j) => {
    if (j !== i) return h;
    const copy = Buffer.from(h);
    copy[0] = copy[0]! ^ 8;
    return copy;
  });
}
