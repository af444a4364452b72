import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admitted, ok, operator, person, seedCampaign } from './support/fixtures.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

/**
 * Issue 23: text PostgreSQL cannot store — U+0000, a lone surrogate, bytes that are not UTF-8 —
 * is refused at the edge on every route of openapi.json, wherever it comes (a path parameter, a
 * query value, a body string or key, a CSV or plain-text body): 400 `YEYAK_ERR_VALIDATION` in the
 * API's error shape, whatever the credential, and nothing written. The requests carry a valid
 * credential for the route's kind, so a route that skipped the check would reach its handler.
 */

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
interface Route {
  method: Method;
  path: string;
  bodyTypes: string[];
  /** String properties of the JSON body's schema (top level), if it names any. */
  bodyStrings: string[];
  /** The credential openapi.json says the route checks, if any. */
  security: string | null;
}

/** Strings no route may take in (as JS strings: JSON escapes carry them in a body). */
const UNCLEAN = ['\u0000', 'a\u0000b', '\ud800', 'x\udfffy', '서울\u0000', '\udbff\u0000'];
/** The same in an address: U+0000 percent-encoded, and a surrogate's UTF-8 form (CESU), which is not UTF-8. */
const UNCLEAN_IN_ADDRESS = ['%00', 'a%00b', '%ED%A0%80', 'x%ED%BF%BFy', '%EC%84%9C%EC%9A%B8%00'];
/** Bytes that are not UTF-8 inside a body's string. */
const NOT_UTF8 = [Buffer.from([0xff, 0xfe]), Buffer.from([0xc3]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0x80])];

let t: TestApp;
let routes: Route[];
let credentials: Record<'operator' | 'agent' | 'clinic' | 'session' | 'ticket' | 'admission' | 'none', Record<string, string>>;
const PASSWORD = 'correct horse battery staple 23';

async function rowCounts(): Promise<Record<string, number>> {
  const { rows: tables } = await sql<{ name: string }>`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`.execute(t.ctx.db);
  const counts: Record<string, number> = {};
  for (const { name } of tables) counts[name] = Number((await sql<{ n: string }>`SELECT count(*) AS n FROM ${sql.table(name)}`.execute(t.ctx.db)).rows[0]!.n);
  return counts;
}

/** The credential the route checks (openapi.json's security), with the staff role its path needs. */
function credentialFor(route: Route): Record<string, string> {
  if (route.security === 'operator') return route.path.startsWith('/api/v1/agent') ? credentials.agent : route.path.startsWith('/api/v1/clinic') ? credentials.clinic : credentials.operator;
  if (route.security === 'ticket' || route.security === 'admission' || route.security === 'session') return credentials[route.security];
  return credentials.session;
}

async function staffLogin(username: string, role: string, extra: Record<string, unknown> = {}): Promise<Record<string, string>> {
  await ok(t.app, 'POST', '/api/v1/admin/operators', { username, password: PASSWORD, role, ...extra }, operator);
  return { authorization: `Bearer ${(await ok(t.app, 'POST', '/api/v1/admin/login', { username, password: PASSWORD })).token}` };
}

beforeAll(async () => {
  t = await startTestApp();
  await seedCampaign(t.app, { id: 'uc', institutions: ['U1'], dates: ['2026-08-20', '2026-09-10'], times: ['09:00'], doses: 100 });
  const session = await person(t.app);
  const ticket = (await ok(t.app, 'POST', '/api/v1/campaigns/uc/queue/tickets', undefined, session)).ticket as string;
  const admission = await admitted(t, session, 'uc');
  credentials = { operator, agent: await staffLogin('agent.uc', 'agent'), clinic: await staffLogin('clinic.uc', 'clinic_staff', { institutionId: 'U1' }), session, ticket: { authorization: `Bearer ${ticket}` }, admission, none: {} };
  const spec = (await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json() as {
    paths: Record<string, Record<string, { security?: Record<string, unknown>[]; requestBody?: { content?: Record<string, { schema?: { properties?: Record<string, { type?: string }> } }> } }>>;
  };
  routes = Object.entries(spec.paths).flatMap(([path, operations]) =>
    Object.entries(operations).map(([method, op]) => {
      const content = op.requestBody?.content ?? {};
      const properties = content['application/json']?.schema?.properties ?? {};
      const security = Object.keys(op.security?.[0] ?? {})[0] ?? null;
      return { method: method.toUpperCase() as Method, path, security, bodyTypes: Object.keys(content), bodyStrings: Object.entries(properties).filter(([, p]) => p.type === 'string').map(([name]) => name) };
    }),
  );
});
afterAll(() => t?.close());

/** The route's path with its parameters filled: `bad` in the one at `at`, a plausible value elsewhere. */
function address(route: Route, at: number | null, bad: string): string {
  let i = 0;
  return route.path.replace(/\{[^}]+\}/g, () => (i++ === at ? bad : 'uc'));
}

