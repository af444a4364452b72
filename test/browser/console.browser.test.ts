import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumInstalled, expectAccessible, startBrowserRig, type BrowserRig } from '../support/browser.ts';
import { admitted, ok, operator, person, seedCampaign } from '../support/fixtures.ts';
import { drain } from '../support/outbox-helpers.ts';
import { createOutboxWorker } from '../../src/outbox-workers.ts';

// The operator console at a desk: login, CSV uploads with their error report, the live dashboard
// while bookings are made, the confirmed queue controls, campaign editing and the audit log.
const PASSWORD = 'console browser password';
const DATES = ['2026-08-20', '2026-09-10']; // dose 2 is 21 days after dose 1

describe.skipIf(!chromiumInstalled)('the operator console in Debian Chromium', () => {
  let rig: BrowserRig;
  beforeAll(async () => {
    // A registry that is down (nothing listens on port 9), so its deliveries can end as dead letters.
    rig = await startBrowserRig({ env: { YEYAK_REGISTRY_URL: 'http://127.0.0.1:9' } });
    await seedCampaign(rig.app, { id: 'ops', institutions: ['C1', 'C2', 'C3'], dates: DATES, times: ['09:00', '09:30'], doses: 10 });
    await ok(rig.app, 'POST', '/api/v1/admin/operators', { username: 'ops.desk', password: PASSWORD, role: 'operator' }, operator);
  });
  afterAll(() => rig?.closeAll());

  async function logIn(): Promise<Page> {
    const context = await rig.newContext({ width: 1280 });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto('/console/');
    await page.getByLabel('아이디').fill('ops.desk');
    await page.getByLabel('비밀번호').fill(PASSWORD);
    await page.getByRole('button', { name: '로그인' }).click();
    await page.getByRole('heading', { level: 1, name: '실시간 현황' }).waitFor();
    return page;
  }

  const tile = (page: Page, key: string) => page.locator(`.tile[data-key="${key}"] dd`);
  const tileValue = async (page: Page, key: string) => Number(await tile(page, key).getAttribute('data-value'));

  it('an operator uploads a CSV with a bad row and sees it reported', async () => {
    const context = await rig.newContext({ width: 1280 });
    const login = await context.newPage();
    await login.goto('/console/');
    await login.getByLabel('아이디').waitFor();
    await expectAccessible(login);
    // Keyboard only: the username has the focus, Tab reaches the password, Enter submits.
    await expect.poll(() => login.evaluate(() => document.activeElement?.id)).toBe('username');
    await login.keyboard.type('ops.desk');
    await login.keyboard.press('Tab');
    await login.keyboard.type('wrong password');
    await login.keyboard.press('Enter');
    await login.getByRole('alert').getByText('아이디 또는 비밀번호가 맞지 않습니다.').waitFor();
    await login.getByLabel('비밀번호').fill(PASSWORD);
    await login.keyboard.press('Enter');
    await login.getByRole('heading', { level: 1, name: '실시간 현황' }).waitFor();
    await context.close();

    const page = await logIn();
    await page.getByRole('link', { name: '의료기관·물량' }).click();
    await page.getByRole('heading', { level: 1, name: '의료기관과 접종 물량' }).waitFor();
    const capacity = page.getByRole('form', { name: '접종 물량 올리기' });
    await capacity.getByLabel('캠페인').selectOption('ops');
    const bad = 'institutionId,date,time,doses\nC1,2026-08-25,09:00,6\n\nC1,2026-08-25,09:15,6\nC2,2026-08-25,09:00,6\n';
    await capacity.getByLabel(/CSV 파일/).setInputFiles({ name: 'capacity.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
    await capacity.getByRole('button', { name: '올리기' }).click();
    const report = capacity.locator('table.row-errors');
    await report.waitFor();
    // The bad row is the file's line 4 (an empty line 3 is skipped) and its data row 2.
    await expect.poll(() => report.locator('tbody tr').allTextContents()).toEqual([expect.stringMatching(/^42.*\/time/)]);
    expect(await report.locator('caption').textContent()).toContain('아무 행도 반영되지 않았습니다');
    const imported = await rig.ctx.db.selectFrom('capacity_slots').select('minute').where('campaign_id', '=', 'ops').where('date', '=', '2026-08-25').execute();
    expect(imported).toEqual([]);
    await expectAccessible(page);

    const fixed = bad.replace('09:15', '09:30');
    await capacity.getByLabel(/CSV 파일/).setInputFiles({ name: 'capacity.csv', mimeType: 'text/csv', buffer: Buffer.from(fixed) });
    await capacity.getByRole('button', { name: '올리기' }).click();
    await capacity.getByText('3행을 모두 반영했습니다.').waitFor();

    await page.getByRole('link', { name: '감사 기록' }).click();
    await page.getByRole('cell', { name: 'capacity.uploaded' }).first().waitFor();
    await expectAccessible(page);
    await page.context().close();
  });

  it('the dashboard moves while a scripted load books', async () => {
    const page = await logIn();
    await expect.poll(() => tile(page, 'remainingDoses').getAttribute('data-value')).not.toBe('');
    await page.getByText('실시간 연결됨').waitFor();
    // No probe runs against this rig: the dashboard says so rather than showing nothing.
    await expect.poll(() => page.locator('[data-probe]').getAttribute('data-probe')).toBe('absent');
    const remainingBefore = await tileValue(page, 'remainingDoses');
    const servingBefore = await tileValue(page, 'servingUpTo');
    const bookingsLine = page.locator('[data-chart="bookingsPerSecond"] polyline');
    const pointsBefore = await bookingsLine.getAttribute('points');
    await expectAccessible(page);

    // The scripted load: rounds of three people who queue, are admitted and book, one server second apart.
    let booked = 0;
    const bookingsChart = page.locator('[data-chart="bookingsPerSecond"]');
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 3; i++) {
        const who = await person(rig.app, '1968-04-0' + ((round + i) % 9 + 1));
        const access = await admitted(rig, who, 'ops');
        const institutionId = ['C1', 'C2', 'C3'][i]!;
        await ok(rig.app, 'POST', '/api/v1/campaigns/ops/bookings', { institutionId, date: DATES[0], time: round % 2 ? '09:30' : '09:00' }, access);
        booked += 1;
      }
      // The frame shows the server time to the second: wait for the one after this second.
      const before = await page.locator('.state').textContent();
      rig.clock.advance(1000);
      await rig.ctx.waitingRoom.refresh();
      await expect.poll(() => page.locator('.state').textContent(), { timeout: 10_000 }).not.toBe(before);
    }
    // Some frame counted bookings per second (the chart keeps every frame's figure).
    expect(Number(await bookingsChart.getAttribute('data-max'))).toBeGreaterThan(0);
    // Every booking takes two doses (dose 2 three weeks later), so remaining falls by 2 per booking.
    // Remaining doses are read at most every second (less often when that read is slow).
    await expect.poll(() => tileValue(page, 'remainingDoses'), { timeout: 20_000 }).toBe(remainingBefore - 2 * booked);
    expect(await tileValue(page, 'servingUpTo')).toBeGreaterThanOrEqual(servingBefore + booked);
    expect(await bookingsLine.getAttribute('points')).not.toBe(pointsBefore);
    await expect.poll(() => page.locator('[data-chart="remainingBySido"]').getAttribute('data-latest')).toBe(String(remainingBefore - 2 * booked));
    await page.context().close();
  });

  it('pauses and resumes only after a confirmation, and changes admission bounds with one', async () => {
    const page = await logIn();
    await page.getByLabel('일시 중지 사유 (대기 화면에 표시)').fill('백신 수급 확인 중');
    await page.getByRole('button', { name: '입장 일시 중지' }).click();
    const dialog = page.getByRole('dialog', { name: '입장을 일시 중지할까요?' });
    await dialog.waitFor();
    // The safe answer has the focus, so a stray Enter changes nothing.
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('취소');
    await expectAccessible(page);
    await page.keyboard.press('Escape');
    await page.getByText('취소했습니다. 아무것도 바뀌지 않았습니다.').waitFor();
    expect((await rig.ctx.waitingRoom.store.snapshot('ops', rig.clock.now().getTime())).paused).toBe(false);

    await page.getByRole('button', { name: '입장 일시 중지' }).click();
    await dialog.getByRole('button', { name: '일시 중지' }).click();
    await page.getByText(/일시 중지했습니다/).waitFor();
    await page.locator('.state', { hasText: '백신 수급 확인 중' }).waitFor();
    await page.getByRole('button', { name: '입장 재개' }).click();
    await page.getByRole('dialog', { name: '입장을 재개할까요?' }).getByRole('button', { name: '재개' }).click();
    await page.getByText(/재개했습니다/).waitFor();

    await page.getByLabel('최대 입장 속도 (명/초)').fill('250');
    await page.getByLabel('동시 활성 입장 상한').fill('3000');
    await page.getByRole('button', { name: '입장 한도 변경' }).click();
    const bounds = page.getByRole('dialog', { name: '입장 한도를 바꿀까요?' });
    await bounds.getByText('최대 입장 속도: 100,000 → 250 명/초').waitFor();
    await bounds.getByRole('button', { name: '변경' }).click();
    await page.getByText(/입장 한도를 바꿨습니다/).waitFor();
    expect((await rig.ctx.campaigns.get('ops')).admission).toMatchObject({ ratePerSecond: 250, maxActive: 3000 });
    const actions = (await rig.ctx.db.selectFrom('audit_log').select('action').where('target', '=', 'campaign:ops').execute()).map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['queue.paused', 'queue.resumed', 'campaign.admission.updated']));
    await page.context().close();
  });

  it('creates a campaign with a 10-day rotation and edits it through the form', async () => {
    const page = await logIn();
    await page.getByRole('link', { name: '캠페인', exact: true }).click();
    await page.getByRole('link', { name: '새 캠페인' }).click();
    await page.getByRole('heading', { level: 1, name: '새 캠페인' }).waitFor();
    await page.getByLabel('캠페인 아이디').fill('flu-web');
    await page.getByLabel('이름', { exact: true }).fill('독감 2026');
    await page.getByLabel('대기열 시작 (서울 시각)').fill('2026-09-01T19:00');
    await page.getByLabel('출생일 시작').first().fill('1977-01-01');
    await page.getByLabel('출생일 끝').first().fill('2008-12-31');
    await page.getByLabel('백신 이름').fill('인플루엔자');
    await page.getByLabel('접종 횟수').fill('1');
    await page.getByLabel('접종 간격 (일)').fill('0');
    await page.getByLabel('10부제 첫날').fill('2026-09-01');
    await page.getByRole('button', { name: '10부제 창 10개 추가' }).click();
    await expectAccessible(page);
    await page.getByRole('button', { name: '캠페인 만들기' }).click();
    await page.getByText('저장했습니다.').waitFor();
    const created = await rig.ctx.campaigns.get('flu-web');
    expect(created.windows.map((w) => [w.id, w.birthDayDigits])).toEqual(Array.from({ length: 10 }, (_, i) => [`r${i + 1}`, [(i + 9) % 10]]));
    expect(created.windows[0]!.opensAt.toISOString()).toBe('2026-09-01T11:00:00.000Z');

    await page.getByLabel('이름', { exact: true }).fill('독감 2026 (18~49세)');
    await page.getByRole('button', { name: '변경 저장' }).click();
    await expect.poll(async () => (await rig.ctx.campaigns.get('flu-web')).name).toBe('독감 2026 (18~49세)');

    // A refused edit says why, in the server's words.
    await page.getByLabel('접종 횟수').fill('2');
    await page.getByRole('button', { name: '변경 저장' }).click();
    await page.getByRole('alert').getByText('캠페인 정의가 올바르지 않습니다.').waitFor();
    await page.getByRole('alert').getByText('vaccine.intervalDays must be at least 1 for several doses').waitFor();
    expect((await rig.ctx.campaigns.get('flu-web')).vaccine.doses).toBe(1);
    await page.context().close();
  });

  it('shows the dead letters of the outbox and replays one after a confirmation', async () => {
    const who = await person(rig.app, '1969-05-05');
    await ok(rig.app, 'POST', '/api/v1/campaigns/ops/bookings', { institutionId: 'C1', date: DATES[0], time: '09:00' }, await admitted(rig, who, 'ops'));
    // One attempt only: the registry's refusal of the booking.created report makes it a dead letter.
    await drain(rig, createOutboxWorker(rig.ctx, { random: () => 0.5, backoff: { baseMs: 1000, capMs: 1000, maxAttempts: 1 } }), 'registry', 5);
    const dead = await ok(rig.app, 'GET', '/api/v1/admin/outbox/dead?consumer=registry', undefined, operator);
    expect(dead.items.length).toBeGreaterThan(0);

    const page = await logIn();
    await page.getByRole('link', { name: '외부 전송' }).click();
    await page.getByRole('heading', { level: 1, name: '외부 전송' }).waitFor();
    const rows = page.locator('table').nth(1).locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(dead.items.length);
    await expectAccessible(page);
    await rows.first().getByRole('button', { name: '다시 보내기' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await expectAccessible(page);
    await dialog.getByRole('button', { name: '다시 보내기' }).click();
    await page.getByText('1건을 다시 보냈습니다.').waitFor();
    await expect.poll(() => rows.count()).toBe(dead.items.length - 1);
    const audit = await ok(rig.app, 'GET', '/api/v1/admin/audit?limit=5', undefined, operator);
    expect(audit.entries.map((e: { action: string }) => e.action)).toContain('outbox.replayed');
    await page.context().close();
  });
});
