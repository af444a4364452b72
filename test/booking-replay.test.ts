import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admitted, ok, person, seedCampaign } from './support/fixtures.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

// A booking replayed under its Idempotency-Key (API.md): what the key keeps, and the first 201 again.
// Server time 2026-08-10 11:00 Seoul; the open window runs 2026-08-09 20:00 → 2026-09-30 18:00.
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ now: '2026-08-10T02:00:00Z' });
});
afterAll(() => t.close());

describe('a booking replayed under its Idempotency-Key', () => {
  it('keeps under the key only what the request cannot say, and replays the first 201 from it, even after a cancellation', async () => {
    await seedCampaign(t.app, { id: 'kept', institutions: ['K1'], dates: ['2026-08-21', '2026-09-11'], times: ['09:00'], doses: 2 });
    const keptUrl = '/api/v1/campaigns/kept/bookings';
    const who = await person(t.app);
    const headers = { ...(await admitted(t, who, 'kept')), 'idempotency-key': 'kept-1' };
    const body = { institutionId: 'K1', date: '2026-08-21', time: '09:00' };
    const first = await t.app.inject({ method: 'POST', url: keptUrl, headers, payload: body });
    expect(first.statusCode, first.body).toBe(201);
    const { booking } = first.json();
    const kept = await t.ctx.db.selectFrom('idempotency_keys').select(['status_code', 'response']).where('key', '=', 'kept-1').executeTakeFirstOrThrow();
    expect(kept).toEqual({ status_code: 201, response: { booked: { id: booking.id, code: booking.code, dates: ['2026-08-21', '2026-09-11'], minutes: [540, 540] } } });
    // Cancelled since: the replay is still the first answer (status booked), not the booking as it is now.
    await ok(t.app, 'POST', `/api/v1/bookings/${booking.id}/cancel`, undefined, who);
    const again = await t.app.inject({ method: 'POST', url: keptUrl, headers, payload: body });
    expect([again.statusCode, again.body]).toEqual([201, first.body]);
    // A body kept whole (a node before migration 0028 stored it) is answered as kept.
    const whole = { booking: { ...booking, personMaskedName: '옛*답' } };
    await sql`UPDATE idempotency_keys SET response = ${JSON.stringify(whole)}::jsonb WHERE key = 'kept-1'`.execute(t.ctx.db);
    const old = await t.app.inject({ method: 'POST', url: keptUrl, headers, payload: body });
    expect([old.statusCode, old.json()]).toEqual([201, whole]);
  });

  it('replays a key stored before the hash was canonical (keys in the order they came), across the deploy', async () => {
    await seedCampaign(t.app, { id: 'legacy', institutions: ['L1'], dates: ['2026-08-20', '2026-09-10'], times: ['09:00', '09:30'], doses: 2 });
    const legacyUrl = '/api/v1/campaigns/legacy/bookings';
    const who = await person(t.app);
    const headers = { ...(await admitted(t, who, 'legacy')), 'idempotency-key': 'key-legacy', 'content-type': 'application/json' };
    // A client whose keys are not in sorted order: the hash before the canonical form differed for it.
    const payload = '{"time":"09:00","institutionId":"L1","date":"2026-08-20"}';
    const first = await t.app.inject({ method: 'POST', url: legacyUrl, headers, payload });
    expect(first.statusCode, first.body).toBe(201);
    const inArrivalOrder = createHash('sha256').update(JSON.stringify({ campaignId: 'legacy', ...(JSON.parse(payload) as object) })).digest('base64url');
    const stored = await sql<{ n: number }>`UPDATE idempotency_keys SET request_hash = ${inArrivalOrder} WHERE key = 'key-legacy' RETURNING 1 AS n`.execute(t.ctx.db);
    expect(stored.rows).toHaveLength(1);
    const again = await t.app.inject({ method: 'POST', url: legacyUrl, headers, payload });
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(first.json());
    const other = await t.app.inject({ method: 'POST', url: legacyUrl, headers, payload: '{"time":"09:30","institutionId":"L1","date":"2026-08-20"}' });
    expect([other.statusCode, other.json().error.code]).toEqual([422, 'YEYAK_ERR_IDEMPOTENCY_MISMATCH']);
  });
});
