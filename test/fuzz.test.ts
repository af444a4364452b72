import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admitted, operator, person, seedCampaign } from './support/fixtures.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

let t: TestApp;
let who: { authorization: string };
let session: { authorization: string };
beforeAll(async () => {
  t = await startTestApp();
  await seedCampaign(t.app, { id: 'fz', institutions: ['F1'], dates: ['2026-08-20', '2026-09-10'], times: ['09:00'], doses: 100 });
  session = await person(t.app);
  who = await admitted(t, session, 'fz');
});
afterAll(() => t.close());

const ENDPOINTS: { method: 'GET' | 'POST' | 'PUT'; url: string; headers: () => Record<string, string> }[] = [
  { method: 'POST', url: '/api/v1/campaigns/fz/bookings', headers: () => who },
  { method: 'POST', url: '/api/v1/identity/dev', headers: () => ({}) },
  { method: 'POST', url: '/api/v1/admin/campaigns', headers: () => operator },
  { method: 'POST', url: '/api/v1/admin/institutions', headers: () => operator },
  { method: 'POST', url: '/api/v1/admin/campaigns/fz/capacity', headers: () => operator },
  { method: 'POST', url: '/api/v1/bookings/00000000-0000-4000-8000-000000000000/change', headers: () => who },
  { method: 'POST', url: '/api/v1/campaigns/fz/queue/tickets', headers: () => session },
  { method: 'POST', url: '/api/v1/campaigns/fz/admissions', headers: () => ({}) },
  { method: 'GET', url: '/api/v1/campaigns/fz/queue/tickets/me', headers: () => ({}) },
  { method: 'GET', url: '/api/v1/campaigns/fz/queue', headers: () => ({}) },
  { method: 'POST', url: '/api/v1/admin/campaigns/fz/queue/pause', headers: () => operator },
  { method: 'PUT', url: '/api/v1/admin/campaigns/fz', headers: () => operator },
  { method: 'PUT', url: '/api/v1/admin/campaigns/fz/admission', headers: () => operator },
];

describe('fuzzing the booking and operator endpoints', () => {
  it('never answers 5xx to random bodies, headers and tokens', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ENDPOINTS),
        fc.oneof(fc.json(), fc.anything().map((v) => JSON.stringify(v) ?? 'null'), fc.string()),
        fc.option(fc.string({ maxLength: 200 })),
        fc.option(fc.string({ maxLength: 80 })),
        fc.constantFrom('application/json', 'text/csv', 'text/plain', 'application/json; charset=utf-8'),
        async (endpoint, body, token, idempotencyKey, contentType) => {
          const headers: Record<string, string> = { ...endpoint.headers(), 'content-type': contentType };
          if (endpoint.method === 'GET') delete headers['content-type'];
          if (token !== null) headers.authorization = `Bearer ${token}`;
          if (idempotencyKey !== null) headers['idempotency-key'] = idempotencyKey;
          const res = await t.app.inject({ method: endpoint.method, url: endpoint.url, headers, payload: endpoint.method === 'GET' ? undefined : body });
          expect(res.statusCode, `${endpoint.url} ${body} → ${res.body}`).toBeLessThan(500);
          expect(res.json().error?.code ?? 'ok').toMatch(/^(ok|YEYAK_ERR_[A-Z_]+)$/);
        },
      ),
      { numRuns: 300 },
    );
  }, 60_000);

  it('never answers 5xx to random query strings on the availability endpoints', async () => {
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.constantFrom('sido', 'sigungu', 'near', 'date', 'cursor', 'limit', 'radiusKm', 'from', 'to'), fc.string({ maxLength: 30 })), async (query) => {
        const qs = new URLSearchParams(query).toString();
        for (const url of [`/api/v1/campaigns/fz/institutions?${qs}`, `/api/v1/campaigns/fz/institutions/F1/slots?${qs}`]) {
          const res = await t.app.inject({ method: 'GET', url, headers: who });
          expect(res.statusCode, `${url} → ${res.body}`).toBeLessThan(500);
        }
      }),
      { numRuns: 200 },
    );
  }, 60_000);
});
