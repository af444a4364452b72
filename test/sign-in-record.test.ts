import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordPerson } from '../src/modules/identity/sign-in.ts';
import { ok } from './support/fixtures.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

/**
 * Signing in records the verified person. Signing in again unchanged (a second device, a new
 * session) must leave their row as it is — on opening night every write is a commit the database
 * flushes — while a changed name or phone must still reach the record.
 */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ now: '2026-08-10T02:00:00Z' });
});
afterAll(() => t.close());

async function rowOf(personKey: string) {
  const { rows } = await sql<{ version: string; phone_enc: string; contact_hash: string }>`
    SELECT xmin::text AS version, phone_enc, contact_hash FROM persons WHERE person_key = ${personKey}
  `.execute(t.ctx.db);
  expect(rows).toHaveLength(1);
  return rows[0]!;
}

describe('recording a signed-in person', () => {
  const citizen = { name: '성춘향', birthDate: '1962-05-05', phone: '010-1111-2222' };

  it('writes nothing when the same person signs in again unchanged', async () => {
    await ok(t.app, 'POST', '/api/v1/identity/dev', citizen);
    const keys = await t.ctx.db.selectFrom('persons').select('person_key').where('masked_name', '=', '성*향').execute();
    expect(keys).toHaveLength(1);
    const personKey = keys[0]!.person_key;
    const before = await rowOf(personKey);
    await ok(t.app, 'POST', '/api/v1/identity/dev', citizen);
    expect(await rowOf(personKey)).toEqual(before);
  });

  it('updates the record when the verified phone changed', async () => {
    const identity = { ci: 'ci-of-a-person-who-changed-phone', name: '변학도', birthDate: '1958-01-31', sex: null, phone: '010-3333-4444' };
    const { personKey } = await recordPerson(t.ctx, identity);
    const before = await rowOf(personKey);
    await recordPerson(t.ctx, { ...identity, phone: '010-5555-6666' });
    const after = await rowOf(personKey);
    expect(after.version).not.toBe(before.version);
    expect(after.contact_hash).not.toBe(before.contact_hash);
    expect(t.ctx.crypto.decrypt(after.phone_enc, `persons.phone:${personKey}`)).toBe('010-5555-6666');
    // And unchanged once more: still that version.
    await recordPerson(t.ctx, { ...identity, phone: '010-5555-6666' });
    expect((await rowOf(personKey)).version).toBe(after.version);
  });

  it('records a crowd signing in at once, and fails only the person whose row the database refuses', async () => {
    const crowd = ['가', '나', '다', '라', '마'].map((syllable, i) => ({
      ci: `ci-of-crowd-${i}`,
      name: `김${syllable}윤`,
      // The route checks a birth date first; here one that PostgreSQL itself refuses reaches the batch.
      birthDate: i === 2 ? '1962-02-30' : `1962-03-0${i + 1}`,
      sex: null,
      phone: `010-7000-000${i}`,
    }));
    const results = await Promise.allSettled(crowd.map((identity) => recordPerson(t.ctx, identity)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    const recorded = await t.ctx.db.selectFrom('persons').select('masked_name').where('masked_name', '=', '김*윤').execute();
    expect(recorded).toHaveLength(4);
  });

  it('lets two nodes record the same crowd at once, in opposite orders, without a deadlock or a second row', async () => {
    // A second context on the same database has batches of its own: on PostgreSQL they run at the same time.
    const otherNode = { ...t.ctx };
    const crowd = Array.from({ length: 200 }, (_, i) => ({ ci: `ci-of-two-nodes-${i}`, name: `박두${i}리`, birthDate: '1971-04-05', sex: null, phone: `010-7100-${String(i).padStart(4, '0')}` }));
    const results = await Promise.all([...crowd.map((identity) => recordPerson(t.ctx, identity)), ...crowd.reverse().map((identity) => recordPerson(otherNode, identity))]);
    expect(new Set(results.map((r) => r.personKey)).size).toBe(200);
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM persons WHERE birth_date = '1971-04-05'`.execute(t.ctx.db);
    expect(rows[0]!.n).toBe(200);
  });
});

