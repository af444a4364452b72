import { createHash, createHmac, createSecretKey, randomBytes } from 'node:crypto';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CompactHashLevels } from './domain/compact-hash-levels.ts';
import { rootHash } from './domain/merkle.ts';
import { LogHashing } from './log-hashing.ts';
import { QueueOpenings } from './queue-openings.ts';

/** RFC 6962's leaf hash, written out here: SHA-256 of 0x00 and the entry's bytes. */
const rfcLeaf = (line: string) => createHash('sha256').update(Buffer.from([0])).update(line, 'ascii').digest();

/** docs/transparency.md's commitment, written out here: SHA-256 of the label and HMAC-SHA256(opening key, campaign ‖ "\n" ‖ person key). */
const documented = (openingKey: Buffer, campaignId: string, personKey: string) =>
  createHash('sha256').update('yeyak-queue/v1 commitment\n').update(createHmac('sha256', openingKey).update(`${campaignId}\n${personKey}`).digest()).digest();

const lines = Array.from({ length: 300 }, (_, i) => `place ${i + 1} 1796040000${String(i).padStart(3, '0')} ${randomBytes(32).toString('base64')}`);
const personKeys = Array.from({ length: 300 }, () => randomBytes(20).toString('hex'));
const openingKey = randomBytes(32);

describe('the queue log’s hashing thread', () => {
  const hashing = new LogHashing();
  const warnings: string[] = [];
  const onWarning = (warning: Error) => warnings.push(warning.message);
  process.on('warning', onWarning);
  afterAll(async () => {
    process.off('warning', onWarning);
    await hashing.close();
  });

  it('gives every line’s RFC 6962 leaf hash, in order, from the worker and for a small batch here', async () => {
    expect(await hashing.leafHashes(lines)).toEqual(lines.map(rfcLeaf));
    expect(await hashing.leafHashes(lines.slice(0, 3))).toEqual(lines.slice(0, 3).map(rfcLeaf));
    expect(await hashing.leafHashes([])).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it('gives every holder’s commitment as documented, in order', async () => {
    const got = await hashing.commitments(createSecretKey(openingKey), 'covid-2026', personKeys);
    expect(got).toEqual(personKeys.map((k) => documented(openingKey, 'covid-2026', k)));
    expect(warnings).toEqual([]);
  });

  it('answers batches sent at once each with its own hashes', async () => {
    const halves = await Promise.all([hashing.leafHashes(lines.slice(0, 150)), hashing.leafHashes(lines.slice(150))]);
    expect(halves.flat()).toEqual(lines.map(rfcLeaf));
  });

  it('starts a new worker for the batch after it was closed', async () => {
    await hashing.close();
    expect(await hashing.leafHashes(lines)).toEqual(lines.map(rfcLeaf));
    expect(warnings).toEqual([]);
  });

  it('is what QueueOpenings gives, one by one and in a batch', async () => {
    const pepper = createSecretKey(randomBytes(32));
    const openings = new QueueOpenings(pepper, hashing);
    const batch = await openings.commitments('flu-2026', personKeys);
    expect(batch).toEqual(personKeys.map((k) => openings.commitment('flu-2026', k)));
  });
});

describe('a hashing thread that fails', () => {
  it('hashes its batches on the calling thread instead, with one warning', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'yeyak-hashing-'));
    const broken = join(dir, 'broken-worker.mjs');
    writeFileSync(broken, "throw new Error('no hashing here');\n");
    const hashing = new LogHashing(pathToFileURL(broken));
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    try {
      expect(await hashing.leafHashes(lines)).toEqual(lines.map(rfcLeaf));
      expect(await hashing.commitments(createSecretKey(openingKey), 'c', personKeys)).toEqual(personKeys.map((k) => documented(openingKey, 'c', k)));
      // Warnings are emitted on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/hashing thread failed \(no hashing here\)/);
      // Each batch is counted, for the operator's alert (the warning is only the first).
      expect(hashing.fallbackBatches).toBe(2);
    } finally {
      process.off('warning', onWarning);
      await hashing.close();
    }
  });

  it('answers a worker that dies with a batch under way from the calling thread', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'yeyak-hashing-'));
    const dying = join(dir, 'dying-worker.mjs');
    writeFileSync(dying, "import { parentPort } from 'node:worker_threads';\nparentPort.on('message', () => process.exit(3));\n");
    const hashing = new LogHashing(pathToFileURL(dying));
    try {
      expect(await hashing.leafHashes(lines)).toEqual(lines.map(rfcLeaf));
      expect(hashing.fallbackBatches).toBe(1);
    } finally {
      await hashing.close();
    }
  });
});

describe('a tree’s new hashes made apart', () => {
  const hashing = new LogHashing();
  afterAll(() => hashing.close());

  it('give the same tree as appending each leaf here, from any size and in batches of any length', async () => {
    for (const [size, batch] of [[0, 300], [1, 9], [255, 257], [256, 8], [300, 1], [511, 40], [1023, 2]] as const) {
      const here = new CompactHashLevels();
      const apart = new CompactHashLevels();
      for (let i = 0; i < size; i++) {
        here.append(rfcLeaf(`place ${i + 1} 1796040000000\n`));
        apart.append(rfcLeaf(`place ${i + 1} 1796040000000\n`));
      }
      const more = Array.from({ length: batch }, (_, i) => `admit ${size + i} 1796040000000\n`);
      const hashes = await hashing.treeHashes(more, size, apart.rightEdge());
      let next = 0;
      for (const line of more) {
        here.append(rfcLeaf(line));
        apart.appendHashed(hashes[next++]!, () => hashes[next++]!);
      }
      expect(next, `from ${size}, ${batch} more`).toBe(hashes.length);
      const total = size + batch;
      expect(rootHash(apart.read, total), `from ${size}, ${batch} more`).toEqual(rootHash(here.read, total));
      expect(apart.rightEdge()).toEqual(here.rightEdge());
    }
  });
});
