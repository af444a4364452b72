import type { FastifyInstance } from 'fastify';
import { OPERATOR_KEY } from './test-app.ts';

export const operator = { authorization: `Bearer ${OPERATOR_KEY}` };

/** A campaign body with one open window over the given instants (defaults: August 2026). */
export function openCampaign(id: string, overrides: Record<string, unknown> = {}) {
  return {
    id,
    name: `Test campaign ${id}`,
    cohort: { bornFrom: '1940-01-01', bornTo: '2005-12-31' },
    vaccine: { name: 'mRNA', doses: 2, intervalDays: 21 },
    queueOpensAt: '2026-08-09T19:00:00+09:00',
    windows: [{ id: 'open', opensAt: '2026-08-09T20:00:00+09:00', closesAt: '2026-09-30T18:00:00+09:00', birthDayDigits: null }],
    proxyAllowed: false,
    // Test campaigns admit at once (100,000 a second); the waiting room's own tests set real rates.
    admission: { mode: 'fixed', ratePerSecond: 100_000, maxActive: 1_000_000 },
    ...overrides,
  };
}

const DAY_MS = 86_400_000;

/**
 * A campaign body open now on the real clock (the suites that run real processes): queue open since
 * two days, one window from yesterday to 60 days on, two doses 21 days apart, a fixed admission rate.
 */
export function campaignOpenNow(id: string, name: string, admission: { ratePerSecond: number; maxActive: number }, nowMs = Date.now()) {
  return {
    id,
    name,
    cohort: { bornFrom: '1940-01-01', bornTo: '2005-12-31' },
    vaccine: { name: 'mRNA', doses: 2, intervalDays: 21 },
    queueOpensAt: new Date(nowMs - 2 * DAY_MS).toISOString(),
    windows: [{ id: 'open', opensAt: new Date(nowMs - DAY_MS).toISOString(), closesAt: new Date(nowMs + 60 * DAY_MS).toISOString(), birthDayDigits: null }],
    proxyAllowed: false,
    admission: { mode: 'fixed', ...admission },
  };
}

/** A 10-day rotation from `firstDay` (August 2026): window k opens day k at 20:00 Seoul, closes the next day 18:00, for birth days ending in (k + 9) mod 10. */
export function rotationWindows(firstDay = 8) {
  return Array.from({ length: 10 }, (_, i) => ({
    id: `r${i + 1}`,
    kind: 'rotation',
    opensAt: `2026-08-${String(firstDay + i).padStart(2, '0')}T20:00:00+09:00`,
    closesAt: `2026-08-${String(firstDay + 1 + i).padStart(2, '0')}T18:00:00+09:00`,
    birthDayDigits: [(i + 9) % 10],
  }));
}

/** Posts through the real app and fails loudly on an unexpected status. */
export async function ok(app: FastifyInstance, method: 'GET' | 'POST' | 'PUT', url: string, body?: unknown, headers: Record<string, string> = {}, expected = [200, 201]) {
  const response = await app.inject({ method, url, payload: body as object, headers });
  if (!expected.includes(response.statusCode)) throw new Error(`${method} ${url} → ${response.statusCode}: ${response.body}`);
  return response.json();
}

/** Creates a campaign, institutions and capacity: `slots` half-hour slots per date with `doses` each. */
export async function seedCampaign(
  app: FastifyInstance,
  options: { id: string; institutions: string[]; dates: string[]; times: string[]; doses: number; campaign?: Record<string, unknown> },
) {
  await ok(app, 'POST', '/api/v1/admin/campaigns', openCampaign(options.id, options.campaign), operator);
  await ok(
    app,
    'POST',
    '/api/v1/admin/institutions',
    options.institutions.map((id, i) => ({ id, name: `${id} 내과의원`, address: `서울특별시 중구 세종대로 ${i + 1}`, sido: '서울특별시', sigungu: '중구', lat: 37.56 + i * 0.001, lng: 126.97 + i * 0.001 })),
    operator,
  );
  const rows = options.institutions.flatMap((institutionId) =>
    options.dates.flatMap((date) => options.times.map((time) => ({ institutionId, date, time, doses: options.doses }))),
  );
  await ok(app, 'POST', `/api/v1/admin/campaigns/${options.id}/capacity`, rows, operator);
}

let personCounter = 0;

/** Verifies a fresh person through the development provider and returns its bearer header. */
/** The person key a session names (its subject): signing in records nobody, so tests know a person by it. */
export function personKeyOfSession(credential: string | { authorization: string }): string {
  const token = typeof credential === 'string' ? credential : credential.authorization.replace(/^Bearer /, '');
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).sub as string;
}

export async function person(app: FastifyInstance, birthDate = '1970-05-15', name?: string): Promise<{ authorization: string }> {
  personCounter += 1;
  const phone = `010-${String(1000 + (personCounter % 9000)).padStart(4, '0')}-${String(personCounter).padStart(4, '0').slice(-4)}`;
  const body = await ok(app, 'POST', '/api/v1/identity/dev', { name: name ?? `시민${process.pid}-${personCounter}`, birthDate, phone });
  return { authorization: `Bearer ${body.session}` };
}

const admissions = new Map<string, { authorization: string; expiresAtMs: number }>();

/**
 * Takes the person through the waiting room of a campaign — a ticket, the queue advanced on the
 * injected clock (by a millisecond: test campaigns admit 100,000 a second), an admission — and
 * returns the headers the booking endpoints need. Reused while the admission is valid.
 */
export async function admitted(t: { app: FastifyInstance; clock: { now(): Date; advance(ms: number): void }; ctx: { waitingRoom: { refresh(): Promise<void> } } }, who: { authorization: string }, campaignId: string, dependentId?: string): Promise<{ authorization: string }> {
  const key = `${who.authorization}|${campaignId}|${dependentId ?? ''}`;
  const known = admissions.get(key);
  if (known && known.expiresAtMs > t.clock.now().getTime() + 60_000) return { authorization: known.authorization };
  const joined = await t.app.inject({ method: 'POST', url: `/api/v1/campaigns/${campaignId}/queue/tickets`, headers: who, payload: dependentId ? { dependentId } : undefined });
  if (joined.statusCode >= 300) return who; // not eligible to queue: the booking call will say why
  // Tick the queue a millisecond at a time until this place is reached (concurrent callers share
  // refreshes, so one tick may have started before this person joined).
  let res = await t.app.inject({ method: 'POST', url: `/api/v1/campaigns/${campaignId}/admissions`, headers: { authorization: `Bearer ${joined.json().ticket}` } });
  for (let i = 0; res.statusCode === 425 && i < 50; i++) {
    t.clock.advance(1);
    await t.ctx.waitingRoom.refresh();
    res = await t.app.inject({ method: 'POST', url: `/api/v1/campaigns/${campaignId}/admissions`, headers: { authorization: `Bearer ${joined.json().ticket}` } });
  }
  if (res.statusCode !== 201) throw new Error(`admission for ${campaignId} → ${res.statusCode}: ${res.body}`);
  const { admission, expiresAt } = res.json();
  const authorization = `Bearer ${admission}`;
  admissions.set(key, { authorization, expiresAtMs: Date.parse(expiresAt) });
  return { authorization };
}
