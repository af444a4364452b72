import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HashLevels } from '../src/modules/transparency/domain/hash-levels.ts';
import { consistencyProof, inclusionProof, leafHash, rootHash } from '../src/modules/transparency/domain/merkle.ts';
import { verifyConsistency, verifyInclusion } from '../src/modules/transparency/domain/merkle-verify.ts';
import { tileHashes } from '../src/modules/transparency/domain/tiles.ts';
import { CampaignQueueLog, type NewEntry } from '../src/modules/transparency/queue-log.ts';
import { readLogEntries } from '../src/modules/transparency/queue-log.repository.ts';
import { useTestApp } from './support/test-app.ts';

/**
 * A log past the tiles a node keeps below level 8 (64 complete tiles): proofs, roots and hash
 * tiles of its past read their tile's entries back from the database and hash them again, and
 * agree with a tree that holds every hash, built apart from the stored lines.
 */
const t = useTestApp({ now: '2026-08-09T20:00:00+09:00' });

const C = 'past-tiles';
const SIZE = 256 * 70 + 9;
const place = (position: number): NewEntry => ({
  entry: { kind: 'place', position, atMs: 1_000 + position, commitment: createHash('sha256').update(`opening ${position}`).digest() },
  subject: null,
});

describe('a queue log longer than the tiles a node keeps', () => {
  it('serves roots, proofs and hash tiles of its past as a full tree computes them', async () => {
    const writer = new CampaignQueueLog(C, `test/${C}`, t.ctx.db, t.config.secrets.logSigner!, t.clock);
    await writer.load();
    for (let at = 0; at < SIZE; at += 5_000) await writer.append(Array.from({ length: Math.min(5_000, SIZE - at) }, (_, i) => place(at + i + 1)));
    // A node that loads it keeps the last 64 complete tiles: tiles 0–5 are read back when asked for.
    const log = new CampaignQueueLog(C, `test/${C}`, t.ctx.db, t.config.secrets.logSigner!, t.clock);
    await log.load();
    expect(log.size).toBe(SIZE);
    const full = new HashLevels();
    for (const line of await readLogEntries(t.ctx.db, C, 0, SIZE)) full.append(leafHash(Buffer.from(line, 'ascii')));
    const root = rootHash(full.read, SIZE);

    expect(await log.rootAt(SIZE)).toEqual(root);
    expect(await log.rootAt(1_000)).toEqual(rootHash(full.read, 1_000));
    const proof = await log.inclusionProof(10, SIZE);
    expect(proof).toEqual(inclusionProof(full.read, 10, SIZE));
    const [line] = await readLogEntries(t.ctx.db, C, 10, 11);
    expect(verifyInclusion(10, SIZE, leafHash(Buffer.from(line!, 'ascii')), proof, root)).toBe(true);
    const consistency = await log.consistencyProof(700, SIZE);
    expect(consistency).toEqual(consistencyProof(full.read, 700, SIZE));
    expect(verifyConsistency(700, SIZE, consistency, rootHash(full.read, 700), root)).toBe(true);
    expect(await log.hashTile(0, 2, 256)).toEqual(tileHashes(full.read, 0, 2, 256));
    expect(await log.hashTile(1, 0, 70)).toEqual(tileHashes(full.read, 1, 0, 70));
    // The checkpoint signs the root at the log's own size, from the hashes always held.
    expect(log.checkpoint()).toContain(root.toString('base64'));
  });
});
