import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admitted, ok, openCampaign, operator, seedCampaign } from './support/fixtures.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

// Call-centre booking. Server time 2026-08-10 11:00 Seoul; campaign `call` has one open window, and
// campaign `rot` a 10-day rotation whose window r1 (birth days 9/19/29) is the one open now.
let t: TestApp;
let agent: { authorization: string };
let agentId: string;
const PASSWORD = 'call centre pass phrase';
const caller = { name: '김영희', birthDate: '1955-03-19', phone: '010-2222-3333' };
const rotation = Array.from({ length: 10 }, (_, k) => ({
  id: `r${k + 1}`,
  opensAt: new Date(Date.parse('2026-08-09T11:00:00Z') + k * 86_400_000).toISOString(),
  closesAt: new Date(Date.parse('2026-08-10T09:00:00Z') + k * 86_400_000).toISOString(),
  birthDayDigits: [(k + 9) % 10],
}));

type Method = 'GET' | 'POST';
const call = (method: Method, url: string, headers: Record<string, string>, payload?: unknown) => t.app.inject({ method, url, headers, payload: payload as object });

async function identify(who = caller): Promise<string> {
  const res = await call('POST', '/api/v1/agent/identity', agent, who);
  expect(res.statusCode, res.body).toBe(200);
  expect(res.headers['set-cookie']).toBeUndefined();
  return res.json().personId;
}

/** The same person signing in on the development provider, as a citizen would. */
async function selfSession(who = caller): Promise<{ authorization: string }> {
  const body = await ok(t.app, 'POST', '/api/v1/identity/dev', who);
  return { authorization: `Bearer ${body.session}` };
}

const book = (campaignId: string, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  call('POST', `/api/v1/agent/campaigns/${campaignId}/bookings`, { ...agent, ...headers }, body);

beforeAll(async () => {
  t = await startTestApp({ now: '2026-08-10T02:00:00Z' });
  await seedCampaign(t.app, { id: 'call', institutions: ['A1'], dates: ['2026-08-11', '2026-08-20', '2026-09-01', '2026-09-10'], times: ['09:00', '09:30'], doses: 3 });
  await ok(t.app, 'POST', '/api/v1/admin/campaigns', openCampaign('rot', { windows: rotation, vaccine: { name: 'flu', doses: 1, intervalDays: 0 } }), operator);
  await ok(t.app, 'POST', '/api/v1/admin/campaigns/rot/capacity', [{ institutionId: 'A1', date: '2026-08-25', time: '09:00', doses: 5 }], operator);
  agentId = (await ok(t.app, 'POST', '/api/v1/admin/operators', { username: 'agent.one', password: PASSWORD, role: 'agent' }, operator)).id;
  const login = await ok(t.app, 'POST', '/api/v1/admin/login', { username: 'agent.one', password: PASSWORD });
  agent = { authorization: `Bearer ${login.token}` };
});
afterAll(() => t.close());

describe('agent identity', () => {
  it('records the phoned-in person as the same person the development provider knows, without a session', async () => {
    const res = await call('POST', '/api/v1/agent/identity', agent, caller);
    expect(res.json()).toMatchObject({ personId: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), person: { maskedName: '김*희', birthDate: '1955-03-19' } });
    expect(res.json().eligibility).toContainEqual(expect.objectContaining({ campaignId: 'call', eligible: true, reason: 'ELIGIBLE' }));
    expect(await identify()).toBe(res.json().personId);
    const session = (await selfSession()).authorization.slice('Bearer '.length);
    expect((t.ctx.signer.verify('session', session, t.clock.now())).subject).toBe(res.json().personId);
    const row = await t.ctx.db.selectFrom('persons').select(['name_enc', 'phone_enc']).where('person_key', '=', res.json().personId).executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(caller.phone);
  });

  it('refuses implausible input and unknown persons', async () => {
    expect((await call('POST', '/api/v1/agent/identity', agent, { ...caller, birthDate: '2027-01-01' })).statusCode).toBe(400);
    expect((await call('POST', '/api/v1/agent/identity', agent, { ...caller, phone: '12345' })).statusCode).toBe(400);
    const unknown = 'A'.repeat(43);
    expect((await book('call', { personId: unknown, institutionId: 'A1', date: '2026-08-20', time: '09:00' })).json().error.code).toBe('YEYAK_ERR_PERSON_NOT_FOUND');
    expect((await call('GET', `/api/v1/agent/persons/${unknown}/bookings`, agent)).statusCode).toBe(404);
  });
});

