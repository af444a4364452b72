import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog } from '../src/modules/transparency/audit/audit-log.ts';
import type { LogFetch } from '../src/modules/transparency/audit/download-log.ts';
import { cosignedAt, witnessOf } from '../src/modules/transparency/domain/cosignature.ts';
import { COSIGNATURE_V1, generateSignerKey, openNote, verifierOf } from '../src/lib/signed-note.ts';
import { parseTilePath } from '../src/modules/transparency/domain/tiles.ts';
import { CampaignQueueLog } from '../src/modules/transparency/queue-log.ts';
import { witnessOnce, type WitnessMemory } from '../src/modules/transparency/witness/witness.ts';
import { ok, openCampaign, operator, person } from './support/fixtures.ts';
import { rewriteStoredEntry, truncateStoredLog } from './support/stored-log.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

/**
 * A witness (docs/transparency.md "Witnesses", `npm run witness`) of a running queue's log: it
 * cosigns each checkpoint that extends the last it cosigned, the log accepts the cosignature of a
 * witness it names and serves it with the checkpoint, and the witness refuses a fork — the same
 * size with another root, or a tree that does not extend the one it cosigned — however validly
 * the log signed it.
 */
let t: TestApp;
const C = 'witnessed';
const witness = witnessOf(generateSignerKey('witness.example/w1', COSIGNATURE_V1));
const stranger = witnessOf(generateSignerKey('witness.example/w2', COSIGNATURE_V1));
let logKey: string;
let memory: WitnessMemory | null = null;

const served: LogFetch = async (path) => {
  const res = await t.app.inject({ method: 'GET', url: path });
  return { status: res.statusCode, body: res.rawPayload };
};
const submit = (note: string) => t.app.inject({ method: 'POST', url: `/api/v1/campaigns/${C}/log/cosignatures`, headers: { 'content-type': 'text/plain; charset=utf-8' }, payload: note });
const now = () => Math.floor(t.clock.now().getTime() / 1000);

/** Joins `n` people and lets the log take them in and sign a new checkpoint. */
async function joins(n: number) {
  for (let i = 0; i < n; i++) await t.app.inject({ method: 'POST', url: `/api/v1/campaigns/${C}/queue/tickets`, headers: await person(t.app) });
  t.clock.advance(1000);
  await t.ctx.waitingRoom.refresh();
  t.clock.advance(1000);
}

