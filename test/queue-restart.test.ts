import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { createContext } from '../src/bootstrap.ts';
import { loadConfig } from '../src/config.ts';
import { ManualClock } from '../src/lib/clock.ts';
import { RESTART_GAP } from '../src/modules/waiting-room/queue-journal.ts';
import { loseJournalledPlaces } from './support/journalled-places.ts';
import { ok, OPERATOR_KEY_HEADER, seedCampaignOn } from './support/restart-fixtures.ts';

/**
 * The embedded default keeps its waiting room in process; a restart must lose no place and no
 * admission (BRIEF §4.3). Two app lives on the same data directory, with the same secrets.
 */
describe('the in-process waiting room across a restart', () => {
  const dir = mkdtempSync(join(tmpdir(), 'yeyak-queue-restart-'));
  const env = {
    YEYAK_DATA_DIR: dir,
    YEYAK_SIGNING_KEYS: `r1:${randomBytes(32).toString('base64')}`,
    YEYAK_PERSON_PEPPER: randomBytes(32).toString('base64'),
    YEYAK_ENCRYPTION_KEYS: `e1:${randomBytes(32).toString('base64')}`,
    YEYAK_OPERATOR_KEY: 'restart-operator-key-0123',
    YEYAK_DEMO: '0',
    YEYAK_IDENTITY_LIMIT_PER_ADDRESS: '1000000',
  };
  const clock = new ManualClock('2026-08-10T02:00:00Z');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function life() {
    const ctx = await createContext(loadConfig({ ...env, DATABASE_URL: '' }), { clock });
    const app = await buildApp(ctx, { logStream: { write: () => {} } });
    return { app, ctx, close: async () => (await app.close(), await ctx.database.close()) };
  }

  it('keeps every place and admission, and new places come after the old ones', async () => {
    const first = await life();
    await seedCampaignOn(first.app, OPERATOR_KEY_HEADER(env.YEYAK_OPERATOR_KEY), 'rs', { ratePerSecond: 1 });
    const people = [];
    for (let i = 0; i < 5; i++) {
      const identity = { name: `재시작${i}`, birthDate: '1970-01-01', phone: `010-7100-000${i}` };
      const { session } = await ok(first.app, 'POST', '/api/v1/identity/dev', identity);
      const joined = await ok(first.app, 'POST', '/api/v1/campaigns/rs/queue/tickets', undefined, { authorization: `Bearer ${session}` });
      people.push({ identity, ticket: joined.ticket as string, position: joined.position as number });
    }
    expect(people.map((p) => p.position)).toEqual([1, 2, 3, 4, 5]);
    await first.ctx.waitingRoom.refresh();
    clock.advance(2000); // 1 a second: places 1 and 2 are reached
    await first.ctx.waitingRoom.refresh();
    const admitted = await ok(first.app, 'POST', '/api/v1/campaigns/rs/admissions', undefined, { authorization: `Bearer ${people[0]!.ticket}` });
    await first.ctx.waitingRoom.refresh(); // the journal is written at every refresh
    await first.close();

    const second = await life();
    // The admission issued before the restart still opens the booking path.
    const search = await second.app.inject({ method: 'GET', url: '/api/v1/campaigns/rs/institutions', headers: { authorization: `Bearer ${admitted.admission}` } });
    expect(search.statusCode).toBe(200);
    await second.ctx.waitingRoom.refresh();
    for (const p of people) {
      const me = await ok(second.app, 'GET', '/api/v1/campaigns/rs/queue/tickets/me', undefined, { authorization: `Bearer ${p.ticket}` });
      expect(me.position).toBe(p.position);
      // A new device of the same person finds the same place.
      const { session } = await ok(second.app, 'POST', '/api/v1/identity/dev', p.identity);
      const again = await second.app.inject({ method: 'POST', url: '/api/v1/campaigns/rs/queue/tickets', headers: { authorization: `Bearer ${session}` } });
      expect(again.statusCode).toBe(200);
      expect(again.json().position).toBe(p.position);
    }
    // The queue goes on from where it was, not from zero.
    expect((await ok(second.app, 'GET', '/api/v1/campaigns/rs/queue')).servingUpTo).toBeGreaterThanOrEqual(2);
    const { session } = await ok(second.app, 'POST', '/api/v1/identity/dev', { name: '새사람', birthDate: '1970-01-01', phone: '010-7200-0000' });
    const newcomer = await ok(second.app, 'POST', '/api/v1/campaigns/rs/queue/tickets', undefined, { authorization: `Bearer ${session}` });
    expect(newcomer.position).toBe(5 + RESTART_GAP + 1);
    await second.close();
  }, 60_000);

  it('gives a place whose journal row was lost back to the person whose ticket carries it', async () => {
    const first = await life();
    await seedCampaignOn(first.app, OPERATOR_KEY_HEADER(env.YEYAK_OPERATOR_KEY), 'rs2', { ratePerSecond: 1 });
    const join = async (app: typeof first.app, i: number, cookies: Record<string, string> = {}) => {
      const { session } = await ok(app, 'POST', '/api/v1/identity/dev', { name: `유실${i}`, birthDate: '1970-01-01', phone: `010-7300-000${i}` });
      return app.inject({ method: 'POST', url: '/api/v1/campaigns/rs2/queue/tickets', headers: { authorization: `Bearer ${session}` }, cookies });
    };
    for (const i of [1, 2]) expect((await join(first.app, i)).json().position).toBe(i);
    await first.ctx.waitingRoom.refresh();
    const lost = (await join(first.app, 3)).json();
    expect(lost.position).toBe(3);
    // Its 201 came once the place was journalled; the journal's row is then lost all the same (a
    // database restored from a backup taken just before): only the person's signed ticket knows.
    await first.ctx.waitingRoom.refresh();
    await loseJournalledPlaces(first.ctx.db, 'rs2', (p) => p.position === 3);
    await first.close();

    const second = await life();
    await second.ctx.waitingRoom.refresh();
    // A forged or foreign ticket gets nothing back: another person's ticket is ignored.
    const stranger = await join(second.app, 4, { yeyak_ticket: lost.ticket });
    expect(stranger.json().position).toBe(3 + RESTART_GAP + 1); // the counters still say place 3 was handed out
    // The person, from the browser that holds the ticket, is put back at place 3.
    const back = await join(second.app, 3, { yeyak_ticket: lost.ticket });
    expect(back.statusCode).toBe(200);
    expect(back.json().position).toBe(3);
    // And from then on any device of theirs finds it.
    expect((await join(second.app, 3)).json().position).toBe(3);
    await second.close();
  }, 60_000);
});
