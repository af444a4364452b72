import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumInstalled, expectAccessible, startBrowserRig, type BrowserRig } from '../support/browser.ts';
import { admitted, ok, operator, seedCampaign } from '../support/fixtures.ts';

// The clinic portal at the front desk and leftover doses on citizens' phones: the staff member
// logs in, works through the day's list (one dose given, one no-show), prints it, publishes one
// leftover dose; citizen A books it; citizen B, whose list still showed it, is told it is sold out.
const PASSWORD = 'clinic browser password';
const DAY = '2026-08-11';

const ready = (page: Page) => page.locator('main[data-ready="1"]').waitFor();

describe.skipIf(!chromiumInstalled)('the clinic portal and leftover doses in Debian Chromium', { timeout: 120_000 }, () => {
  let rig: BrowserRig;
  beforeAll(async () => {
    rig = await startBrowserRig();
    await seedCampaign(rig.app, { id: 'clin', institutions: ['K1', 'K2'], dates: [DAY, '2026-09-01'], times: ['09:00', '09:30'], doses: 5 });
    await ok(rig.app, 'POST', '/api/v1/admin/operators', { username: 'k1.desk', password: PASSWORD, role: 'clinic_staff', institutionId: 'K1' }, operator);
    await ok(rig.app, 'POST', '/api/v1/admin/operators', { username: 'ops.only', password: PASSWORD, role: 'operator' }, operator);
    for (const [name, phone, time] of [['한가람', '010-7100-0001', '09:00'], ['두나래', '010-7100-0002', '09:30']] as const) {
      const session = { authorization: `Bearer ${(await ok(rig.app, 'POST', '/api/v1/identity/dev', { name, birthDate: '1980-02-03', phone })).session}` };
      await ok(rig.app, 'POST', '/api/v1/campaigns/clin/bookings', { institutionId: 'K1', date: DAY, time }, await admitted(rig, session, 'clin'));
    }
    // The appointments' morning, Korea time.
    rig.clock.set(`${DAY}T01:00:00Z`);
  });
  afterAll(() => rig?.closeAll());

  it('gives clinic staff, and only them, the operator cookie on the clinic API as well', async () => {
    const login = async (username: string) => {
      const res = await rig.app.inject({ method: 'POST', url: '/api/v1/admin/login', payload: { username, password: PASSWORD } });
      expect(res.statusCode).toBe(200);
      return ([] as string[]).concat(res.headers['set-cookie'] ?? []).map((c) => /Path=([^;]+)/.exec(c)?.[1]);
    };
    expect((await login('k1.desk')).sort()).toEqual(['/api/v1/admin', '/api/v1/clinic']);
    expect(await login('ops.only')).toEqual(['/api/v1/admin']);
    const logout = await rig.app.inject({ method: 'POST', url: '/api/v1/admin/logout' });
    expect(([] as string[]).concat(logout.headers['set-cookie'] ?? []).map((c) => /Path=([^;]+)/.exec(c)?.[1]).sort()).toEqual(['/api/v1/admin', '/api/v1/clinic']);
  });

  it('a clinic works through its day and publishes a leftover dose; one citizen gets it, the next is told it is sold out', async () => {
    // The clinic: login, the day's list, a dose given, a no-show.
    const clinic = await rig.newContext({ width: 1280 });
    const desk = await clinic.newPage();
    desk.setDefaultTimeout(15_000);
    await desk.goto('/clinic/');
    await desk.getByLabel('아이디').waitFor();
    await expectAccessible(desk);
    await desk.getByLabel('아이디').fill('k1.desk');
    await desk.getByLabel('비밀번호').fill(PASSWORD);
    await desk.getByRole('button', { name: '로그인' }).click();
    await desk.getByRole('heading', { level: 1, name: '접종 명단' }).waitFor();
    const rows = desk.locator('table.appointments tbody tr');
    await expect.poll(() => rows.count()).toBe(2);
    expect(await desk.getByLabel('날짜').inputValue()).toBe(DAY);
    expect(await rows.nth(0).textContent()).toContain('한*람');
    await expectAccessible(desk);

    await desk.getByRole('button', { name: '09:00 한*람 접종 완료' }).click();
    await desk.getByText('09:00 한*람: 접종 완료로 기록했습니다.').waitFor();
    await desk.getByRole('button', { name: '09:30 두*래 미접종(노쇼)' }).click();
    await desk.getByText('09:30 두*래: 미접종(노쇼)로 기록했습니다.').waitFor();
    await expect.poll(() => rows.locator('td[class^="status-"]').allTextContents()).toEqual(['접종 완료', '미접종(노쇼)']);
    // Recorded ones have no buttons left.
    expect(await desk.locator('table.appointments button').count()).toBe(0);
    const statuses = await rig.ctx.db.selectFrom('vaccination_records').select(['vaccine', 'administered_on']).execute();
    expect(statuses).toEqual([{ vaccine: 'mRNA', administered_on: DAY }]);

    // The CSV link works with the browser's cookie alone (it is HttpOnly: the page never holds it).
    const csvHref = await desk.getByRole('link', { name: 'CSV 내려받기' }).getAttribute('href');
    expect(csvHref).toBe(`/api/v1/clinic/appointments.csv?date=${DAY}`);
    const csv = await desk.evaluate(async (href) => (await fetch(href, { credentials: 'same-origin' })).text(), csvHref!);
    expect(csv.split('\r\n').slice(1, 3).map((line) => line.split(',').at(-1))).toEqual(['"given"', '"no_show"']);
    expect(await desk.evaluate(() => document.cookie)).toBe('');

    // Printed, the list stands alone: no forms, no buttons, the header gone.
    await desk.emulateMedia({ media: 'print' });
    expect(await desk.locator('.clinic-forms').isVisible()).toBe(false);
    expect(await desk.locator('header').isVisible()).toBe(false);
    expect(await desk.locator('table.appointments').isVisible()).toBe(true);
    await desk.emulateMedia({ media: 'screen' });

    // Stock, then one leftover dose for today.
    const stock = desk.getByRole('form', { name: '재고 보고' });
    expect(await stock.getByLabel('백신').inputValue()).toBe('mRNA');
    await stock.getByLabel('회분').fill('40');
    await stock.getByRole('button', { name: '재고 보고' }).click();
    await stock.getByText('mRNA 40회분을 보고했습니다.').waitFor();
    const leftovers = desk.getByRole('form', { name: '오늘 잔여 백신 공개' });
    await leftovers.getByLabel('회분').fill('1');
    await leftovers.getByRole('button', { name: '잔여 백신 공개' }).click();
    await leftovers.getByText(`${DAY} mRNA 잔여 백신 1회분을 공개했습니다 (예약 0, 남음 1).`).waitFor();
    await expectAccessible(desk);

    // Two citizens look for leftovers: B by a typed place, A by the phone's location.
    const signIn = async (context: BrowserContext, who: { name: string; birth: string; phone: string }): Promise<Page> => {
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      await page.goto(`/sign-in/?next=${encodeURIComponent('/leftovers/')}`);
      await ready(page);
      await page.fill('#name', who.name);
      await page.fill('#birth', who.birth);
      await page.fill('#phone', who.phone);
      await page.click('#dev-sign-in');
      await page.waitForURL(/\/leftovers\/$/);
      await ready(page);
      return page;
    };
    const contextB = await rig.newContext();
    const b = await signIn(contextB, { name: '네오름', birth: '19850304', phone: '010-7100-0004' });
    await b.getByLabel(/동네 이름으로 찾기/).fill('중구');
    await b.getByRole('button', { name: '이 동네 주변 찾기' }).click();
    await b.getByRole('heading', { level: 2, name: 'K1 내과의원' }).waitFor();
    expect(await b.locator('#results').textContent()).toContain('mRNA · 1회분 남음');

    const contextA = await rig.newContext();
    await contextA.grantPermissions(['geolocation']);
    await contextA.setGeolocation({ latitude: 37.5605, longitude: 126.9705 });
    const a = await signIn(contextA, { name: '세라온', birth: '19820506', phone: '010-7100-0003' });
    await expectAccessible(a);
    await a.getByRole('button', { name: '내 위치 주변에서 찾기' }).click();
    await a.getByRole('heading', { level: 2, name: 'K1 내과의원' }).waitFor();
    await a.getByRole('button', { name: 'K1 내과의원에서 예약' }).click();
    await a.getByText('K1 내과의원에서 mRNA 잔여 백신을 예약했습니다. 오늘 의료기관에 방문해 주세요.').waitFor();
    await a.getByText(`오늘 예약한 잔여 백신: K1 내과의원 · mRNA (${DAY})`).waitFor();
    await expectAccessible(a);

    // B's list still showed the dose; booking it now meets plain words, and the offer is marked sold out.
    await b.getByRole('button', { name: 'K1 내과의원에서 예약' }).click();
    const alert = b.getByRole('alert');
    await alert.getByText('남은 백신이 방금 모두 예약되었습니다.').waitFor();
    expect(await alert.textContent()).toContain('다른 의료기관의 잔여 백신을 찾아보거나');
    expect(await b.locator('#results').textContent()).toContain('mRNA · 마감');
    expect(await b.getByRole('button', { name: 'K1 내과의원에서 예약' }).count()).toBe(0);
    await expectAccessible(b);

    // B asks to be alerted when K1 has leftovers again; the choice is kept by the server, shown in the list, and can be dropped.
    await b.getByLabel('이 의료기관이 잔여 백신을 공개하면 알려 주세요').check();
    await b.getByText('알림 설정을 저장했습니다 (1/5곳).').waitFor();
    await b.getByText('알림받는 의료기관 1/5곳').waitFor();
    expect(await b.locator('#alerts').textContent()).toContain('K1 내과의원');
    expect(await rig.ctx.db.selectFrom('leftover_alerts').select('institution_id').execute()).toEqual([{ institution_id: 'K1' }]);
    // Switched to English, the sold-out words and the page follow without a reload.
    await b.getByRole('button', { name: 'English' }).click();
    await b.getByRole('alert').getByText('The leftover doses have just been taken.').waitFor();
    expect(await b.locator('#results').textContent()).toContain('mRNA · sold out');
    await b.getByRole('button', { name: 'Stop alerts from K1 내과의원' }).click();
    await b.getByText('You are not alerted about any clinic.', { exact: false }).waitFor();
    expect(await b.getByLabel('Tell me when this clinic has leftover doses').isChecked()).toBe(false);
    expect(await rig.ctx.db.selectFrom('leftover_alerts').select('institution_id').execute()).toEqual([]);
    await expectAccessible(b);

    const booked = await rig.ctx.db.selectFrom('leftover_bookings').select('status').execute();
    expect(booked).toEqual([{ status: 'booked' }]);

    // The leftover booking reaches the clinic's list.
    await desk.reload();
    await expect.poll(() => rows.count()).toBe(3);
    expect(await rows.nth(2).textContent()).toContain('세*온');
    for (const context of [clinic, contextA, contextB]) await context.close();
  });
});
