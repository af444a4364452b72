import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumInstalled, expectAccessible, startBrowserRig, type BrowserRig } from '../support/browser.ts';

describe.skipIf(!chromiumInstalled)('the site in Debian Chromium', () => {
  let rig: BrowserRig;
  beforeAll(async () => {
    rig = await startBrowserRig();
  });
  afterAll(() => rig?.closeAll());

  it('loads the landing page, runs its script, and has no serious accessibility violation', async () => {
    const context = await rig.newContext();
    const page = await context.newPage();
    await page.goto('/');
    await expect.poll(() => page.locator('main').getAttribute('data-ready')).toBe('1');
    await expectAccessible(page);
    await context.close();
  });
});
