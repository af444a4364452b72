import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/test-app.ts';

const t = useTestApp();

describe('web pages', () => {
  it('serves the citizen site at / with a content-hashed, immutable script, gzipped on request', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['cache-control']).toBe('public, max-age=60');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    const script = /src="(\/assets\/site-main\.[A-Z0-9]+\.js)"/.exec(page.body)?.[1];
    expect(script).toBeDefined();
    const js = await t.app.inject({ method: 'GET', url: script!, headers: { 'accept-encoding': 'gzip, br' } });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-encoding']).toBe('gzip');
    expect(js.headers['cache-control']).toContain('immutable');
    const again = await t.app.inject({ method: 'GET', url: script!, headers: { 'if-none-match': String(js.headers.etag) } });
    expect(again.statusCode).toBe(304);
  });

  it('serves the operator console under /console/', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/console' })).statusCode).toBe(301);
    const page = await t.app.inject({ method: 'GET', url: '/console/' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(/\/assets\/console-main\.[A-Z0-9]+\.js/);
  });

  it('serves the clinic portal under /clinic/ and the leftovers page in the citizen site', async () => {
    const redirect = await t.app.inject({ method: 'GET', url: '/clinic' });
    expect([redirect.statusCode, redirect.headers.location]).toEqual([301, '/clinic/']);
    const page = await t.app.inject({ method: 'GET', url: '/clinic/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.body).toMatch(/\/assets\/clinic-main\.[A-Z0-9]+\.js/);
    expect((await t.app.inject({ method: 'GET', url: '/clinic/clinic.css' })).headers['content-type']).toMatch(/^text\/css/);
    expect((await t.app.inject({ method: 'GET', url: '/leftovers/' })).body).toMatch(/\/assets\/site-leftovers\.entry\.[A-Z0-9]+\.js/);
  });

  it('answers an unknown page with the one error shape', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/no-such-page' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toMatch(/^YEYAK_ERR_/);
  });
});
