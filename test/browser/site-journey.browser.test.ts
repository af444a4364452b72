import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumInstalled, expectAccessible, startBrowserRig, type BrowserRig } from '../support/browser.ts';
import { admitted, seedCampaign } from '../support/fixtures.ts';
import { startOidcStandIn, type OidcStandIn, type StandInAccount } from '../support/oidc-stand-in.ts';
import { freePort } from '../support/redis.ts';

const CAMPAIGN = 'web-journey';
const PROXY_CAMPAIGN = 'web-proxy';
const OIDC_ACCOUNT: StandInAccount = { id: 'yoon', ci: 'ci-browser-test-yoon-0123456789', name: '윤서연', birthdate: '1971-04-04', gender: 'female', phone_number: '+82 10-8888-9999' };

/** The page has run its script to the end of its first load. */
async function ready(page: Page): Promise<void> {
  await expect.poll(() => page.locator('main').getAttribute('data-ready'), { timeout: 15_000 }).toBe('1');
}

/** Moves the queue on the server's manual clock, as the refresher would every 250 ms. */
async function advanceQueue(rig: BrowserRig, ms = 1000): Promise<void> {
  rig.clock.advance(ms);
  await rig.ctx.waitingRoom.refresh();
}

async function signInWithDevProvider(page: Page, who: { name: string; birth: string; phone: string }): Promise<void> {
  await ready(page);
  await page.fill('#name', who.name);
  await page.fill('#birth', who.birth);
  await page.fill('#phone', who.phone);
  await page.click('#dev-sign-in');
}

