import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { admitted, ok, person, seedCampaign } from './support/fixtures.ts';
import { useTestApp } from './support/test-app.ts';

// A booking replayed under its Idempotency-Key (API.md): where the key is kept, and the first 201 again.
// Server time 2026-08-10 11:00 Seoul; the open window runs 2026-08-09 20:00 → 2026-09-30 18:00.
const t = useTestApp({ now: '2026-08-10T02:00:00Z' });

const keptRows = (key: string) => t.ctx.db.selectFrom('idempotency_keys').select(['request_hash', 'status_code', 'response']).where('key', '=', key).execute();

/** A campaign of two doses, a person admitted to it, and their first booking under `key`: `send` posts another request under the same key. */
async function bookedUnderKey(campaignId: string, institutions: string[], times: string[], key: string, body: { institutionId: string; date: string; time: string }) {
  await seedCampaign(t.app, { id: campaignId, institutions, dates: ['2026-08-21', '2026-09-11'], times, doses: 2 });
  const who = await person(t.app);
  const headers = { ...(await admitted(t, who, campaignId)), 'idempotency-key': key };
  const send = (payload: object) => t.app.inject({ method: 'POST', url: `/api/v1/campaigns/${campaignId}/bookings`, headers, payload });
  const first = await send(body);
  expect(first.statusCode, first.body).toBe(201);
  return { who, send, first, booking: first.json().booking as { id: string } };
}

describe('a booking replayed under its Idempotency-Key', () => {
  it('keeps the key in the booking itself, and replays the first 201 from the booking, even after a cancellation', async () => {
    const body = { institutionId: 'K1', date: '2026-08-21', time: '09:00' };
    const { who, send, first, booking } = await bookedUnderKey('kept', ['K1'], ['09:00', '09:30'], 'kept-1', body);
    // Migration 0030: no row of its own under the key, the booking holds it.
    expect(await keptRows('kept-1')).toEqual([]);
    const row = await t.ctx.db.selectFrom('bookings').select(['id', 'idempotency_key']).where('idempotency_key', '=', 'kept-1').execute();
    expect(row).toEqual([{ id: booking.id, idempotency_key: 'kept-1' }]);
    const again = await send(body);
    expect([again.statusCode, again.body]).toEqual([201, first.body]);
    const other = await send({ ...body, time: '09:30' });
    expect([other.statusCode, other.json().error.code]).toEqual([422, 'YEYAK_ERR_IDEMPOTENCY_MISMATCH']);
    // Cancelled since: the replay is still the first answer (status booked), not the booking as it is now.
    await ok(t.app, 'POST', `/api/v1/bookings/${booking.id}/cancel`, undefined, who);
    const cancelled = await send(body);
    expect([cancelled.statusCode, cancelled.body]).toEqual([201, first.body]);
    const otherCancelled = await send({ ...body, date: '2026-08-22' });
    expect([otherCancelled.statusCode, otherCancelled.json().error.code]).toEqual([422, 'YEYAK_ERR_IDEMPOTENCY_MISMATCH']);
  });

  it('replays the first answer of a booking changed since, and still refuses another request under its key', async () => {
    const body = { institutionId: 'M1', date: '2026-08-21', time: '09:00' };
    const { who, send, first, booking } = await bookedUnderKey('moved', ['M1', 'M2'], ['09:00', '10:00'], 'moved-1', body);
    const changeTo = { institutionId: 'M2', date: '2026-08-21', time: '10:00' };
    const changed = await ok(t.app, 'POST', `/api/v1/bookings/${booking.id}/change`, changeTo, await admitted(t, who, 'moved'));
    expect(changed.booking.doses.map((d: { institutionId: string }) => d.institutionId)).toEqual(['M2', 'M2']);
    expect(await keptRows('moved-1')).toHaveLength(1);
    const again = await send(body);
    expect([again.statusCode, again.body]).toEqual([201, first.body]);
    // The booking now matches this request, but the key was sent with the first one.
    const asNow = await send(changeTo);
    expect([asNow.statusCode, asNow.json().error.code]).toEqual([422, 'YEYAK_ERR_IDEMPOTENCY_MISMATCH']);
    // A second change keeps the first answer, not the answer the first change would give.
    await ok(t.app, 'POST', `/api/v1/bookings/${booking.id}/change`, body, await admitted(t, who, 'moved'));
    await ok(t.app, 'POST', `/api/v1/bookings/${booking.id}/change`, changeTo, await admitted(t, who, 'moved'));
    expect(await keptRows('moved-1')).toHaveLength(1);
    const still = await send(body);
    expect([still.statusCode, still.body]).toEqual([201, first.body]);
  });

  it('answers a key kept in idempotency_keys before migration 0030, whole (before 0028) or compact, and under a hash before the canonical one', async () => {
    await seedCampaign(t.app, { id: 'legacy', institutions: ['L1'], dates: ['2026-08-20', '2026-09-10'], times: ['09:00', '09:30'], doses: 2 });
    const legacyUrl = '/api/v1/campaigns/legacy/bookings';
    const who = await person(t.app);
    const headers = { ...(await admitted(t, who, 'legacy')), 'idempotency-key': 'key-legacy', 'content-type': 'application/json' };
    // A client whose keys are not in sorted order: the hash before the canonical form differed for it.
    const payload = '{"time":"09:00","institutionId":"L1","date":"2026-08-20"}';
    const first = await t.app.inject({ method: 'POST', url: legacyUrl, headers, payload });
    expect(first.statusCode, first.body).toBe(201);
    const { booking } = first.json();
    // As a node before 0030 kept it: in idempotency_keys, not in the booking.
    const inArrivalOrder = createHash('sha256').update(JSON.stringify({ campaignId: 'legacy', ...(JSON.parse(payload) as object) })).digest('base64url');
    await sql`UPDATE bookings SET idempotency_key = NULL WHERE id = ${booking.id}`.execute(t.ctx.db);
    const compact = { booked: { id: booking.id, code: booking.code, dates: ['2026-08-20', '2026-09-10'], minutes: [540, 540] } };
    await sql`INSERT INTO idempotency_keys (person_key, key, request_hash, status_code, response, created_at)
              SELECT person_key, 'key-legacy', ${inArrivalOrder}, 201, ${JSON.stringify(compact)}::jsonb, created_at FROM bookings WHERE id = ${booking.id}`.execute(t.ctx.db);
    const again = await t.app.inject({ method: 'POST', url: legacyUrl, headers, payload });
    expect([again.statusCode, again.json()]).toEqual([201, first.json()]);
    const other = await t.app.inject({ method: 'POST', url: legacyUrl, headers, payload: '{"time":"09:30","institutionId":"L1","date":"2026-08-20"}' });
    expect([other.statusCode, other.json().error.code]).toEqual([422, 'YEYAK_ERR_IDEMPOTENCY_MISMATCH']);
    // A body kept whole (a node before migration 0028 stored it) is answered as kept.
    const whole = { booking: { ...booking, personMaskedName: '옛*답' } };
    await sql`UPDATE idempotency_keys SET response = ${JSON.stringify(whole)}::jsonb WHERE key = 'key-legacy'`.execute(t.ctx.db);
    const old = await t.app.inject({ method: 'POST', url: legacyUrl, headers, payload });
    expect([old.statusCode, old.json()]).toEqual([201, whole]);
  });
});
