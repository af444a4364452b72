/**
 * Screenshots of every citizen step at 360 px, in Korean and in English, into docs/screenshots/
 * (`npm run screenshots`). It starts the real app on a loopback port with a manual clock (the
 * browser-test rig, Debian's Chromium), seeds a small campaign, and walks the journey as a person
 * would, so the pictures always show what the code does today.
 */
import { mkdir, readdir, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { chromiumInstalled, CHROMIUM_PATH, startBrowserRig, type BrowserRig } from '../test/support/browser.ts';
import { ok, openCampaign, operator, person, rotationWindows } from '../test/support/fixtures.ts';

const OUT = fileURLToPath(new URL('../docs/screenshots/', import.meta.url));
const CAMPAIGN = 'covid-2026';
const ROTATION = 'flu-2026-rotation';
const CLINICS = [
  { id: 'hanbit', name: '한빛내과의원', address: '서울특별시 중구 세종대로 110', sigungu: '중구', lat: 37.5663, lng: 126.9779 },
  { id: 'sejong', name: '세종가정의학과의원', address: '서울특별시 종로구 세종대로 175', sigungu: '종로구', lat: 37.5724, lng: 126.9769 },
  { id: 'namsan', name: '남산연세의원', address: '서울특별시 중구 퇴계로 100', sigungu: '중구', lat: 37.5608, lng: 126.9847 },
  { id: 'gwanghwamun', name: '광화문서울내과', address: '서울특별시 종로구 새문안로 68', sigungu: '종로구', lat: 37.5705, lng: 126.9745 },
];
const DAYS_1 = ['2026-08-12', '2026-08-13', '2026-08-14', '2026-08-17'];
const TIMES = ['09:00', '09:30', '10:00', '10:30', '14:00', '14:30'];

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

async function seed(rig: BrowserRig): Promise<void> {
  await ok(rig.app, 'POST', '/api/v1/admin/campaigns', openCampaign(CAMPAIGN, {
    name: '코로나19 백신 사전예약 (18세 이상)',
    vaccine: { name: 'mRNA', doses: 2, intervalDays: 21 },
    proxyAllowed: true,
    // Slow enough that the waiting page has people ahead and a measured rate to show.
    admission: { mode: 'fixed', ratePerSecond: 2, maxActive: 100_000 },
  }), operator);
  await ok(rig.app, 'POST', '/api/v1/admin/campaigns', openCampaign(ROTATION, {
    name: '독감 백신 10부제 예약 (18–49세)',
    cohort: { bornFrom: '1977-01-01', bornTo: '2008-12-31' },
    vaccine: { name: 'Influenza', doses: 1, intervalDays: 0 },
    queueOpensAt: '2026-08-08T19:00:00+09:00',
    windows: rotationWindows(),
  }), operator);
  await ok(rig.app, 'POST', '/api/v1/admin/institutions', CLINICS.map((c) => ({ ...c, sido: '서울특별시' })), operator);
  const dates = [...DAYS_1, ...DAYS_1.map((d) => addDays(d, 21))];
  const rows = CLINICS.flatMap((c, i) => dates.flatMap((date) => TIMES.map((time, j) => ({ institutionId: c.id, date, time, doses: 2 + ((i * 7 + j * 3) % 9) }))));
  await ok(rig.app, 'POST', `/api/v1/admin/campaigns/${CAMPAIGN}/capacity`, rows, operator);
}

/** Moves the queue on the manual clock a second at a time, as the refresher would. */
async function advanceQueue(rig: BrowserRig, seconds: number): Promise<void> {
  for (let i = 0; i < seconds; i++) {
    rig.clock.advance(1000);
    await rig.ctx.waitingRoom.refresh();
  }
}

async function ready(page: Page): Promise<void> {
  await page.waitForFunction(() => document.querySelector('main')?.dataset.ready === '1', undefined, { timeout: 15_000 });
}

class Shooter {
  private step = 0;
  constructor(
    private readonly lang: 'ko' | 'en',
    readonly page: Page,
  ) {}

  async shot(name: string): Promise<void> {
    this.step += 1;
    // Let fonts and the last poll settle; pictures are of the page at rest.
    await this.page.waitForTimeout(300);
    const file = `${OUT}${this.lang}-${String(this.step).padStart(2, '0')}-${name}.png`;
    await this.page.screenshot({ path: file, fullPage: true });
    console.log(file.slice(OUT.length));
  }
}

async function walk(rig: BrowserRig, lang: 'ko' | 'en', who: { name: string; birth: string; phone: string; dependent: string }): Promise<void> {
  const context: BrowserContext = await rig.newContext({ locale: lang === 'ko' ? 'ko-KR' : 'en-GB' });
  await context.addInitScript((l) => localStorage.setItem('yeyak.lang', l), lang);
  await context.grantPermissions(['geolocation']);
  await context.setGeolocation({ latitude: 37.5665, longitude: 126.978 });
  const page = await context.newPage();
  const s = new Shooter(lang, page);

  await page.goto('/');
  await ready(page);
  await s.shot('landing');
  await page.fill('#birth', who.birth);
  await page.click('#day-form button[type=submit]');
  await page.waitForSelector('#day-answer > div');
  await s.shot('my-day');

  // Ahead of this person: forty people already waiting.
  for (let i = 0; i < 40; i++) await ok(rig.app, 'POST', `/api/v1/campaigns/${CAMPAIGN}/queue/tickets`, undefined, await person(rig.app));
  await page.locator('#campaigns a.button').first().click();
  await page.waitForURL(/\/sign-in\//);
  await ready(page);
  await page.fill('#name', who.name);
  await page.fill('#birth', who.birth);
  await page.fill('#phone', who.phone);
  await s.shot('sign-in');
  await page.click('#mobile-start');
  await page.waitForSelector('#dev-code:not([hidden])');
  await page.fill('#code', /\d{6}/.exec((await page.textContent('#dev-code')) ?? '')?.[0] ?? '');
  await s.shot('sign-in-code');
  await page.click('#code-form button[type=submit]');
  await page.waitForURL(/\/waiting\.html/);
  await ready(page);
  await advanceQueue(rig, 6);
  await page.waitForFunction(() => /\d/.test(document.getElementById('eta')?.textContent ?? ''), undefined, { timeout: 20_000 });
  await s.shot('waiting');
  await advanceQueue(rig, 30);
  await page.waitForSelector('#turn:not([hidden])', { timeout: 30_000 });
  await s.shot('your-turn');

  await page.click('#turn-go');
  await page.waitForURL(/\/clinics\//);
  await ready(page);
  await page.selectOption('#sido', '서울특별시');
  await page.waitForSelector('#results > li');
  await s.shot('clinics-by-region');
  await page.click('#near-me');
  await page.waitForFunction(() => /km/.test(document.getElementById('results')?.textContent ?? ''));
  await page.click('#view-map');
  await page.waitForSelector('#map-box svg circle');
  await s.shot('clinics-near-me-map');
  await page.locator('#results > li a.button').first().click();
  await page.waitForURL(/\/slots\//);
  await ready(page);
  await page.locator('#date-options label').nth(1).click();
  await page.locator('#time-options label').nth(2).click();
  await s.shot('slots');
  await page.click('#slot-form button[type=submit]');
  await page.waitForURL(/\/confirm\//);
  await ready(page);
  await s.shot('confirm');
  await page.click('#book');
  await page.waitForURL(/\/done\//);
  await ready(page);
  await s.shot('booking-code');

  await page.goto('/bookings/');
  await ready(page);
  await s.shot('my-bookings');
  await page.locator('#bookings button.danger').first().click();
  await s.shot('cancel-confirmation');

  await page.goto(`/family/?c=${CAMPAIGN}`);
  await ready(page);
  await page.fill('#dep-name', who.dependent);
  await page.fill('#dep-birth', '19440512');
  await page.fill('#dep-phone', '010-9000-1000');
  await page.click('#add-form button[type=submit]');
  await page.waitForSelector('#dependents a.button');
  await s.shot('family');

  await page.goto(`/waiting.html?c=${ROTATION}`);
  await ready(page);
  await page.waitForSelector('#ineligible:not([hidden])');
  await s.shot('outside-window');
  await context.close();
}

async function main(): Promise<void> {
  if (!chromiumInstalled) throw new Error(`no Chromium at ${CHROMIUM_PATH} (apt-get install chromium)`);
  await mkdir(OUT, { recursive: true });
  for (const f of await readdir(OUT)) if (f.endsWith('.png')) await rm(`${OUT}${f}`);
  const rig = await startBrowserRig();
  try {
    await seed(rig);
    // Born on the 25th: the open window admits everyone; the rotation shows "not your day" (window 7, 14 Aug).
    await walk(rig, 'ko', { name: '김영희', birth: '19820825', phone: '010-2345-6789', dependent: '김순자' });
    await walk(rig, 'en', { name: '이민준', birth: '19850805', phone: '010-3456-7890', dependent: '이정숙' });
  } finally {
    await rig.closeAll();
  }
}

await main();