/** A server of one log object (a node that loaded what the database holds now). */
function serverOf(log: CampaignQueueLog): LogFetch {
  return async (path) => {
    const rest = path.replace(`/api/v1/campaigns/${C}/log/`, '');
    if (rest === 'checkpoint') return { status: 200, body: Buffer.from(log.checkpoint()) };
    const address = parseTilePath(rest.replace(/^tile\//, ''));
    const body = address && address.level !== 'entries' ? await log.hashTile(address.level, address.index, address.width) : null;
    return body ? { status: 200, body } : { status: 404, body: Buffer.alloc(0) };
  };
}

beforeAll(async () => {
  t = await startTestApp({ now: '2026-08-10T02:00:00Z', env: { YEYAK_LOG_WITNESSES: witness.verifierKey } });
  await ok(t.app, 'POST', '/api/v1/admin/campaigns', openCampaign(C), operator);
  await t.ctx.waitingRoom.refresh();
  logKey = (await t.app.inject({ method: 'GET', url: '/api/v1/log/key' })).body.trim();
});
afterAll(() => t.close());

describe('a witness of the queue log', () => {
  it('cosigns each checkpoint that extends the last, and the log serves its cosignature with the checkpoint', async () => {
    await joins(5);
    const first = await witnessOnce(served, C, logKey, witness, memory, now());
    expect(first.kind).toBe('cosigned');
    if (first.kind !== 'cosigned') return;
    expect((await submit(first.note)).json()).toEqual({ accepted: ['witness.example/w1'] });
    memory = first.memory;
    const checkpoint = (await t.app.inject({ method: 'GET', url: `/api/v1/campaigns/${C}/log/checkpoint` })).body;
    expect(cosignedAt(checkpoint, witness.verifierKey)).toBe(now());
    expect(openNote(checkpoint, [verifierOf(logKey)]).text).toContain(`\n${first.memory.size}\n`);
    expect(await witnessOnce(served, C, logKey, witness, memory, now())).toEqual({ kind: 'unchanged' });

    // The queue moves on: the newest checkpoint is not cosigned yet; the witnessed one still is.
    await joins(300);
    const latest = (await t.app.inject({ method: 'GET', url: `/api/v1/campaigns/${C}/log/checkpoint` })).body;
    expect(cosignedAt(latest, witness.verifierKey)).toBeNull();
    const witnessed = (await t.app.inject({ method: 'GET', url: `/api/v1/campaigns/${C}/log/checkpoint/witnessed` })).body;
    expect(cosignedAt(witnessed, witness.verifierKey)).not.toBeNull();
    expect(openNote(witnessed, [verifierOf(logKey)]).text).toContain(`\n${memory.size}\n`);
    const second = await witnessOnce(served, C, logKey, witness, memory, now());
    expect(second.kind).toBe('cosigned');
    if (second.kind !== 'cosigned') return;
    expect(second.memory.size).toBeGreaterThan(memory.size + 300);
    expect((await submit(second.note)).statusCode).toBe(200);
    memory = second.memory;
    t.clock.advance(1000);
    expect(openNote((await t.app.inject({ method: 'GET', url: `/api/v1/campaigns/${C}/log/checkpoint/witnessed` })).body, [verifierOf(logKey)]).text).toContain(`\n${memory.size}\n`);
  });

  it('lets an auditor who trusts the witness check that the log it audits extends what the witness cosigned', async () => {
    const trusted = await auditLog(served, C, logKey, null, [witness.verifierKey]);
    expect(trusted.violations).toEqual([]);
    const unknown = await auditLog(served, C, logKey, null, [witness.verifierKey, stranger.verifierKey]);
    expect(unknown.violations).toEqual(['the witnessed checkpoint lacks the cosignature of witness.example/w2']);
  });

  it('refuses the log’s cosignature of a witness it does not name, of a root that is not its own, or of another log', async () => {
    // The log's checkpoint without the named witness's cosignature (it serves it by now).
    const checkpoint = (await t.app.inject({ method: 'GET', url: `/api/v1/campaigns/${C}/log/checkpoint` })).body.replace(/^— witness\.example\/w1 .*\n/mu, '');
    const text = openNote(checkpoint, [verifierOf(logKey)]).text;
    const unknown = await submit(checkpoint + stranger.cosign(text, now()));
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.details.reason).toBe('no valid cosignature by a witness this log names');
    const forged = text.replace(/\n[A-Za-z0-9+/=]{44}\n$/, `\n${Buffer.alloc(32, 7).toString('base64')}\n`);
    const wrongRoot = await submit(`${forged}\n${witness.cosign(forged, now())}`);
    expect(wrongRoot.json().error.details.reason).toBe('not the root of this log at that size');
    expect((await submit('not a note')).statusCode).toBe(400);
  });

  it('refuses a fork: a log that rewrote an entry signs the same size with another root, or a larger tree that does not extend the cosigned one', async () => {
    await rewriteStoredEntry(t.ctx.db, C, 'place ', (line) => `place 999 ${line.split(' ').slice(2).join(' ')}`);
    const forked = new CampaignQueueLog(C, `${t.config.secrets.logSigner!.name}/${C}`, t.ctx.db, t.config.secrets.logSigner!, t.clock);
    await forked.load();
    expect(forked.size).toBe(memory!.size);
    const sameSize = await witnessOnce(serverOf(forked), C, logKey, witness, memory, now());
    expect(sameSize).toEqual({ kind: 'refused', reason: `a fork: two roots for ${memory!.size} entries` });
    // The forked log grows on: still not an extension of what the witness cosigned.
    const grown = new CampaignQueueLog(C, forked.origin, t.ctx.db, t.config.secrets.logSigner!, t.clock);
    await grown.load();
    await truncateStoredLog(t.ctx.db, C, memory!.size);
    await grown.append([{ entry: { kind: 'pause', atMs: t.clock.now().getTime() }, subject: null }]);
    const larger = await witnessOnce(serverOf(grown), C, logKey, witness, memory, now());
    expect(larger).toEqual({ kind: 'refused', reason: `a fork: the tree of ${memory!.size + 1} entries does not extend the one of ${memory!.size} cosigned before` });
    // And a log that shrank.
    expect(await witnessOnce(served, C, logKey, witness, { ...memory!, size: memory!.size + 10 }, now())).toMatchObject({ kind: 'refused', reason: expect.stringMatching(/^the log shrank/) });
  });
});
