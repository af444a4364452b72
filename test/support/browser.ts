import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { startTestApp, type TestApp } from './test-app.ts';

/** Debian's Chromium; tests never download a browser. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** True when a Chromium is installed; browser suites are skipped (and say so) without one. */
export const chromiumInstalled: boolean = existsSync(CHROMIUM_PATH);

/** A real Yeyak app listening on a loopback port, with a manual clock, and a browser to drive it. */
export interface BrowserRig extends TestApp {
  baseUrl: string;
  browser: Browser;
  /** A new browser profile (cookies of its own) at a phone's size, Korean by default. */
  newContext(options?: { locale?: string; width?: number }): Promise<BrowserContext>;
  closeAll(): Promise<void>;
}

/** `port` (default: any free one) lets a test know the app's origin before it starts, e.g. for an OpenID Connect redirect URI. */
export async function startBrowserRig({ port = 0, ...options }: Parameters<typeof startTestApp>[0] & { port?: number } = {}): Promise<BrowserRig> {
  const testApp = await startTestApp(options);
  await testApp.app.listen({ port, host: '127.0.0.1' });
  const address = testApp.app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  const baseUrl = `http://127.0.0.1:${address.port}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  return {
    ...testApp,
    baseUrl,
    browser,
    newContext: ({ locale = 'ko-KR', width = 360 } = {}) =>
      browser.newContext({ baseURL: baseUrl, locale, viewport: { width, height: 780 }, deviceScaleFactor: 1, timezoneId: 'Asia/Seoul' }),
    closeAll: async () => {
      await browser.close();
      await testApp.close();
    },
  };
}

const axeSource: string = (createRequire(import.meta.url)('axe-core') as { source: string }).source;

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/** Runs axe-core (WCAG 2.1 A/AA rules) in the page and fails on any serious or critical violation. */
export async function expectAccessible(page: Page): Promise<void> {
  // Evaluated over the DevTools protocol, which the page's Content-Security-Policy does not govern.
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, o: object): Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target) }));
  });
  const blocking = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(blocking, `${page.url()}: ${JSON.stringify(blocking, null, 1)}`).toEqual([]);
}

/** Signs a person in with the development provider on the way to a campaign's waiting page, and waits to land there. */
export async function signInToWaitingPage(page: Page, campaignId: string, who: { name: string; birth: string; phone: string }): Promise<void> {
  await page.goto(`/sign-in/?next=${encodeURIComponent(`/waiting.html?c=${campaignId}`)}`);
  await expect.poll(() => page.locator('main').getAttribute('data-ready'), { timeout: 15_000 }).toBe('1');
  await page.fill('#name', who.name);
  await page.fill('#birth', who.birth);
  await page.fill('#phone', who.phone);
  await page.click('#dev-sign-in');
  await page.waitForURL(/\/waiting\.html/);
}
