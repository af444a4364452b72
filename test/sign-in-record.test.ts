import type { FastifyReply } from 'fastify';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { recordOnFirstNeed } from '../src/modules/identity/person-records.ts';
import { verifySessionToken } from '../src/modules/identity/session-auth.ts';
import { recordPerson, signIn } from '../src/modules/identity/sign-in.ts';
import { ok, personKeyOfSession } from './support/fixtures.ts';
import { useTestApp } from './support/test-app.ts';

/**
 * Signing in records nothing: the session seals the verified identity, and the person is recorded
 * on their first need of a record (a booking, a dependent, a leftover alert, a language). Recording
 * them again unchanged must leave their row as it is — on opening night every write is a commit
 * the database flushes — while a changed name or phone must still reach the record, and a session
 * verified earlier must never replace what a later one recorded.
 */
const t = useTestApp({ now: '2026-08-10T02:00:00Z' });

async function rowOf(personKey: string) {
  const { rows } = await sql<{ version: string; phone_enc: string; contact_hash: string }>`
    SELECT xmin::text AS version, phone_enc, contact_hash FROM persons WHERE person_key = ${personKey}
  `.execute(t.ctx.db);
  expect(rows).toHaveLength(1);
  return rows[0]!;
}


describe('recording a signed-in person', () => {
  const citizen = { name: '성춘향', birthDate: '1962-05-05', phone: '010-1111-2222' };

  it('records nothing at sign-in, the person at their first need, and nothing more when recorded again unchanged', async () => {
    const { session } = await ok(t.app, 'POST', '/api/v1/identity/dev', citizen);
    const personKey = personKeyOfSession(session);
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM persons WHERE person_key = ${personKey}`.execute(t.ctx.db);
    expect(rows[0]!.n).toBe(0);
    const sealed = verifySessionToken(t.ctx, session).person!;
    expect(sealed.sealed).toMatchObject({ name: citizen.name, phone: citizen.phone });
    await recordOnFirstNeed(t.ctx, sealed);
    const recorded = await rowOf(personKey);
    expect(t.ctx.crypto.decrypt(recorded.phone_enc, `persons.phone:${personKey}`)).toBe(citizen.phone);
    // The same session again, and a second device's: no new row version.
    t.clock.advance(1_000);
    const second = (await ok(t.app, 'POST', '/api/v1/identity/dev', citizen)).session as string;
    await recordOnFirstNeed(t.ctx, sealed);
    await recordOnFirstNeed(t.ctx, verifySessionToken(t.ctx, second).person!);
    expect(await rowOf(personKey)).toEqual(recorded);
    // A first need through the API: the language, which then writes the row itself.
    await ok(t.app, 'PUT', '/api/v1/me/message-language', { language: 'en' }, { authorization: `Bearer ${second}` });
    expect((await t.ctx.db.selectFrom('persons').select('locale').where('person_key', '=', personKey).executeTakeFirstOrThrow()).locale).toBe('en');
  });

  it("never lets an earlier verification replace a later one's record", async () => {
    const person = { personKey: 'person-who-changed-phone-between-sessions', birthDate: '1960-06-06', maskedName: '이*룡' };
    const earlier = { ...person, sealed: { name: '이몽룡', phone: '010-1234-0001', verifiedAt: new Date('2026-08-10T01:00:00Z') } };
    const later = { ...person, sealed: { name: '이몽룡', phone: '010-1234-0002', verifiedAt: new Date('2026-08-10T01:30:00Z') } };
    // The later session books first; the earlier one, still valid, needs a record after it.
    await recordOnFirstNeed(t.ctx, later);
    await recordOnFirstNeed(t.ctx, earlier);
    expect(t.ctx.crypto.decrypt((await rowOf(person.personKey)).phone_enc, `persons.phone:${person.personKey}`)).toBe('010-1234-0002');
    // In the other order the later one does replace it.
    const other = { personKey: 'person-who-changed-phone-in-order', birthDate: '1960-06-07', maskedName: '이*룡' };
    await recordOnFirstNeed(t.ctx, { ...other, sealed: earlier.sealed });
    await recordOnFirstNeed(t.ctx, { ...other, sealed: later.sealed });
    expect(t.ctx.crypto.decrypt((await rowOf(other.personKey)).phone_enc, `persons.phone:${other.personKey}`)).toBe('010-1234-0002');
  });

  it('refreshes at sign-in the record of a person who has one, when their phone changed', async () => {
    // A person on record (the call centre recorded them), who then signs in with a new phone.
    const identity = { ci: 'ci-of-a-booked-person-with-a-new-phone', name: '월매', birthDate: '1940-04-04', sex: null, phone: '010-4444-0001' };
    const { personKey } = await recordPerson(t.ctx, identity);
    const before = await rowOf(personKey);
    t.clock.advance(1_000);
    const reply = { setCookie: () => reply } as unknown as FastifyReply;
    await signIn(t.ctx, reply, identity);
    expect(await rowOf(personKey)).toEqual(before); // unchanged: nothing written
    t.clock.advance(1_000);
    await signIn(t.ctx, reply, { ...identity, phone: '010-4444-0002' });
    const after = await rowOf(personKey);
    expect(after.version).not.toBe(before.version);
    expect(t.ctx.crypto.decrypt(after.phone_enc, `persons.phone:${personKey}`)).toBe('010-4444-0002');
  });

  it('updates the record when the verified phone changed', async () => {
    const identity = { ci: 'ci-of-a-person-who-changed-phone', name: '변학도', birthDate: '1958-01-31', sex: null, phone: '010-3333-4444' };
    const { personKey } = await recordPerson(t.ctx, identity);
    const before = await rowOf(personKey);
    t.clock.advance(1_000);
    await recordPerson(t.ctx, { ...identity, phone: '010-5555-6666' });
    const after = await rowOf(personKey);
    expect(after.version).not.toBe(before.version);
    expect(after.contact_hash).not.toBe(before.contact_hash);
    expect(t.ctx.crypto.decrypt(after.phone_enc, `persons.phone:${personKey}`)).toBe('010-5555-6666');
    // And unchanged once more: still that version.
    await recordPerson(t.ctx, { ...identity, phone: '010-5555-6666' });
    expect((await rowOf(personKey)).version).toBe(after.version);
  });

  it('records a crowd at once, and refuses at sign-in an identity no record could hold', async () => {
    const crowd = ['가', '나', '다', '라', '마'].map((syllable, i) => ({ ci: `ci-of-crowd-${i}`, name: `김${syllable}윤`, birthDate: `1962-03-0${i + 1}`, sex: null, phone: `010-7000-000${i}` }));
    await Promise.all(crowd.map((identity) => recordPerson(t.ctx, identity)));
    const recorded = await t.ctx.db.selectFrom('persons').select('masked_name').where('masked_name', '=', '김*윤').execute();
    expect(recorded).toHaveLength(5);
    // What the database would refuse when the person first books is refused now, with a 400.
    for (const refused of [{ ...crowd[0]!, birthDate: '1962-02-30' }, { ...crowd[0]!, name: '김\u0000윤' }]) {
      await expect(recordPerson(t.ctx, refused)).rejects.toMatchObject({ code: 'YEYAK_ERR_VALIDATION' });
    }
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/identity/dev', payload: { ...citizen, name: '성\u0000향' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('YEYAK_ERR_VALIDATION');
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
