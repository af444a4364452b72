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
});
