import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { startWebOnlyApp } from '../support/web-only-app.ts';
import { scriptClosureSize } from '../support/script-size.ts';

/** The waiting page's promise (issue 5): its JavaScript stays under 50 KB gzipped. */
const BUDGET_BYTES = 50 * 1024;

let app: FastifyInstance;
beforeAll(async () => {
  app = await startWebOnlyApp();
});
afterAll(() => app.close());

async function served(url: string): Promise<{ gzippedBytes: number; text: string }> {
  const res = await app.inject({ method: 'GET', url, headers: { 'accept-encoding': 'gzip' } });
  expect(res.statusCode, url).toBe(200);
  expect(res.headers['content-encoding'], url).toBe('gzip');
  return { gzippedBytes: res.rawPayload.length, text: gunzipSync(res.rawPayload).toString('utf8') };
}

describe('the waiting page size budget', () => {
  it('serves the waiting page as a static, cacheable page whose script and imported chunks stay under 50 KB gzipped', async () => {
    const page = await app.inject({ method: 'GET', url: '/waiting.html' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['cache-control']).toBe('public, max-age=60');
    const { bytes, files } = await scriptClosureSize(page.body, served);
    // The entry and the chunks it shares with other pages are all counted.
    expect(files[0]).toMatch(/^\/assets\/site-waiting\.entry\.[A-Z0-9]+\.js$/);
    expect(files.length).toBeGreaterThan(1);
    expect(bytes).toBeGreaterThan(1024);
    expect(bytes, `waiting page JavaScript: ${bytes} bytes gzipped in ${files.join(', ')}`).toBeLessThan(BUDGET_BYTES);
  });

  it('counts chunks imported statically, dynamically and transitively, once each', async () => {
    const scripts: Record<string, string> = {
      '/assets/a.js': 'import{x}from"./b.js";import"./c.js";',
      '/assets/b.js': 'import("./c.js");export const x=1;',
      '/assets/c.js': 'import{x}from"./b.js";',
    };
    const sizes = { '/assets/a.js': 30_000, '/assets/b.js': 20_000, '/assets/c.js': 5_000 } as Record<string, number>;
    const result = await scriptClosureSize('<script type="module" src="/assets/a.js"></script>', async (url) => ({ gzippedBytes: sizes[url] ?? 0, text: scripts[url] ?? '' }));
    expect(result.files.sort()).toEqual(['/assets/a.js', '/assets/b.js', '/assets/c.js']);
    // 55,000 bytes: over the budget, so the check above would fail for such a page.
    expect(result.bytes).toBe(55_000);
    expect(result.bytes).toBeGreaterThan(BUDGET_BYTES);
  });
});
