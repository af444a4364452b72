// The landing page: the campaign schedule, and "when is my day?" answered by the server's rules.
import { api } from '../shared/api.ts';
import { showError } from '../shared/error-words.ts';
import { fill, inLang } from '../shared/i18n.ts';
import { formatInstant, normaliseBirthDate } from '../shared/format.ts';
import { loadCampaigns, type CampaignInfo } from './lib/campaigns.ts';
import { byId, el, startPage } from './lib/page.ts';
import { windowSpan, windowWho } from './lib/windows-text.ts';

const EN: Record<string, string> = {
  title: 'Vaccine pre-booking — Yeyak',
  h1: 'Vaccine pre-booking',
  intro: 'Check your booking day with your birth date. On that day, verify who you are, wait your turn in the queue, then choose a clinic and a time.',
  'day.h': 'When is my day?',
  'day.campaign': 'Campaign',
  'day.birth': 'Birth date, 8 digits (e.g. 19660819)',
  'day.hint': 'Your birth date is not stored.',
  'day.submit': 'Check my day',
  'sched.h': 'Schedule',
  loading: 'Loading…',
  api: 'For developers: the Yeyak API (OpenAPI)',
};

const M = {
  ko: {
    badDate: '생년월일을 숫자 8자리로 입력해 주세요. 예: 1966년 8월 19일 → 19660819',
    openNow: '지금 예약할 수 있습니다.',
    upcoming: '예약할 수 있는 때:',
    notInCohort: '이번 예약 대상이 아닙니다 ({from} ~ {to} 출생자 대상). 다른 예약 일정을 확인해 주세요.',
    closed: '이번 예약은 끝났습니다.',
    digit: '생일 끝자리 {digit}',
    book: '예약하러 가기',
    queueOpens: '대기열 열림',
    vaccine: '백신',
    doses: '{doses}회 접종 (간격 {days}일)',
    oneDose: '1회 접종',
    cohort: '대상',
    born: '{from} ~ {to} 출생',
    windows: '예약 기간',
    proxy: '가족 대리 예약 가능',
    none: '지금 진행 중인 예약이 없습니다.',
  },
  en: {
    badDate: 'Enter your birth date as 8 digits, e.g. 19 August 1966 → 19660819.',
    openNow: 'You can book now.',
    upcoming: 'You can book:',
    notInCohort: 'You are not in this campaign’s group (born {from} to {to}). Check the other campaigns.',
    closed: 'This campaign has ended.',
    digit: 'birth day ending in {digit}',
    book: 'Go to booking',
    queueOpens: 'Queue opens',
    vaccine: 'Vaccine',
    doses: '{doses} doses, {days} days apart',
    oneDose: 'one dose',
    cohort: 'Who',
    born: 'born {from} to {to}',
    windows: 'Booking periods',
    proxy: 'Family members may book for you',
    none: 'No campaign is open for booking now.',
  },
};

interface MyWindow {
  answer: 'OPEN_NOW' | 'UPCOMING' | 'NOT_IN_COHORT' | 'CLOSED';
  birthDayDigit: number;
  windows: { id: string; kind: string; opensAt: string; closesAt: string; openNow: boolean }[];
}

let campaigns: CampaignInfo[] = [];
let lastAnswer: { campaign: CampaignInfo; day: MyWindow } | null = null;

function bookHref(c: CampaignInfo): string {
  return `/waiting.html?c=${encodeURIComponent(c.id)}`;
}

function fact(dl: HTMLElement, term: string, value: string): void {
  dl.append(el('dt', term), el('dd', value));
}

function drawCampaigns(): void {
  const m = inLang(M);
  const box = byId('campaigns');
  box.replaceChildren();
  if (campaigns.length === 0) box.append(el('p', m.none));
  for (const c of campaigns) {
    const card = el('article', undefined, 'card');
    card.append(el('h3', c.name));
    const dl = el('dl', undefined, 'facts');
    fact(dl, m.vaccine, `${c.vaccine.name} · ${c.vaccine.doses > 1 ? fill(m.doses, { doses: c.vaccine.doses, days: c.vaccine.intervalDays }) : m.oneDose}`);
    fact(dl, m.cohort, fill(m.born, { from: c.cohort.bornFrom, to: c.cohort.bornTo }));
    fact(dl, m.queueOpens, formatInstant(c.queueOpensAt));
    card.append(dl);
    if (c.proxyAllowed) card.append(el('p', m.proxy, 'muted'));
    const details = el('details');
    details.append(el('summary', `${m.windows} (${c.windows.length})`));
    const list = el('ul');
    for (const w of [...c.windows].sort((a, b) => a.opensAt.localeCompare(b.opensAt))) list.append(el('li', `${windowWho(w)}: ${windowSpan(w)}`));
    details.append(list);
    card.append(details);
    const go = el('a', m.book, 'button wide');
    go.href = bookHref(c);
    card.append(go);
    box.append(card);
  }
  const pick = byId<HTMLSelectElement>('campaign-pick');
  const chosen = pick.value;
  pick.replaceChildren(...campaigns.map((c) => Object.assign(el('option', c.name), { value: c.id })));
  if (chosen) pick.value = chosen;
}

function drawAnswer(): void {
  const box = byId('day-answer');
  box.replaceChildren();
  if (!lastAnswer) return;
  const m = inLang(M);
  const { campaign, day } = lastAnswer;
  const out = el('div', undefined, day.answer === 'OPEN_NOW' ? 'good' : 'notice');
  if (day.answer === 'NOT_IN_COHORT') out.append(el('p', fill(m.notInCohort, { from: campaign.cohort.bornFrom, to: campaign.cohort.bornTo })));
  else if (day.answer === 'CLOSED') out.append(el('p', m.closed));
  else {
    out.append(el('p', `${fill(m.digit, { digit: day.birthDayDigit })} — ${day.answer === 'OPEN_NOW' ? m.openNow : m.upcoming}`));
    const list = el('ul');
    for (const w of day.windows) list.append(el('li', windowSpan(w)));
    out.append(list);
    if (day.answer === 'OPEN_NOW') {
      const go = el('a', m.book, 'button wide');
      go.href = bookHref(campaign);
      out.append(go);
    }
  }
  box.append(out);
}

async function askMyDay(event: Event): Promise<void> {
  event.preventDefault();
  const input = byId<HTMLInputElement>('birth');
  const birthDate = normaliseBirthDate(input.value);
  const campaign = campaigns.find((c) => c.id === byId<HTMLSelectElement>('campaign-pick').value);
  if (!birthDate || !campaign) {
    input.setAttribute('aria-invalid', 'true');
    lastAnswer = null;
    byId('day-answer').replaceChildren(el('p', inLang(M).badDate, 'alert'));
    input.focus();
    return;
  }
  input.removeAttribute('aria-invalid');
  try {
    const day = await api<MyWindow>('GET', `/api/v1/campaigns/${encodeURIComponent(campaign.id)}/my-window?birthDate=${birthDate}`);
    lastAnswer = { campaign, day };
    drawAnswer();
  } catch (error) {
    showError(byId('error'), error);
  }
}

startPage(EN, () => {
  drawCampaigns();
  drawAnswer();
});
byId('day-form').addEventListener('submit', (e) => void askMyDay(e));
loadCampaigns()
  .then((list) => {
    campaigns = list;
    drawCampaigns();
  })
  .catch((error: unknown) => showError(byId('error'), error))
  .finally(() => {
    byId('main').dataset.ready = '1';
  });
