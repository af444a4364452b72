import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumInstalled, expectAccessible, signInToWaitingPage, startBrowserRig, type BrowserRig } from '../support/browser.ts';
import { ok, person, seedCampaign } from '../support/fixtures.ts';

const SOLD = 'web-sold-out';

async function ready(page: Page): Promise<void> {
  await expect.poll(() => page.locator('main').getAttribute('data-ready'), { timeout: 15_000 }).toBe('1');
}

const text = async (page: Page, selector: string) => (await page.locator(selector).textContent()) ?? '';

describe.skipIf(!chromiumInstalled)('the waiting page when every dose is booked', { timeout: 120_000 }, () => {
  let rig: BrowserRig;
  /** Moves the clock, refreshes, lets the remaining-doses read it started answer, and refreshes again. */
  async function tick(ms: number) {
    rig.clock.advance(ms);
    await rig.ctx.waitingRoom.refresh();
    await rig.ctx.waitingRoom.doses?.settled();
    await rig.ctx.waitingRoom.refresh();
  }

  beforeAll(async () => {
    rig = await startBrowserRig();
    // One dose on each of the two doses' dates: the first person's booking takes them all.
    await seedCampaign(rig.app, { id: SOLD, institutions: ['s-1'], dates: ['2026-08-20', '2026-09-10'], times: ['09:00'], doses: 1, campaign: { admission: { mode: 'fixed', ratePerSecond: 1, maxActive: 1000 } } });
  }, 120_000);
  afterAll(() => rig?.closeAll());

  it('says the place is kept and the queue moves again if doses come back, with no wait estimate, and then gives the turn', async () => {
    const first = await person(rig.app);
    const { ticket } = await ok(rig.app, 'POST', `/api/v1/campaigns/${SOLD}/queue/tickets`, undefined, first);
    await tick(1_000);
    const { admission } = await ok(rig.app, 'POST', `/api/v1/campaigns/${SOLD}/admissions`, undefined, { authorization: `Bearer ${ticket}` });
    const { booking } = await ok(rig.app, 'POST', `/api/v1/campaigns/${SOLD}/bookings`, { institutionId: 's-1', date: '2026-08-20', time: '09:00' }, { authorization: `Bearer ${admission}` });
    await tick(2_000);
    expect(await ok(rig.app, 'GET', `/api/v1/campaigns/${SOLD}/queue`)).toMatchObject({ soldOut: true, remainingDoses: 0 });

    const context = await rig.newContext();
    const page = await context.newPage();
    await signInToWaitingPage(page, SOLD, { name: '김보람', birth: '19640909', phone: '010-9090-1010' });
    await ready(page);
    await expect.poll(() => text(page, '#position')).toBe('2');
    await expect.poll(() => page.locator('#sold-out').isVisible()).toBe(true);
    expect(await text(page, '#sold-out')).toContain('내 순서는 그대로 유지됩니다');
    expect(await page.locator('#sold-out a').getAttribute('href')).toBe('/leftovers/');
    expect(await text(page, '#state')).toContain('모든 백신이 예약되어');
    expect(await text(page, '#eta')).toContain('남은 백신 없음');
    await expectAccessible(page);
    await page.click('#lang');
    await expect.poll(() => text(page, '#sold-out')).toContain('You keep your place');

    // A cancellation brings the doses back: the queue moves by itself and the turn comes.
    await ok(rig.app, 'POST', `/api/v1/bookings/${booking.id}/cancel`, undefined, first);
    await tick(2_000);
    await tick(1_000);
    await expect.poll(() => page.locator('#turn').isVisible(), { timeout: 30_000 }).toBe(true);
    await context.close();
  });
});
