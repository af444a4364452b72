import { readFile } from 'node:fs/promises';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumInstalled, expectAccessible, signInToWaitingPage, startBrowserRig, type BrowserRig } from '../support/browser.ts';
import { ok, openCampaign, operator, person, rotationWindows, seedCampaign } from '../support/fixtures.ts';

const QUEUE = 'web-queue';
const ROTATION = 'web-rotation';
const PREQUEUE = 'web-prequeue';
const WHO = { name: '이순자', birth: '19580515', phone: '010-7777-8888' };

async function ready(page: Page): Promise<void> {
  await expect.poll(() => page.locator('main').getAttribute('data-ready'), { timeout: 15_000 }).toBe('1');
}

async function text(page: Page, selector: string): Promise<string> {
  return (await page.locator(selector).textContent()) ?? '';
}

describe.skipIf(!chromiumInstalled)('the waiting page in Chromium', { timeout: 120_000 }, () => {
  let rig: BrowserRig;
  beforeAll(async () => {
    rig = await startBrowserRig();
    // One admission every four seconds, so people wait; three people are already in line.
    await seedCampaign(rig.app, { id: QUEUE, institutions: ['q-1'], dates: ['2026-08-20', '2026-09-10'], times: ['09:00'], doses: 5, campaign: { admission: { mode: 'fixed', ratePerSecond: 0.25, maxActive: 1000 } } });
    for (let i = 0; i < 3; i++) await ok(rig.app, 'POST', `/api/v1/campaigns/${QUEUE}/queue/tickets`, undefined, await person(rig.app));
    // A 10-day rotation from 8 August: someone born on the 15th (digit 5) has window 7, 14 August 20:00.
    await ok(rig.app, 'POST', '/api/v1/admin/campaigns', openCampaign(ROTATION, {
      queueOpensAt: '2026-08-08T19:00:00+09:00',
      windows: rotationWindows(),
    }), operator);
    // The queue opened at 10:00 Seoul; booking opens at 12:00 (the manual clock says 11:00).
    await seedCampaign(rig.app, { id: PREQUEUE, institutions: ['q-1'], dates: ['2026-08-20', '2026-09-10'], times: ['09:00'], doses: 5, campaign: {
      queueOpensAt: '2026-08-10T10:00:00+09:00',
      windows: [{ id: 'open', opensAt: '2026-08-10T12:00:00+09:00', closesAt: '2026-09-30T18:00:00+09:00', birthDayDigits: null }],
    } });
  }, 120_000);
  afterAll(() => rig?.closeAll());

  /** A new person signed in on their own device, on the waiting page of QUEUE with their number shown. */
  async function placedInQueue(who: { name: string; birth: string; phone: string }) {
    const context = await rig.newContext();
    const page = await context.newPage();
    await signInToWaitingPage(page, QUEUE, who);
    await ready(page);
    await expect.poll(() => text(page, '#position')).toMatch(/^\d+$/);
    return { context, page, position: Number(await text(page, '#position')) };
  }

  it('keeps the place across a reload and on a second device, and moves with the queue without reloading', async () => {
    // Device 1 signs in with a text-message code (the demo's message gateway shows it on the page).
    const phone = await rig.newContext();
    const page = await phone.newPage();
    await page.goto(`/waiting.html?c=${QUEUE}`);
    await page.waitForURL(/\/sign-in\//);
    await ready(page);
    await page.fill('#name', WHO.name);
    await page.fill('#birth', WHO.birth);
    await page.fill('#phone', WHO.phone);
    await page.click('#mobile-start');
    await expect.poll(() => text(page, '#dev-code')).toMatch(/\d{6}/);
    await page.fill('#code', /\d{6}/.exec(await text(page, '#dev-code'))?.[0] ?? '');
    await page.click('#code-form button[type=submit]');
    await page.waitForURL(/\/waiting\.html/);
    await ready(page);
    await expect.poll(() => text(page, '#position')).toBe('4');
    await expect.poll(() => text(page, '#ahead')).toBe('4');
    // Screen readers hear the figures (a polite live region, not every poll).
    await expect.poll(() => text(page, '#live')).toContain('내 앞에 4명');
    await expectAccessible(page);

    // A reload shows the same place.
    await page.reload();
    await ready(page);
    await expect.poll(() => text(page, '#position')).toBe('4');

    // A second device of the same person shows the same place.
    const tablet: BrowserContext = await rig.newContext({ width: 800 });
    const other = await tablet.newPage();
    await other.goto(`/sign-in/?next=${encodeURIComponent(`/waiting.html?c=${QUEUE}`)}`);
    await ready(other);
    await other.fill('#name', WHO.name);
    await other.fill('#birth', WHO.birth);
    await other.fill('#phone', WHO.phone);
    await other.click('#dev-sign-in');
    await other.waitForURL(/\/waiting\.html/);
    // The page has joined (or found the place) before it shows a number; on a busy machine that takes longer than a poll's second.
    await ready(other);
    await expect.poll(() => text(other, '#position')).toBe('4');

    // The queue moves on the server: the page follows by polling, without reloading itself.
    await page.evaluate(() => Object.assign(window, { sameDocument: true }));
    // Eleven seconds of refreshes: the pace is given once the queue has moved for ten.
    for (let ms = 0; ms < 11_000; ms += 250) {
      rig.clock.advance(250);
      await rig.ctx.waitingRoom.refresh();
    }
    const status = await ok(rig.app, 'GET', `/api/v1/campaigns/${QUEUE}/queue`);
    expect(status.servingUpTo).toBeGreaterThan(0);
    expect(status.servingUpTo).toBeLessThan(4);
    await expect.poll(() => text(page, '#ahead'), { timeout: 20_000 }).toBe(String(4 - status.servingUpTo));
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
    // The ETA is a range from the measured rate, and the bar counts real places.
    await expect.poll(() => text(page, '#eta')).toMatch(/^약 \d+분/);
    expect(Number(await page.locator('#progress').getAttribute('value'))).toBe(status.servingUpTo);
    expect(Number(await page.locator('#progress').getAttribute('max'))).toBe(4);

    // English on request, without a reload.
    await page.click('#lang');
    await expect.poll(() => text(page, 'h1')).toBe('Waiting for your turn');
    await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('en');
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
    await expectAccessible(page);
    await phone.close();
    await tablet.close();
  });

  it('links the place to its receipt in the public log, which the browser checks itself', async () => {
    const { context, page, position } = await placedInQueue({ name: '한지민', birth: '19700505', phone: '010-2323-4545' });
    await expect.poll(() => page.locator('#in-log').isVisible()).toBe(true);
    await page.click('#in-log-link');
    await page.waitForURL(/\/receipt\/\?c=/);
    // Until the sequencer has logged the place (the next refresh) the page says so and asks again.
    await expect.poll(() => text(page, '#pending')).toContain('기록되는 중');
    rig.clock.advance(250);
    await rig.ctx.waitingRoom.refresh();
    rig.clock.advance(1000);
    await ready(page);
    await expect.poll(() => text(page, '#verdict'), { timeout: 15_000 }).toContain('확인되었습니다');
    expect(await page.locator('#checks li').count()).toBe(3);
    expect(await page.locator('#checks .bad').count()).toBe(0);
    expect(await page.locator('#checks .ok').count()).toBe(3);
    expect(await text(page, '#entry-words')).toContain(`${position}번 순서`);
    expect(await text(page, '#entry-line')).toMatch(new RegExp(`^place ${position} \\d+ [A-Za-z0-9+/]{43}=$`));
    expect(await text(page, '#audit-command')).toBe(`npm run audit -- --url ${rig.baseUrl} --campaign ${QUEUE}`);
    // The receipt can be saved to check again later (the key and what the server answered).
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#save')]);
    expect(download.suggestedFilename()).toBe('yeyak-receipt.json');
    const saved = JSON.parse(await readFile(await download.path(), 'utf8'));
    expect(saved).toMatchObject({ campaign: QUEUE, key: expect.stringMatching(/^\S+\+[0-9a-f]{8}\+/), entry: expect.any(String), proof: expect.any(Array) });
    await expectAccessible(page);
    await page.click('#lang');
    await expect.poll(() => text(page, '#verdict')).toBe('Verified: your place is in the public log.');
    await context.close();
  });

  it('gives the place up only after the person confirms, says so, and joins again at the back', async () => {
    const { context, page, position } = await placedInQueue({ name: '나가람', birth: '19720909', phone: '010-6060-7070' });
    await expect.poll(() => page.locator('#leave').isVisible()).toBe(true);
    // Cancelled at the question: nothing changes.
    page.once('dialog', (dialog) => void dialog.dismiss());
    await page.click('#leave');
    expect(await page.locator('#left').isVisible()).toBe(false);
    expect(await text(page, '#position')).toBe(String(position));
    // Confirmed: the place is given up, and the page says which.
    page.once('dialog', (dialog) => {
      expect(dialog.message()).toContain(`${position}번`);
      void dialog.accept();
    });
    await page.click('#leave');
    await expect.poll(() => page.locator('#left').isVisible()).toBe(true);
    expect(await text(page, '#left-text')).toContain(`${position}번 순서는 포기되었습니다`);
    expect(await page.locator('#queue').isVisible()).toBe(false);
    await expectAccessible(page);
    // Joining again is a new place behind everyone already in line.
    const { issuedUpTo } = await rig.ctx.waitingRoom.counts(QUEUE);
    await page.click('#rejoin');
    await expect.poll(() => text(page, '#position')).toBe(String(issuedUpTo + 1));
    expect(await page.locator('#queue').isVisible()).toBe(true);
    await context.close();
  });

  it('tells a person outside their window which day is theirs, on the landing page and the waiting page', async () => {
    const context = await rig.newContext();
    const page = await context.newPage();
    await page.goto('/');
    await ready(page);
    await page.selectOption('#campaign-pick', ROTATION);
    await page.fill('#birth', '1980-07-15');
    await page.click('#day-form button[type=submit]');
    await expect.poll(() => text(page, '#day-answer')).toContain('생일 끝자리 5');
    expect(await text(page, '#day-answer')).toContain('8월 14일');

    await signInToWaitingPage(page, ROTATION, { name: '정민수', birth: '19800715', phone: '010-1212-3434' });
    await expect.poll(() => page.locator('#ineligible').isVisible()).toBe(true);
    expect(await text(page, '#ineligible')).toContain('지금은 예약 기간이 아닙니다');
    expect(await text(page, '#ineligible')).toContain('8월 14일');
    await expectAccessible(page);
    await context.close();
  });

  it('retries by itself after a 429 or 503, showing the wait, and keeps the turn-alert choice', async () => {
    const context = await rig.newContext();
    const page = await context.newPage();
    // The first sign-in attempt meets a busy server (429 with Retry-After), the second goes through.
    let refused = 0;
    await page.route('**/api/v1/identity/dev', async (route) => {
      if (refused++ > 0) return route.continue();
      return route.fulfill({ status: 429, headers: { 'retry-after': '2', 'content-type': 'application/json' }, body: JSON.stringify({ error: { code: 'YEYAK_ERR_RATE_LIMITED', message: 'Too many requests; wait and try again.' } }) });
    });
    // And one poll of the shared status meets a 503.
    let shed = 0;
    await page.route(`**/api/v1/campaigns/${QUEUE}/queue`, async (route) => {
      if (shed++ !== 1) return route.continue();
      return route.fulfill({ status: 503, headers: { 'retry-after': '1', 'content-type': 'application/json' }, body: JSON.stringify({ error: { code: 'YEYAK_ERR_UNAVAILABLE', message: 'busy' } }) });
    });
    await page.goto(`/sign-in/?next=${encodeURIComponent(`/waiting.html?c=${QUEUE}`)}`);
    await ready(page);
    await page.fill('#name', '한가람');
    await page.fill('#birth', '19670707');
    await page.fill('#phone', '010-3030-4040');
    await page.click('#dev-sign-in');
    await expect.poll(() => text(page, '#busy')).toMatch(/\d+초 뒤 자동으로 다시 시도/);
    await page.waitForURL(/\/waiting\.html/, { timeout: 15_000 });
    expect(refused).toBe(2);
    await ready(page);
    await expect.poll(() => shed, { timeout: 20_000 }).toBeGreaterThan(2);
    // The 503 was shown in plain words, then cleared by the next good poll.
    await expect.poll(() => page.locator('#error').isVisible()).toBe(false);
    expect(Number(await text(page, '#position'))).toBeGreaterThanOrEqual(4);

    // The sound / vibration / notification option is the person's choice, remembered on this device.
    await page.check('#alert-me');
    await page.reload();
    await ready(page);
    expect(await page.isChecked('#alert-me')).toBe(true);
    await context.close();
  });

  it('counts down in the pre-queue, learns the place at the opening, and shows a pause with its reason', async () => {
    const context = await rig.newContext();
    const page = await context.newPage();
    await signInToWaitingPage(page, PREQUEUE, { name: '오세영', birth: '19610303', phone: '010-5050-6060' });
    await ready(page);
    // Before the opening there is no number yet: a countdown to 12:00 by the server's clock.
    await expect.poll(() => text(page, '#state')).toContain('8월 10일 (월) 12:00');
    expect(await text(page, '#state')).toMatch(/\((59분|1시간) 남음\)/);
    expect(await text(page, '#position')).toBe('–');
    await expectAccessible(page);

    // The operators pause just after the opening: the place is drawn, the reason is shown.
    await ok(rig.app, 'POST', `/api/v1/admin/campaigns/${PREQUEUE}/queue/pause`, { reason: '시스템 점검' }, operator);
    rig.clock.set('2026-08-10T03:00:01Z');
    await rig.ctx.waitingRoom.refresh();
    await expect.poll(() => text(page, '#state'), { timeout: 20_000 }).toContain('사유: 시스템 점검');
    await expect.poll(() => text(page, '#position')).toBe('1');

    // Resumed: the turn comes.
    await ok(rig.app, 'POST', `/api/v1/admin/campaigns/${PREQUEUE}/queue/resume`, undefined, operator);
    rig.clock.advance(1000);
    await rig.ctx.waitingRoom.refresh();
    await expect.poll(() => page.locator('#turn').isVisible(), { timeout: 30_000 }).toBe(true);
    await context.close();
  });

  it('waits in a later day’s pre-queue while the queue is open, then learns the place at that day’s opening', async () => {
    // Day 3 of the rotation (10 August): window 3 opens at 20:00 Seoul for birth days 1/11/21/31; its pre-queue from 19:00.
    rig.clock.set('2026-08-10T19:30:00+09:00');
    await rig.ctx.waitingRoom.refresh();
    const context = await rig.newContext();
    const page = await context.newPage();
    await signInToWaitingPage(page, ROTATION, { name: '삼일째', birth: '19610311', phone: '010-3030-1111' });
    await ready(page);
    await expect.poll(() => text(page, '#state')).toContain('8월 10일 (월) 20:00');
    expect(await text(page, '#position')).toBe('–');

    rig.clock.set('2026-08-10T20:00:01+09:00');
    await rig.ctx.waitingRoom.refresh();
    await expect.poll(() => text(page, '#position'), { timeout: 20_000 }).toBe('1');
    expect(await text(page, '#state')).not.toContain('20:00');
    await context.close();
  });
});