// A whole journey in a browser takes a while on a busy 2-core machine.
describe.skipIf(!chromiumInstalled)('the citizen site in Chromium at 360 px', { timeout: 120_000 }, () => {
  let rig: BrowserRig;
  let naver: OidcStandIn;
  beforeAll(async () => {
    // Certificate sign-in: "naver" is a real OpenID Connect provider on loopback (the stand-in);
    // "kakao" cannot be reached, so its failure is explained.
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    naver = await startOidcStandIn({ redirectUris: [`${origin}/api/v1/identity/oidc/naver/callback`], accounts: [OIDC_ACCOUNT] });
    const kakao = { issuer: `http://127.0.0.1:${await freePort()}/`, clientId: 'yeyak', clientSecret: 'not-a-real-secret-0123456789' };
    rig = await startBrowserRig({ port, env: { YEYAK_PUBLIC_URL: origin, YEYAK_OIDC_PROVIDERS: JSON.stringify({ naver: naver.providerConfig, kakao }) } });
    await seedCampaign(rig.app, { id: CAMPAIGN, institutions: ['seoul-a', 'seoul-b'], dates: ['2026-08-20', '2026-08-21', '2026-09-10', '2026-09-11'], times: ['09:00', '09:30'], doses: 5 });
    await seedCampaign(rig.app, { id: PROXY_CAMPAIGN, institutions: ['seoul-a', 'seoul-b'], dates: ['2026-08-20', '2026-09-10'], times: ['10:00'], doses: 5, campaign: { proxyAllowed: true } });
  }, 120_000);
  afterAll(async () => {
    await rig?.closeAll();
    await naver?.close();
  });

  it('goes from the landing page to a booking code, in Korean, with no serious accessibility violation on the way', async () => {
    const context = await rig.newContext();
    const page = await context.newPage();
    const failures: string[] = [];
    page.on('pageerror', (e) => failures.push(e.message));

    // Landing: the schedule, and "when is my day?" from the server's rules.
    await page.goto('/');
    await ready(page);
    await expect.poll(() => page.locator('#campaigns').textContent()).toContain(`Test campaign ${CAMPAIGN}`);
    await page.fill('#birth', '19700515');
    await page.click('#day-form button[type=submit]');
    await expect.poll(() => page.locator('#day-answer').textContent()).toContain('지금 예약할 수 있습니다');
    await expectAccessible(page);

    // Booking needs a verified person: the waiting page sends them to sign in and back.
    await page.locator('#campaigns a.button').first().click();
    await page.waitForURL(/\/sign-in\//);
    await ready(page);
    await expect.poll(() => page.locator('#oidc-buttons button').count()).toBe(2);
    await expectAccessible(page);
    await page.locator('#oidc-buttons button', { hasText: '카카오' }).click();
    await expect.poll(() => page.locator('#error').textContent()).toContain('인증서 서비스에 연결할 수 없습니다');
    await signInWithDevProvider(page, { name: '김영희', birth: '1970-05-15', phone: '010-2222-3333' });

    // The waiting page: this person's place, then their turn.
    await page.waitForURL(/\/waiting\.html\?c=web-journey/);
    await ready(page);
    await expect.poll(() => page.locator('#position').textContent()).toBe('1');
    await expectAccessible(page);
    await advanceQueue(rig);
    await expect.poll(() => page.locator('#turn').isVisible(), { timeout: 20_000 }).toBe(true);
    await expectAccessible(page);
    await page.click('#turn-go');

    // Clinic search by region, as a list and as a map drawn without tiles.
    await page.waitForURL(/\/clinics\//);
    await ready(page);
    await page.selectOption('#sido', '서울특별시');
    await expect.poll(() => page.locator('#results > li').count()).toBe(2);
    await expect.poll(() => page.locator('#results > li').first().textContent()).toContain('잔여');
    await page.click('#view-map');
    await expect.poll(() => page.locator('#map-box svg circle').count()).toBe(2);
    await expect.poll(() => page.locator('#map-box svg path').count()).toBe(17);
    await expectAccessible(page);
    await page.locator('#results > li a.button').first().click();

    // Slots: a date, then a time.
    await page.waitForURL(/\/slots\//);
    await ready(page);
    await expect.poll(() => page.locator('#clinic').textContent()).toContain('내과의원');
    await page.locator('#date-options label').first().click();
    await page.locator('#time-options label').first().click();
    await expectAccessible(page);
    await page.click('#slot-form button[type=submit]');

    // Confirmation with both doses, then the booking code.
    await page.waitForURL(/\/confirm\//);
    await ready(page);
    await expect.poll(() => page.locator('#doses > li').count()).toBe(2);
    await expect.poll(() => page.locator('#doses').textContent()).toContain('2차 접종');
    await expectAccessible(page);
    await page.click('#book');
    await page.waitForURL(/\/done\//);
    await ready(page);
    const code = (await page.locator('#code').textContent()) ?? '';
    const stored = await rig.ctx.db.selectFrom('bookings').select(['code', 'status']).where('code', '=', code).execute();
    expect(stored).toEqual([{ code, status: 'booked' }]);
    await expect.poll(() => page.locator('#doses > li').count()).toBe(2);
    await expectAccessible(page);

    // My bookings shows it, with the change and cancel deadline.
    await page.goto('/bookings/');
    await ready(page);
    await expect.poll(() => page.locator('#bookings').textContent()).toContain(code);
    await expectAccessible(page);
    expect(failures).toEqual([]);
    await context.close();
  });

  it('moves the booking to another clinic through the queue, then cancels it after a second confirmation', async () => {
    const who = { name: '박철수', birthDate: '1962-03-21', phone: '010-4444-5555' };
    const session = await rig.app.inject({ method: 'POST', url: '/api/v1/identity/dev', payload: who });
    const bearer = { authorization: `Bearer ${session.json().session}` };
    const made = await rig.app.inject({ method: 'POST', url: `/api/v1/campaigns/${CAMPAIGN}/bookings`, headers: await admitted(rig, bearer, CAMPAIGN), payload: { institutionId: 'seoul-a', date: '2026-08-20', time: '09:00' } });
    expect(made.statusCode).toBe(201);
    const { id, code } = made.json().booking;

    const context = await rig.newContext();
    const page = await context.newPage();
    await page.goto('/bookings/');
    await ready(page);
    // Not signed in: the error says so in plain words, with the way forward.
    await expect.poll(() => page.locator('#error').textContent()).toContain('본인 인증');
    await page.locator('#error a.button').click();
    await signInWithDevProvider(page, { name: who.name, birth: '19620321', phone: who.phone });
    await page.waitForURL(/\/bookings\/$/);
    await ready(page);
    await expect.poll(() => page.locator('#bookings').textContent()).toContain(code);
    // Booked elsewhere (not in this browser): the clinic's name is looked up all the same.
    expect(await page.locator('#bookings').textContent()).toContain('seoul-a 내과의원');
    await expectAccessible(page);

    // Change: through the waiting room (the same place again), to the other clinic.
    await page.locator('#bookings a.button', { hasText: '변경' }).click();
    await page.waitForURL(/\/waiting\.html\?c=web-journey&change=/);
    await advanceQueue(rig);
    await expect.poll(() => page.locator('#turn').isVisible(), { timeout: 20_000 }).toBe(true);
    await page.click('#turn-go');
    await page.waitForURL(/\/clinics\/\?c=web-journey&change=/);
    await ready(page);
    await page.selectOption('#sido', '서울특별시');
    await expect.poll(() => page.locator('#results > li').count()).toBe(2);
    await page.locator('#clinic-seoul-b a.button').click();
    await page.waitForURL(/\/slots\//);
    await ready(page);
    await page.locator('#date-options label').nth(1).click();
    await page.locator('#time-options label').nth(1).click();
    await page.click('#slot-form button[type=submit]');
    await page.waitForURL(/\/confirm\//);
    await ready(page);
    await expect.poll(() => page.locator('#heading').textContent()).toBe('예약 변경 확인');
    await page.click('#book');
    await page.waitForURL(/\/done\//);
    await ready(page);
    const doses = await rig.ctx.db.selectFrom('booking_doses').select(['institution_id', 'date']).where('booking_id', '=', id).orderBy('dose').execute();
    expect(doses.map((d) => d.institution_id)).toEqual(['seoul-b', 'seoul-b']);

    // Cancel: asked once more, then cancelled, and said so.
    await page.goto('/bookings/');
    await ready(page);
    await page.locator('#bookings button.danger').click();
    await expect.poll(() => page.locator(`#sure-${id}`).textContent()).toContain('정말 취소할까요');
    await expectAccessible(page);
    await page.locator(`#sure-${id} button.danger`).click();
    await expect.poll(() => page.locator('#status').textContent()).toContain('취소되었습니다');
    const row = await rig.ctx.db.selectFrom('bookings').select('status').where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.status).toBe('cancelled');
    await context.close();
  });

  it('books for a family member found near a typed place and near the device, where the campaign allows proxies', async () => {
    const context = await rig.newContext();
    await context.grantPermissions(['geolocation']);
    await context.setGeolocation({ latitude: 37.5665, longitude: 126.978 });
    const page = await context.newPage();
    await page.goto(`/sign-in/?next=${encodeURIComponent(`/family/?c=${PROXY_CAMPAIGN}`)}`);
    await signInWithDevProvider(page, { name: '최지훈', birth: '19750101', phone: '010-5656-7878' });
    await page.waitForURL(/\/family\//);
    await ready(page);
    await page.fill('#dep-name', '최영자');
    await page.fill('#dep-birth', '19450301');
    await page.fill('#dep-phone', '010-9090-1212');
    await page.selectOption('#dep-relationship', 'parent');
    await page.click('#add-form button[type=submit]');
    await expect.poll(() => page.locator('#status').textContent()).toContain('등록했습니다');
    await expectAccessible(page);
    await page.locator('#dependents a.button').first().click();

    await page.waitForURL(/\/waiting\.html\?c=web-proxy&d=/);
    await ready(page);
    await expect.poll(() => page.locator('#campaign-name').textContent()).toContain('가족 대리 예약');
    await advanceQueue(rig);
    await expect.poll(() => page.locator('#turn').isVisible(), { timeout: 20_000 }).toBe(true);
    await page.click('#turn-go');
    await page.waitForURL(/\/clinics\//);
    await ready(page);
    // A typed place: the municipality's centroid, no outside geocoder.
    await page.fill('#place', '종로');
    await page.click('#place-form button[type=submit]');
    await expect.poll(() => page.locator('#summary').textContent()).toContain('종로구 주변');
    // The device's position: nearest first, with distances.
    await page.click('#near-me');
    await expect.poll(() => page.locator('#summary').textContent()).toContain('내 위치 주변');
    await expect.poll(() => page.locator('#results > li').count()).toBe(2);
    await expect.poll(() => page.locator('#results > li').first().textContent()).toMatch(/\d+\.\d km/);
    await page.click('#view-map');
    await expect.poll(() => page.locator('#map-box svg circle.me').count()).toBe(1);
    await page.locator('#results > li a.button').first().click();
    await page.waitForURL(/\/slots\//);
    await ready(page);
    await page.locator('#date-options label').first().click();
    await page.locator('#time-options label').first().click();
    await page.click('#slot-form button[type=submit]');
    await page.waitForURL(/\/confirm\//);
    await ready(page);
    await expect.poll(() => page.locator('#change-note').textContent()).toContain('가족 대리 예약');
    await page.click('#book');
    await page.waitForURL(/\/done\//);
    await ready(page);
    await expect.poll(() => page.locator('#who').textContent()).toContain('최*자');
    const code = (await page.locator('#code').textContent()) ?? '';
    const row = await rig.ctx.db.selectFrom('bookings').select(['booked_by', 'campaign_id']).where('code', '=', code).executeTakeFirstOrThrow();
    expect(row.campaign_id).toBe(PROXY_CAMPAIGN);
    expect(row.booked_by).toMatch(/^guardian:/);
    await context.close();
  });

  it('signs in with a certificate service (OpenID Connect) and comes back to the waiting page', async () => {
    const context = await rig.newContext();
    const page = await context.newPage();
    await page.goto(`/waiting.html?c=${CAMPAIGN}`);
    await page.waitForURL(/\/sign-in\//);
    await ready(page);
    await page.locator('#oidc-buttons button', { hasText: '네이버' }).click();
    // At the provider (the stand-in's own page): pick the account, which logs in and consents.
    await page.waitForURL(new RegExp(`^${naver.issuer}/interaction/`));
    await page.locator('button[name=accountId]').click();
    await page.waitForURL(/\/waiting\.html\?c=web-journey/);
    await ready(page);
    await expect.poll(() => page.locator('#position').textContent()).toMatch(/^\d+$/);
    await page.goto('/bookings/');
    await ready(page);
    await expect.poll(() => page.locator('#person').textContent()).toContain('윤*연');
    await context.close();
  });
});