describe('agent booking', () => {
  it('books for the person under the same rules, marked booked_by, and the person sees it', async () => {
    const personId = await identify();
    const slot = { personId, institutionId: 'A1', date: '2026-08-20', time: '09:00' };
    const first = await book('call', slot, { 'idempotency-key': 'call-1' });
    expect(first.statusCode, first.body).toBe(201);
    const { booking } = first.json();
    expect(booking).toMatchObject({ status: 'booked', personMaskedName: '김*희', doses: [{ dose: 1, date: '2026-08-20' }, { dose: 2, date: '2026-09-10' }] });
    // A retried request (same Idempotency-Key) answers the same and books nothing more.
    const replay = await book('call', slot, { 'idempotency-key': 'call-1' });
    expect([replay.statusCode, replay.json()]).toEqual([201, first.json()]);
    const rows = await t.ctx.db.selectFrom('bookings').select(['id', 'booked_by', 'status']).where('person_key', '=', personId).execute();
    expect(rows).toEqual([{ id: booking.id, booked_by: `agent:${agentId}`, status: 'booked' }]);
    // One live booking per person per campaign, whoever books.
    expect((await book('call', { ...slot, time: '09:30' })).json().error.code).toBe('YEYAK_ERR_ALREADY_BOOKED');
    const self = await selfSession();
    expect((await call('POST', '/api/v1/campaigns/call/bookings', await admitted(t, self, 'call'), { institutionId: 'A1', date: '2026-08-20', time: '09:30' })).json().error.code).toBe('YEYAK_ERR_ALREADY_BOOKED');
    // The person, signing in on the development provider, sees the booking as their own.
    const mine = await ok(t.app, 'GET', '/api/v1/bookings', undefined, self);
    expect(mine).toEqual([booking]);
    expect(await ok(t.app, 'GET', `/api/v1/agent/persons/${personId}/bookings`, undefined, agent)).toEqual([booking]);
  });

  it('cancels for the person, and a 2-day-old appointment only as the person could', async () => {
    const personId = await identify();
    const [booking] = await ok(t.app, 'GET', `/api/v1/agent/persons/${personId}/bookings`, undefined, agent);
    const cancelled = await ok(t.app, 'POST', `/api/v1/agent/bookings/${booking.id}/cancel`, undefined, agent);
    expect(cancelled.booking.status).toBe('cancelled');
    expect((await call('POST', `/api/v1/agent/bookings/${booking.id}/cancel`, agent)).json().error.code).toBe('YEYAK_ERR_BOOKING_NOT_ACTIVE');
    // Tomorrow's appointment: bookable, but past the self-service deadline for changes.
    const soon = await book('call', { personId, institutionId: 'A1', date: '2026-08-11', time: '09:00' });
    expect(soon.statusCode, soon.body).toBe(201);
    const refused = await call('POST', `/api/v1/agent/bookings/${soon.json().booking.id}/cancel`, agent);
    expect(refused.json().error.code).toBe('YEYAK_ERR_SELF_SERVICE_CLOSED');
    expect((await call('POST', '/api/v1/agent/bookings/00000000-0000-4000-8000-000000000000/cancel', agent)).statusCode).toBe(404);
  });

  it("refuses a booking outside the person's rotation window exactly as it refuses the person", async () => {
    const outside = { name: '박민수', birthDate: '1960-04-15', phone: '010-4444-5555' };
    const personId = await identify(outside);
    const slot = { institutionId: 'A1', date: '2026-08-25', time: '09:00' };
    const byAgent = await book('rot', { personId, ...slot });
    // The person on their own is refused a place in the queue, for the same reason and window.
    const bySelf = await call('POST', '/api/v1/campaigns/rot/queue/tickets', await selfSession(outside));
    expect(byAgent.statusCode).toBe(409);
    expect(byAgent.json().error.code).toBe('YEYAK_ERR_OUTSIDE_WINDOW');
    expect(bySelf.json().error.details).toEqual(byAgent.json().error.details);
    // Born on the 19th: window r1 is open, so the agent can book them.
    expect((await book('rot', { personId: await identify(), ...slot })).statusCode).toBe(201);
    const booked = await t.ctx.db.selectFrom('bookings').select('id').where('campaign_id', '=', 'rot').execute();
    expect(booked).toHaveLength(1);
  });

  it('audits every agent action, with no name, phone or birth date', async () => {
    const rows = await t.ctx.db.selectFrom('audit_log').selectAll().where('actor', '=', agentId).orderBy('id').execute();
    expect(rows.every((r) => r.role === 'agent')).toBe(true);
    const actions = new Set(rows.map((r) => r.action));
    for (const action of ['operator.login.succeeded', 'agent.person.recorded', 'agent.booking.created', 'agent.booking.refused', 'agent.bookings.viewed', 'agent.booking.cancelled', 'agent.booking.cancel_refused']) {
      expect(actions, action).toContain(action);
    }
    const refusal = rows.find((r) => r.action === 'agent.booking.refused' && (r.details as { campaignId?: string }).campaignId === 'rot');
    expect(refusal?.details).toEqual({ campaignId: 'rot', code: 'YEYAK_ERR_OUTSIDE_WINDOW' });
    const text = JSON.stringify(rows);
    for (const personal of ['김영희', '박민수', '2222', '1955-03-19', '1960-04-15', PASSWORD]) expect(text).not.toContain(personal);
  });
});