const parameterCount = (route: Route) => (route.path.match(/\{[^}]+\}/g) ?? []).length;

describe('unclean text at the edge, on every route of openapi.json', () => {
  it('documents enough routes to mean something', () => {
    expect(routes.length).toBeGreaterThan(60);
    expect(routes.filter((r) => parameterCount(r) > 0).length).toBeGreaterThan(30);
    expect(routes.filter((r) => r.bodyTypes.includes('application/json')).length).toBeGreaterThan(20);
  });

  it('answers 400 YEYAK_ERR_VALIDATION to such text in a path, a query, a body string or key, or a body’s bytes, and writes nothing', async () => {
    const before = await rowCounts();
    const where = fc.constantFrom('path', 'query', 'json-value', 'json-key', 'bytes', 'text');
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), where, fc.constantFrom(...UNCLEAN), fc.constantFrom(...UNCLEAN_IN_ADDRESS), fc.constantFrom(...NOT_UTF8), fc.nat(), async (route, part, bad, badInAddress, bytes, pick) => {
        const headers: Record<string, string> = { ...credentialFor(route), 'idempotency-key': `uc-${pick}` };
        let url = address(route, null, '');
        let payload: string | Buffer | undefined;
        const parameters = parameterCount(route);
        const canBody = route.method !== 'GET' && route.method !== 'DELETE';
        const kind = part === 'path' && parameters === 0 ? 'query' : !canBody && part !== 'path' ? 'query' : part;
        if (kind === 'path') url = address(route, pick % parameters, badInAddress);
        else if (kind === 'query') url = `${url}?${['near', 'cursor', 'date', 'q', 'x'][pick % 5]}=${badInAddress}`;
        else if (kind === 'text') {
          headers['content-type'] = route.bodyTypes.includes('text/csv') ? 'text/csv' : 'text/plain';
          payload = Buffer.concat([Buffer.from('name,birthDate\n'), bytes, Buffer.from(',1970-01-01\n')]);
        } else {
          headers['content-type'] = 'application/json';
          const field = route.bodyStrings[pick % Math.max(1, route.bodyStrings.length)] ?? 'reason';
          if (kind === 'json-value') payload = JSON.stringify({ [field]: bad });
          else if (kind === 'json-key') payload = JSON.stringify({ [`${field}${bad}`]: 'x' });
          else payload = Buffer.concat([Buffer.from(`{"${field}":"a`), bytes, Buffer.from('b"}')]);
        }
        const res = await t.app.inject({ method: route.method, url, headers, ...(payload === undefined ? {} : { payload }) });
        const label = `${route.method} ${url} (${kind}) → ${res.statusCode} ${res.body.slice(0, 200)}`;
        if (res.statusCode !== 400 && payload !== undefined) {
          // A gate before the body (a staff role, a feature not configured) refuses clean text alike: the body never mattered.
          const control = await t.app.inject({ method: route.method, url, headers, payload: '{}' });
          expect([res.statusCode, res.json().error?.code], label).toEqual([control.statusCode, control.json().error?.code]);
          expect([401, 403, 404], label).toContain(res.statusCode);
          return;
        }
        expect(res.statusCode, label).toBe(400);
        expect(res.json().error.code, label).toBe('YEYAK_ERR_VALIDATION');
      }),
      { numRuns: 1500 },
    );
    expect(await rowCounts()).toEqual(before);
  }, 120_000);

  it('refuses such text in a header-derived value (a cookie, an Idempotency-Key) with a 4xx, never a 5xx', async () => {
    const book = '/api/v1/campaigns/uc/bookings';
    const body = { institutionId: 'U1', date: '2026-08-20', time: '09:00' };
    for (const cookie of ['yeyak_session=%00', 'yeyak_admission=a%00b', 'yeyak_ticket=%ED%A0%80', 'yeyak_session=\u00ff\u00fe']) {
      for (const url of ['/api/v1/me', book, '/api/v1/campaigns/uc/queue/tickets/me']) {
        const res = await t.app.inject({ method: url === book ? 'POST' : 'GET', url, headers: { cookie }, ...(url === book ? { payload: body } : {}) });
        expect(res.statusCode, `${url} with ${cookie} → ${res.body}`).toBeGreaterThanOrEqual(400);
        expect(res.statusCode, `${url} with ${cookie} → ${res.body}`).toBeLessThan(500);
      }
    }
    // Node's parser refuses U+0000 in a header; bytes past ASCII arrive as Latin-1 text, which the database stores.
    const key = await t.app.inject({ method: 'POST', url: book, headers: { ...credentials.admission, 'idempotency-key': 'k\u00ff\u00fe' }, payload: body });
    expect(key.statusCode).toBeLessThan(500);
  });

  it('refuses it on a real socket too, where the fast paths stand before Fastify (they take only [A-Za-z0-9_-] ids)', async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const address = t.app.server.address();
    const origin = typeof address === 'object' && address ? `http://127.0.0.1:${address.port}` : '';
    const unclean = [
      ['GET', '/api/v1/campaigns/%00/queue'],
      ['POST', '/api/v1/campaigns/a%00b/queue/tickets'],
      ['POST', '/api/v1/campaigns/%ED%A0%80/queue/tickets'],
      // The status document reads no query (one document for everyone), yet a query the API refuses gets the same 400 as through Fastify.
      ['GET', '/api/v1/campaigns/uc/queue?x=%ED%A0%80'],
      ['GET', '/api/v1/campaigns/uc/queue?t=1&x=a%00b'],
      ['GET', '/api/v1/campaigns/uc/queue?x=%ff'],
    ] as const;
    for (const [method, path] of unclean) {
      const res = await fetch(`${origin}${path}`, { method, headers: credentials.session });
      const body = (await res.json()) as { error?: { code?: string } };
      expect([res.status, body.error?.code], path).toEqual([400, 'YEYAK_ERR_VALIDATION']);
    }
    // A clean cache buster, Korean included, is the status document as ever.
    for (const path of ['/api/v1/campaigns/uc/queue?t=1733400000', '/api/v1/campaigns/uc/queue?q=%ED%95%9C']) {
      const res = await fetch(`${origin}${path}`);
      expect([res.status, res.headers.get('cache-control')], path).toEqual([200, 'public, max-age=1']);
      expect(typeof ((await res.json()) as { servingUpTo?: number }).servingUpTo, path).toBe('number');
    }
  });

  it('still takes clean text, Korean and emoji included', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/admin/campaigns/uc/queue/pause', headers: { ...operator, 'content-type': 'application/json' }, payload: JSON.stringify({ reason: '시스템 점검 🛠 (10분)' }) });
    expect(res.statusCode).toBe(200);
    const status = await ok(t.app, 'GET', '/api/v1/campaigns/uc/queue');
    expect(status.pausedReason).toBe('시스템 점검 🛠 (10분)');
    await ok(t.app, 'POST', '/api/v1/admin/campaigns/uc/queue/resume', undefined, operator);
  });

  it('answers a path that is not UTF-8 and one too long in the API’s error shape', async () => {
    const bad = await t.app.inject({ method: 'GET', url: '/api/v1/campaigns/%ff/queue' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('YEYAK_ERR_VALIDATION');
    const long = await t.app.inject({ method: 'GET', url: `/api/v1/campaigns/${'a'.repeat(5000)}/queue` });
    expect(long.statusCode).toBe(414);
    expect(long.json()).toEqual({ error: { code: 'YEYAK_ERR_URI_TOO_LONG', message: 'The address is too long.' } });
  });
});
