import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { expandIncludes, type PagePart } from '../../src/web/page-parts.ts';
import { webAssets } from '../../src/web/web.routes.ts';
import { startWebOnlyApp } from '../support/web-only-app.ts';

let app: FastifyInstance;
beforeAll(async () => {
  app = await startWebOnlyApp();
});
afterAll(() => app.close());

async function page(url: string): Promise<string> {
  const res = await app.inject({ method: 'GET', url });
  expect(res.statusCode, url).toBe(200);
  return res.body;
}

/** The part between `from` and `to` (both included), to compare one page's copy with another's. */
function between(html: string, from: string, to: string): string {
  const start = html.indexOf(from);
  const end = html.indexOf(to, start);
  expect(start, from).toBeGreaterThanOrEqual(0);
  expect(end, to).toBeGreaterThan(start);
  return html.slice(start, end + to.length);
}

describe('the parts several pages share', () => {
  it('serves the near-me button and typed-place form, the same, in the clinic search and the leftovers page', async () => {
    const forms = await Promise.all(['/clinics/', '/leftovers/'].map(async (url) => between(await page(url), '<button id="near-me"', '</form>')));
    for (const form of forms) {
      // In the static HTML, labelled, with the Korean the language button switches from.
      expect(form).toContain('<form id="place-form" novalidate>');
      expect(form).toContain('<label for="place" data-t="f.place">동네 이름으로 찾기 (예: 수원, 해운대)</label>');
      expect(form).toContain('<input id="place" type="search"');
    }
    expect(forms[0]).toBe(forms[1]);
  });

  it('leaves no include marker in any served page, and gives each page its head with its own title and script', async () => {
    const pages = [...(await webAssets())].filter(([, asset]) => asset.contentType.startsWith('text/html'));
    expect(pages.length).toBeGreaterThanOrEqual(12);
    for (const [url] of pages) {
      const html = await page(url);
      expect(html, url).not.toMatch(/<!--\s*include/);
      expect(html, url).not.toContain('{{');
      expect(html.startsWith('<!doctype html>\n<html lang="ko">\n<head>\n<meta charset="utf-8">'), url).toBe(true);
      expect(html, url).toMatch(/<script type="module" src="\/assets\/[\w.-]+\.[A-Z0-9]+\.js"><\/script>/);
    }
    const leftovers = await page('/leftovers/');
    expect(leftovers).toContain('<title data-t="title">오늘의 잔여 백신 — Yeyak 예약</title>');
    expect(leftovers).toMatch(/src="\/assets\/site-leftovers\.entry\.[A-Z0-9]+\.js"/);
  });

  it('gives the console and the clinic portal the same staff head, the portal with its own stylesheet too', async () => {
    const consoleHtml = await page('/console/');
    const clinic = await page('/clinic/');
    expect(consoleHtml).toContain('<title>Yeyak 운영 콘솔</title>');
    expect(consoleHtml).toContain('<p class="brand">Yeyak 운영 콘솔</p>');
    expect(consoleHtml).not.toContain('clinic.css');
    expect(clinic).toContain('<title>Yeyak 의료기관 포털</title>');
    expect(clinic).toContain('<link rel="stylesheet" href="/console/console.css">\n<link rel="stylesheet" href="/clinic/clinic.css">');
    for (const html of [consoleHtml, clinic]) expect(html).toContain('<a class="skip" href="#main">본문으로 건너뛰기</a>\n<header>');
  });
});

describe('expandIncludes', () => {
  const parts: Record<string, PagePart> = {
    greeting: { required: ['name'], optional: ['mood'], render: (a) => `<p>${a.name ?? ''}${a.mood ? ` (${a.mood})` : ''}</p>` },
  };

  it('puts each part in place of its marker, with the attributes it was given', () => {
    expect(expandIncludes('<div>\n<!-- include: greeting name="Ada" -->\n<!--include:greeting name="Bo" mood="glad"-->\n</div>', 'x.html', parts)).toBe('<div>\n<p>Ada</p>\n<p>Bo (glad)</p>\n</div>');
    expect(expandIncludes('<p>no markers</p>', 'x.html', parts)).toBe('<p>no markers</p>');
  });

  it('escapes attribute values in the real parts, so a title cannot break out of its element', () => {
    const html = expandIncludes('<!-- include: site-head title="A <b> & co" script="main.js" -->', 'x.html');
    expect(html).toContain('<title data-t="title">A &lt;b&gt; &amp; co</title>');
  });

  it('refuses, naming the page, an unknown part, a missing or unknown attribute and a marker that is not well formed', () => {
    expect(() => expandIncludes('<!-- include: nothing -->', 'a.html', parts)).toThrow('web: a.html includes an unknown part nothing');
    expect(() => expandIncludes('<!-- include: toString -->', 'a.html', parts)).toThrow('unknown part toString');
    expect(() => expandIncludes('<!-- include: greeting -->', 'b.html', parts)).toThrow('web: b.html includes greeting with no name');
    expect(() => expandIncludes('<!-- include: greeting name="A" colour="red" -->', 'c.html', parts)).toThrow('an unknown colour');
    expect(() => expandIncludes("<!-- include: greeting name='A' -->", 'd.html', parts)).toThrow('web: d.html has an include marker that is not well formed');
  });
});
