import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeEntry } from '../src/modules/transparency/domain/log-entries.ts';
import { leafHash, rootHash } from '../src/modules/transparency/domain/merkle.ts';
import { verifyConsistency, verifyInclusion } from '../src/modules/transparency/domain/merkle-verify.ts';
import { decodeEntryBundle } from '../src/modules/transparency/domain/tiles.ts';
import { CampaignQueueLog, type NewEntry } from '../src/modules/transparency/queue-log.ts';
import { ok, openCampaign, operator } from './support/fixtures.ts';
import { readServedLog } from './support/queue-log-reader.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ now: '2026-08-09T20:00:00+09:00' });
  await ok(t.app, 'POST', '/api/v1/admin/campaigns', openCampaign('logged'), operator);
});
afterAll(() => t.close());

const commitment = (i: number) => createHash('sha256').update(`opening ${i}`).digest();

function places(from: number, count: number, atMs: number): NewEntry[] {
  return Array.from({ length: count }, (_, i) => ({ entry: { kind: 'place', position: from + i, atMs, commitment: commitment(from + i) }, subject: commitment(from + i).toString('base64') }));
}

async function get(url: string) {
  return t.app.inject({ method: 'GET', url });
}

/** What an auditor reads: the key, the checkpoint opened with it, and the tree's tiles. */
const audit = (campaignId: string) => readServedLog(t.app, campaignId);

describe("a campaign's queue log, served in C2SP formats", () => {
  it('serves the verifier key, and an empty log for a campaign with no entries', async () => {
    const key = await get('/api/v1/log/key');
    expect(key.statusCode).toBe(200);
    expect(key.headers['content-type']).toMatch(/^text\/plain/);
    expect(key.body).toMatch(/^test\.yeyak\/queue-log\+[0-9a-f]{8}\+[A-Za-z0-9+/=]+\n$/);
    const { checkpoint } = await audit('logged');
    expect(checkpoint).toMatchObject({ origin: 'test.yeyak/queue-log/logged', size: 0 });
  });

  it('serves what was appended: the signed checkpoint, tiles whose root it signs, the entries, and proofs that verify', async () => {
    const log = (await t.ctx.queueLogs.forCampaign('logged'))!;
    const atMs = t.clock.now().getTime();
    await log.append(places(1, 300, atMs));
    // The empty log's checkpoint stands for a second: a checkpoint is signed at most once a second.
    expect((await audit('logged')).checkpoint.size).toBe(0);
    t.clock.advance(1000);
    const { checkpoint, read } = await audit('logged');
    expect(checkpoint.size).toBe(300);
    expect(rootHash(read, 300).equals(checkpoint.root)).toBe(true);
    const full = await get('/api/v1/campaigns/logged/log/tile/entries/000');
    const bundle = decodeEntryBundle(full.rawPayload);
    expect(bundle).toHaveLength(256);
    expect(decodeEntry(bundle[14]!)).toEqual(places(15, 1, atMs)[0]!.entry);
    const partial = decodeEntryBundle((await get('/api/v1/campaigns/logged/log/tile/entries/001.p/44')).rawPayload);
    expect(partial).toHaveLength(44);
    expect(verifyInclusion(14, 300, leafHash(bundle[14]!), await log.inclusionProof(14, 300), checkpoint.root)).toBe(true);
    expect(verifyInclusion(299, 300, leafHash(partial[43]!), await log.inclusionProof(299, 300), checkpoint.root)).toBe(true);

    // The log grows; the checkpoint is signed again after a second, and it extends the last one.
    await log.append(places(301, 20, t.clock.now().getTime()));
    expect((await audit('logged')).checkpoint.size).toBe(300);
    t.clock.advance(1000);
    const later = await audit('logged');
    expect(later.checkpoint.size).toBe(320);
    expect(verifyConsistency(300, 320, await log.consistencyProof(300, 320), checkpoint.root, later.checkpoint.root)).toBe(true);
  });

  it('keeps the entries in the database: a node that loads the log finds the same tree', async () => {
    const served = (await t.ctx.queueLogs.forCampaign('logged'))!;
    const loaded = new CampaignQueueLog('logged', served.origin, t.ctx.db, t.config.secrets.logSigner!, t.clock);
    await loaded.load();
    expect(loaded.size).toBe(served.size);
    expect(await loaded.consistencyProof(300, loaded.size)).toEqual(await served.consistencyProof(300, served.size));
    // Two writers of the same leaf: the database refuses the second, and its tree does not move.
    await expect(loaded.append(places(999, 1, 0))).resolves.toBe(320);
    await expect(served.append(places(1000, 1, 0))).rejects.toThrow();
    expect(served.size).toBe(320);
  });

  it('answers 404 with an error code for a tile the log does not reach, a malformed path, or an unknown campaign', async () => {
    for (const url of [
      '/api/v1/campaigns/logged/log/tile/0/002',
      '/api/v1/campaigns/logged/log/tile/0/001.p/200',
      '/api/v1/campaigns/logged/log/tile/entries/005',
      '/api/v1/campaigns/logged/log/tile/1/000',
      '/api/v1/campaigns/logged/log/tile/0/x000/001',
      '/api/v1/campaigns/logged/log/tile/0/1',
      '/api/v1/campaigns/logged/log/tile/../../log/key',
    ]) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.json().error.code, url).toBe('YEYAK_ERR_NOT_FOUND');
    }
    const unknown = await get('/api/v1/campaigns/nobody/log/checkpoint');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('YEYAK_ERR_CAMPAIGN_NOT_FOUND');
  });
});
