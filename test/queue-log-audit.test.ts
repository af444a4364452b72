import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, rememberCheckpoint, type RememberedCheckpoint } from '../src/modules/transparency/audit/audit-log.ts';
import { crossCheckAdmissions } from '../src/modules/transparency/audit/cross-check.ts';
import type { LogFetch } from '../src/modules/transparency/audit/download-log.ts';
import { generateSignerKey, signNote, signerOf } from '../src/lib/signed-note.ts';
import { parseTilePath } from '../src/modules/transparency/domain/tiles.ts';
import { CampaignQueueLog } from '../src/modules/transparency/queue-log.ts';
import { QueueOpenings } from '../src/modules/transparency/queue-openings.ts';
import { ok, openCampaign, operator, person, personKeyOfSession } from './support/fixtures.ts';
import { rewriteStoredEntry } from './support/stored-log.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

/**
 * The auditor (docs/transparency.md "The auditor") against a running queue: clean on an honest
 * log, and each way an operator could cheat caught — an entry altered after the fact, a checkpoint
 * signed by another key, a log forked (the same size, another history), an admission the database
 * granted that the log never shows. The rules of the order of service have their own tests
 * (src/modules/transparency/domain/order-of-service.test.ts).
 */
let t: TestApp;
const C = 'audited';
let key: string;
let remembered: RememberedCheckpoint;
const served: LogFetch = async (path) => {
  const res = await t.app.inject({ method: 'GET', url: path });
  return { status: res.statusCode, body: res.rawPayload };
};

/** A server of one log object (a node that loaded what the database holds now). */
function serverOf(log: CampaignQueueLog): LogFetch {
  return async (path) => {
    const rest = path.replace(`/api/v1/campaigns/${C}/log/`, '');
    if (rest === 'checkpoint') return { status: 200, body: Buffer.from(log.checkpoint()) };
    const address = parseTilePath(rest.replace(/^tile\//, ''));
    const body = address ? (address.level === 'entries' ? await log.entryBundle(address.index, address.width) : await log.hashTile(address.level, address.index, address.width)) : null;
    return body ? { status: 200, body } : { status: 404, body: Buffer.alloc(0) };
  };
}

beforeAll(async () => {
  t = await startTestApp({ now: '2026-08-09T10:30:00Z' });
  await ok(t.app, 'POST', '/api/v1/admin/campaigns', openCampaign(C, { admission: { mode: 'fixed', ratePerSecond: 2, maxActive: 100 } }), operator);
  key = (await t.app.inject({ method: 'GET', url: '/api/v1/log/key' })).body.trim();
  // Twelve people, ten first come after the 20:00 opening; every refresh 250 ms apart; admitted as reached.
  t.clock.set('2026-08-09T19:59:59.750+09:00');
  await t.ctx.waitingRoom.refresh();
  t.clock.set('2026-08-09T20:00:00+09:00');
  await t.ctx.waitingRoom.refresh();
  const tickets: string[] = [];
  for (let i = 0; i < 12; i++) {
    const res = await t.app.inject({ method: 'POST', url: `/api/v1/campaigns/${C}/queue/tickets`, headers: await person(t.app) });
    tickets.push(res.json().ticket);
  }
  for (let step = 0; step < 12; step++) {
    t.clock.advance(250);
    await t.ctx.waitingRoom.refresh();
    for (const ticket of tickets.slice(0, 4)) await t.app.inject({ method: 'POST', url: `/api/v1/campaigns/${C}/admissions`, headers: { authorization: `Bearer ${ticket}` } });
  }
  t.clock.advance(1000);
});
afterAll(() => t.close());

describe('the auditor', () => {
  it('finds an honest log clean, and the database’s admissions in it', async () => {
    const report = await auditLog(served, C, key);
    expect(report.violations).toEqual([]);
    expect(report.replay.counts).toMatchObject({ place: 12, admit: 4 });
    expect(report.replay.servingUpTo).toBe(6);
    expect(await crossCheckAdmissions(t.ctx.db, C, new QueueOpenings(t.config.secrets.personPepper), report.replay)).toEqual([]);
    remembered = rememberCheckpoint(report.checkpoint);
    // Audited again later, it extends what was verified.
    expect((await auditLog(served, C, key, remembered)).violations).toEqual([]);
  });

  it('catches an admission the database granted that the log does not show', async () => {
    const { replay } = await auditLog(served, C, key);
    const stranger = personKeyOfSession(await person(t.app));
    await t.ctx.db.insertInto('queue_admissions').values({ campaign_id: C, person_key: stranger, admission_id: 'off-the-books', expires_at_ms: Date.parse('2026-08-09T12:00:00Z') }).execute();
    expect(await crossCheckAdmissions(t.ctx.db, C, new QueueOpenings(t.config.secrets.personPepper), replay)).toEqual(['an admission the database holds of a holder with no place in the log']);
    await t.ctx.db.deleteFrom('queue_admissions').where('admission_id', '=', 'off-the-books').execute();
  });

  it('refuses a checkpoint signed by another key', async () => {
    const impostor = signerOf(generateSignerKey('test.yeyak/queue-log'));
    const resigned: LogFetch = async (path) => {
      const res = await served(path);
      if (!path.endsWith('/checkpoint')) return res;
      const text = res.body.toString('utf8').split('\n\n')[0]!;
      return { status: 200, body: Buffer.from(signNote(`${text}\n`, [impostor])) };
    };
    const report = await auditLog(resigned, C, key, remembered);
    expect(report.violations).toHaveLength(1);
    expect(report.violations[0]).toMatch(/^the checkpoint is not signed by the log's key/);
  });

  it('catches an entry altered after it was logged, and a fork: the same size signed with another history', async () => {
    // An admission rewritten in the database: the tree the serving node holds no longer matches it.
    const leaf = await rewriteStoredEntry(t.ctx.db, C, 'admit ', (line) => `admit 12 ${line.split(' ')[2]}`);
    expect((await auditLog(served, C, key)).violations).toContain(`leaf ${leaf}: the entry served is not the one the tree holds`);
    // A node that loads the altered log signs a consistent-looking tree of the same size: a fork.
    const original = (await t.ctx.queueLogs.forCampaign(C))!;
    const forked = new CampaignQueueLog(C, (await original).origin, t.ctx.db, t.config.secrets.logSigner!, t.clock);
    await forked.load();
    const report = await auditLog(serverOf(forked), C, key, remembered);
    expect(report.violations).toContain(`the log forked: its first ${remembered.size} entries are not the ones signed before`);
    // Its own replay also sees place 12 admitted before its turn.
    expect(report.violations.some((v) => v.startsWith(`leaf ${leaf}: place 12 admitted before its turn`))).toBe(true);
  });
});
