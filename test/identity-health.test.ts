import { describe, expect, it } from 'vitest';
import { ok } from './support/fixtures.ts';
import { useTestApp } from './support/test-app.ts';

const t = useTestApp();

describe('development identity and sessions', () => {
  const alice = { name: '김영희', birthDate: '1962-03-01', phone: '010-2222-3333' };

  it('makes the same person from the same name, birth date and phone, with a masked name', async () => {
    const a = await t.app.inject({ method: 'POST', url: '/api/v1/identity/dev', payload: alice });
    const b = await t.app.inject({ method: 'POST', url: '/api/v1/identity/dev', payload: { ...alice, phone: '01022223333' } });
    expect(a.statusCode).toBe(201);
    expect(a.json().person).toEqual({ maskedName: '김*희', birthDate: '1962-03-01' });
    const cookie = a.headers['set-cookie'] as string;
    expect(cookie).toMatch(/yeyak_session=.*HttpOnly/);
    expect(cookie).toMatch(/Secure/);
    expect(cookie).toMatch(/SameSite=Lax/);
    const meA = await ok(t.app, 'GET', '/api/v1/me', undefined, { authorization: `Bearer ${a.json().session}` });
    const meB = await t.app.inject({ method: 'GET', url: '/api/v1/me', cookies: { yeyak_session: b.json().session } });
    expect(meB.json().person).toEqual(meA.person);
    // Signing in records nothing; each session's first need of a record (here a language) records the one person.
    expect(await t.ctx.db.selectFrom('persons').selectAll().execute()).toEqual([]);
    await ok(t.app, 'PUT', '/api/v1/me/message-language', { language: 'en' }, { authorization: `Bearer ${a.json().session}` });
    await ok(t.app, 'PUT', '/api/v1/me/message-language', { language: 'ko' }, { authorization: `Bearer ${b.json().session}` });
    const rows = await t.ctx.db.selectFrom('persons').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain('김영희');
    expect(JSON.stringify(rows)).not.toContain('2222');
  });

  it('seals the person into the session encrypted, and falls back to the record for a session without it', async () => {
    const signedIn = await ok(t.app, 'POST', '/api/v1/identity/dev', alice);
    const payload = Buffer.from(signedIn.session.split('.')[1], 'base64url').toString();
    expect(payload).not.toContain('1962');
    expect(payload).not.toContain('김');
    const me = await ok(t.app, 'GET', '/api/v1/me', undefined, { authorization: `Bearer ${signedIn.session}` });
    expect(me.person).toEqual({ maskedName: '김*희', birthDate: '1962-03-01' });
    const personKey = JSON.parse(payload).sub as string;
    // The record the sessions below fall back to: written on the person's first need of one.
    await ok(t.app, 'PUT', '/api/v1/me/message-language', { language: 'ko' }, { authorization: `Bearer ${signedIn.session}` });
    const now = t.clock.now();
    const bare = t.ctx.signer.sign('session', personKey, now, 600);
    // A seal made for another person does not open under this one: the record is read instead.
    const borrowed = t.ctx.signer.sign('session', personKey, now, 600, { pd: t.ctx.crypto.encrypt(JSON.stringify({ bd: '1999-01-01', mn: 'x' }), 'session.person:someone-else') });
    for (const session of [bare, borrowed]) {
      const again = await ok(t.app, 'GET', '/api/v1/me', undefined, { authorization: `Bearer ${session}` });
      expect(again.person).toEqual(me.person);
    }
  });

  it('refuses bad input, expired and tampered sessions', async () => {
    for (const payload of [{ ...alice, birthDate: '1962-02-30' }, { ...alice, phone: '12345' }, { ...alice, name: '   ' }, { ...alice, birthDate: '2999-01-01' }, { name: 'x' }]) {
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/identity/dev', payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
    }
    const { session } = await ok(t.app, 'POST', '/api/v1/identity/dev', alice);
    const [h, p, s] = session.split('.');
    const edited = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), sub: 'someone-else' })).toString('base64url');
    for (const token of [`${h}.${edited}.${s}`, `${h}.${p}.`, `${Buffer.from('{"alg":"none","typ":"session+jwt"}').toString('base64url')}.${p}.`]) {
      const res = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });
      expect(res.statusCode).toBe(401);
    }
    t.clock.advance(3601_000);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${session}` } })).statusCode).toBe(401);
    t.clock.advance(-3601_000);
  });

  it('is switched off by configuration (404)', async () => {
    const off = await (await import('./support/test-app.ts')).startTestApp({ env: { YEYAK_DEV_IDENTITY: '0' } });
    const res = await off.app.inject({ method: 'POST', url: '/api/v1/identity/dev', payload: alice });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('YEYAK_ERR_DEV_IDENTITY_DISABLED');
    await off.close();
  });
});

describe('health, time and the contract', () => {
  it('answers health, readiness and the server time in Seoul', async () => {
    expect(await ok(t.app, 'GET', '/api/v1/health')).toEqual({ status: 'ok' });
    expect((await ok(t.app, 'GET', '/api/v1/ready')).status).toBe('ready');
    expect(await ok(t.app, 'GET', '/api/v1/time')).toEqual({ now: '2026-08-10T11:00:00+09:00' });
  });

  it('ignores the client\'s Date header', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/time', headers: { date: 'Wed, 01 Jan 2031 00:00:00 GMT' } });
    expect(res.json()).toEqual({ now: '2026-08-10T11:00:00+09:00' });
  });

  it('serves openapi.json with every public path of API.md built so far', async () => {
    const doc = await ok(t.app, 'GET', '/api/v1/openapi.json');
    for (const path of ['/api/v1/campaigns', '/api/v1/identity/dev', '/api/v1/me', '/api/v1/campaigns/{campaignId}/institutions', '/api/v1/campaigns/{campaignId}/institutions/{institutionId}/slots', '/api/v1/campaigns/{campaignId}/bookings', '/api/v1/bookings', '/api/v1/bookings/{bookingId}/cancel', '/api/v1/bookings/{bookingId}/change', '/api/v1/admin/campaigns', '/api/v1/admin/institutions', '/api/v1/admin/campaigns/{campaignId}/capacity', '/api/v1/admin/campaigns/{campaignId}/stats']) {
      expect(doc.paths, path).toHaveProperty([path]);
    }
  });

  it('says in openapi.json which of the four credentials each route needs', async () => {
    const doc = await ok(t.app, 'GET', '/api/v1/openapi.json');
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['admission', 'operator', 'session', 'ticket']);
    const security = (path: string, method: string) => doc.paths[path][method].security;
    expect(security('/api/v1/campaigns/{campaignId}/queue/tickets', 'post')).toEqual([{ session: [] }]);
    expect(security('/api/v1/me', 'get')).toEqual([{ session: [] }]);
    expect(security('/api/v1/campaigns/{campaignId}/queue/tickets/me', 'get')).toEqual([{ ticket: [] }]);
    expect(security('/api/v1/campaigns/{campaignId}/admissions', 'post')).toEqual([{ ticket: [] }]);
    expect(security('/api/v1/campaigns/{campaignId}/institutions', 'get')).toEqual([{ admission: [] }]);
    expect(security('/api/v1/campaigns/{campaignId}/bookings', 'post')).toEqual([{ admission: [] }]);
    expect(security('/api/v1/admin/campaigns/{campaignId}/stats', 'get')).toEqual([{ operator: [] }]);
    expect(security('/api/v1/campaigns/{campaignId}/queue', 'get')).toBeUndefined();
    expect(security('/api/v1/campaigns', 'get')).toBeUndefined();
  });

  it('describes the optional bodies (joining for a dependent, a pause reason) as not required, and the logout', async () => {
    const doc = await ok(t.app, 'GET', '/api/v1/openapi.json');
    const join = doc.paths['/api/v1/campaigns/{campaignId}/queue/tickets'].post.requestBody;
    expect(join.required).toBe(false);
    expect(join.content['application/json'].schema.properties).toHaveProperty('dependentId');
    const pause = doc.paths['/api/v1/admin/campaigns/{campaignId}/queue/pause'].post.requestBody;
    expect(pause.required).toBe(false);
    expect(pause.content['application/json'].schema.properties.reason).toMatchObject({ type: 'string', maxLength: 200 });
    expect(doc.paths['/api/v1/admin/campaigns/{campaignId}/queue/resume'].post.requestBody).toBeUndefined();
    // Logging out always answers 204, but for what every route may answer: the edge's 400 (unclean text) and a shed 503.
    expect(Object.keys(doc.paths['/api/v1/identity/logout'].post.responses)).toEqual(['204', '400', '503']);
    // Liveness is never shed.
    expect(Object.keys(doc.paths['/api/v1/health'].get.responses)).not.toContain('503');
  });

  it('says at the root what is running', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.body).toContain('/api/v1/openapi.json');
  });

  it('answers unknown paths with a coded 404', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('YEYAK_ERR_NOT_FOUND');
  });
});
