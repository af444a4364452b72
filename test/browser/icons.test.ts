import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { webAssets } from '../../src/web/web.routes.ts';
import { startWebOnlyApp } from '../support/web-only-app.ts';

// The icon and the web app manifest: served with their types, linked from every page.
let app: FastifyInstance;
beforeAll(async () => {
  app = await startWebOnlyApp();
});
afterAll(() => app.close());

const get = (url: string) => app.inject({ method: 'GET', url });

describe('the icon and the manifest', () => {
  it('serves the icon as SVG, and answers /favicon.ico with it', async () => {
    const svg = await get('/favicon.svg');
    expect(svg.statusCode).toBe(200);
    expect(svg.headers['content-type']).toBe('image/svg+xml');
    expect(svg.body).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 64 64">/);
    expect(svg.body.trim().endsWith('</svg>')).toBe(true);
    const ico = await get('/favicon.ico');
    expect(ico.statusCode).toBe(301);
    expect(ico.headers.location).toBe('/favicon.svg');
  });

  it('serves a manifest that parses, names Yeyak 예약, has the site’s colour and icons that are served', async () => {
    const res = await get('/manifest.webmanifest');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/manifest+json');
    const manifest = JSON.parse(res.body);
    expect(manifest).toMatchObject({ name: 'Yeyak 예약', short_name: 'Yeyak', lang: 'ko', start_url: '/', display: 'standalone' });
    const brand = /--brand:\s*(#[0-9a-f]{6})/i.exec(readFileSync('src/web/site/public/site.css', 'utf8'))?.[1];
    expect(manifest.theme_color).toBe(brand);
    expect(manifest.icons.length).toBeGreaterThan(0);
    for (const icon of manifest.icons) {
      const served = await get(icon.src);
      expect(served.statusCode, icon.src).toBe(200);
      expect(served.headers['content-type'], icon.src).toBe(icon.type);
    }
  });

  it('is linked from every page, with the theme colour', async () => {
    const pages = [...(await webAssets())].filter(([, asset]) => asset.contentType.startsWith('text/html'));
    expect(pages.length).toBeGreaterThanOrEqual(12);
    for (const [url] of pages) {
      const html = (await get(url)).body;
      expect(html, url).toContain('<link rel="icon" href="/favicon.svg" type="image/svg+xml">');
      expect(html, url).toContain('<link rel="manifest" href="/manifest.webmanifest">');
      expect(html, url).toContain('<meta name="theme-color" content="#0b4fb3">');
    }
  });
});
