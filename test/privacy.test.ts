import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devConnectingInformation } from '../src/modules/identity/person-key.ts';
import { admitted, ok, seedCampaign } from './support/fixtures.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

/**
 * BRIEF §4.7: logs carry no personal data and the database holds no name, phone or CI in clear.
 * A full journey runs with every log line captured at the most verbose level.
 */
const lines: string[] = [];
let t: TestApp;
const citizen = { name: '이몽룡', birthDate: '1961-04-17', phone: '010-8765-4321' };
const parent = { name: '월매부인', birthDate: '1940-02-29', phone: '010-2468-1357', relationship: 'parent' };

beforeAll(async () => {
  t = await startTestApp({ now: '2026-08-10T02:00:00Z', env: { LOG_LEVEL: 'trace' }, logStream: { write: (line) => void lines.push(line) } });
  await seedCampaign(t.app, { id: 'pv', institutions: ['V1', 'V2'], dates: ['2026-08-25', '2026-08-26', '2026-09-15', '2026-09-16'], times: ['10:00'], doses: 5, campaign: { proxyAllowed: true, cohort: { bornFrom: '1900-01-01', bornTo: '1970-12-31' } } });

  // The journey: mobile code sign-in, the same person on the dev provider, search near home,
  // book, change, cancel, book for a parent, and a few refusals along the way.
  const { challengeId } = await ok(t.app, 'POST', '/api/v1/identity/mobile/start', citizen);
  const { code } = await ok(t.app, 'GET', `/api/v1/identity/mobile/dev-inbox/${challengeId}`);
  await t.app.inject({ method: 'POST', url: '/api/v1/identity/mobile/verify', payload: { challengeId, code: code === '000000' ? '000001' : '000000' } });
  const { session } = await ok(t.app, 'POST', '/api/v1/identity/mobile/verify', { challengeId, code });
  const me = { authorization: `Bearer ${session}` };
  await ok(t.app, 'POST', '/api/v1/identity/dev', citizen);
  await ok(t.app, 'GET', '/api/v1/me', undefined, me);
  await ok(t.app, 'GET', '/api/v1/campaigns/pv/institutions?near=37.5665,126.978&radiusKm=50', undefined, await admitted(t, me, 'pv'));
  const { booking } = await ok(t.app, 'POST', '/api/v1/campaigns/pv/bookings', { institutionId: 'V1', date: '2026-08-25', time: '10:00' }, { ...(await admitted(t, me, 'pv')), 'idempotency-key': 'k1' });
  await ok(t.app, 'POST', `/api/v1/bookings/${booking.id}/change`, { institutionId: 'V2', date: '2026-08-26', time: '10:00' }, await admitted(t, me, 'pv'));
  await ok(t.app, 'POST', `/api/v1/bookings/${booking.id}/cancel`, undefined, me);
  const { dependent } = await ok(t.app, 'POST', '/api/v1/me/dependents', parent, me);
  await ok(t.app, 'POST', '/api/v1/campaigns/pv/bookings', { institutionId: 'V1', date: '2026-08-25', time: '10:00', dependentId: dependent.id }, await admitted(t, me, 'pv', dependent.id));
  await t.app.inject({ method: 'POST', url: '/api/v1/identity/dev', payload: { ...citizen, birthDate: 'not-a-date' } });
  await t.app.inject({ method: 'POST', url: '/api/v1/campaigns/pv/bookings', headers: await admitted(t, me, 'pv'), payload: '{"institutionId": "V1", "date": "2026-08-25", "ti' });
});
afterAll(() => t.close());

/** Every way a value could appear: as typed, without separators, compact dates. */
function forms(): string[] {
  const values = [citizen.name, parent.name, citizen.phone, parent.phone, citizen.birthDate, parent.birthDate];
  const extra = values.flatMap((v) => [v.replace(/-/g, ''), v.replace(/-/g, '').slice(-8)]);
  const cis = [citizen, parent].map((p) => devConnectingInformation(p.name, p.birthDate, p.phone));
  return [...new Set([...values, ...extra, ...cis])];
}

describe('privacy', () => {
  it('writes no name, phone, birth date or CI to any log line of a full journey', () => {
    expect(lines.length).toBeGreaterThan(20);
    const log = lines.join('\n');
    // The capture is real: requests, refusals and their paths are in it.
    expect(log).toContain('incoming request');
    expect(log).toContain('/api/v1/campaigns/pv/bookings');
    for (const value of forms()) expect(log, value).not.toContain(value);
    expect(log).not.toMatch(/authorization|eyJhbGciOi/i);
  });

  it('keeps no name, phone or CI in clear anywhere in the database', async () => {
    const tables = await sql<{ table_name: string }>`
      SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`.execute(t.ctx.db);
    let dump = '';
    for (const { table_name } of tables.rows) {
      const rows = await sql.raw(`SELECT * FROM "${table_name}"`).execute(t.ctx.db);
      dump += JSON.stringify(rows.rows);
    }
    expect(dump).toContain('2026-08-25'); // the dump is real
    for (const value of forms().filter((v) => !/^\d{4}-\d{2}-\d{2}$/.test(v) && !/^\d{8}$/.test(v))) expect(dump, value).not.toContain(value);
  });

  it('keeps the phone, encrypted for its row, and no full name: the masked name is what anyone is shown', async () => {
    const rows = await t.ctx.db.selectFrom('persons').select(['person_key', 'name_enc', 'phone_enc', 'masked_name']).where('masked_name', 'in', ['이*룡', '월**인']).orderBy('masked_name').execute();
    expect(rows.map((r) => r.masked_name)).toEqual(['월**인', '이*룡']);
    for (const [row, who] of [[rows[1]!, citizen], [rows[0]!, parent]] as const) {
      expect(row.name_enc).toBeNull();
      expect(t.ctx.crypto.decrypt(row.phone_enc!, `persons.phone:${row.person_key}`)).toBe(who.phone);
      expect(() => t.ctx.crypto.decrypt(row.phone_enc!, `persons.phone:${rows.find((r) => r !== row)!.person_key}`)).toThrow();
    }
  });
});
