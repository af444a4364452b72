// Confirmation: both doses shown before anything is booked; one press books them together (or
// moves an existing booking), with an Idempotency-Key so a retry can never book twice.
import { api, newIdempotencyKey } from '../shared/api.ts';
import { fill, inLang } from '../shared/i18n.ts';
import { addDays, formatDate } from '../shared/format.ts';
import { loadCampaign, type BookingInfo, type CampaignInfo } from './lib/campaigns.ts';
import { currentFlow, flowHref, recalledClinic } from './lib/flow.ts';
import { showProblem } from './lib/next-step.ts';
import { busyNotice, byId, el, startPage } from './lib/page.ts';

const EN: Record<string, string> = {
  title: 'Check your booking — Yeyak',
  h1: 'Check your booking',
  intro: 'If this is right, press “Book”. The first and second doses are booked together.',
  book: 'Book',
  back: 'Choose the date and time again',
};

const M = {
  ko: {
    dose: '{n}차 접종',
    at: '{date} {time}',
    around: '1차와 같은 시간 (그 시간이 다 찼으면 가장 가까운 시간)',
    note: '{name} · {n}회 접종, 간격 {days}일. 모든 접종을 같은 의료기관에서 맞습니다. 한 차례라도 자리가 없으면 아무것도 예약되지 않습니다.',
    oneNote: '{name} · 1회 접종.',
    change: '예약 변경: 새 날짜가 확정되는 순간 기존 예약이 취소됩니다. 새 예약이 안 되면 기존 예약은 그대로입니다.',
    changeTitle: '예약 변경 확인',
    changeButton: '이 날짜로 변경하기',
    proxy: '가족 대리 예약입니다. 예약은 가족 분의 이름으로 됩니다.',
    busy: '접속자가 많아 {s}초 뒤 자동으로 다시 시도합니다. 두 번 예약되지 않습니다.',
    working: '예약하는 중…',
  },
  en: {
    dose: 'Dose {n}',
    at: '{date} at {time}',
    around: 'Same time as dose 1 (or the nearest free time if that one is full)',
    note: '{name} · {n} doses, {days} days apart, all at the same clinic. If any dose has no place, nothing is booked.',
    oneNote: '{name} · one dose.',
    change: 'Changing a booking: your old booking is released only at the moment the new one is confirmed. If the new one fails, the old one stays.',
    changeTitle: 'Check your change',
    changeButton: 'Change to this date',
    proxy: 'You are booking for a family member. The booking is in their name.',
    busy: 'Many people are connected; trying again in {s} s. You will not be booked twice.',
    working: 'Booking…',
  },
};

const flow = currentFlow();
const onBusy = busyNotice((s) => fill(inLang(M).busy, { s }));
let campaign: CampaignInfo | null = null;

/** One key per choice, kept for the session: pressing again (or a retry after a lost answer) is the same request. */
function idempotencyKey(): string {
  const name = `yeyak.idem.${[flow.campaignId, flow.dependentId, flow.changeBookingId, flow.institutionId, flow.date, flow.time].join('|')}`;
  const known = sessionStorage.getItem(name);
  if (known) return known;
  const key = newIdempotencyKey();
  sessionStorage.setItem(name, key);
  return key;
}

function draw(): void {
  const m = inLang(M);
  const clinic = recalledClinic(flow.institutionId ?? '');
  byId('clinic').textContent = clinic.name;
  byId('clinic-address').textContent = clinic.address;
  const list = byId('doses');
  list.replaceChildren();
  if (flow.date && flow.time && campaign) {
    for (let n = 1; n <= campaign.vaccine.doses; n++) {
      const date = addDays(flow.date, (n - 1) * campaign.vaccine.intervalDays);
      const li = el('li', undefined, 'card tint');
      li.append(el('strong', fill(m.dose, { n })), el('p', n === 1 ? fill(m.at, { date: formatDate(date), time: flow.time }) : formatDate(date), 'big'));
      if (n > 1) li.append(el('p', m.around, 'hint'));
      list.append(li);
    }
    const v = campaign.vaccine;
    byId('dose-note').textContent = fill(v.doses > 1 ? m.note : m.oneNote, { name: v.name, n: v.doses, days: v.intervalDays });
    byId('campaign').textContent = campaign.name;
  }
  const notes = [flow.changeBookingId ? m.change : null, flow.dependentId ? m.proxy : null].filter(Boolean).join(' ');
  byId('change-note').hidden = notes === '';
  byId('change-note').textContent = notes;
  if (flow.changeBookingId) {
    byId('heading').textContent = m.changeTitle;
    byId('book').textContent = m.changeButton;
  }
  byId<HTMLAnchorElement>('back').href = flowHref('/slots/', { i: flow.institutionId, date: flow.date, time: flow.time });
}

async function book(): Promise<void> {
  const button = byId<HTMLButtonElement>('book');
  const label = button.textContent;
  button.disabled = true;
  button.textContent = inLang(M).working;
  byId('error').hidden = true;
  const choice = { institutionId: flow.institutionId, date: flow.date, time: flow.time };
  try {
    const { booking } = flow.changeBookingId
      ? await api<{ booking: BookingInfo }>('POST', `/api/v1/bookings/${encodeURIComponent(flow.changeBookingId)}/change`, { body: choice, onBusy })
      : await api<{ booking: BookingInfo }>('POST', `/api/v1/campaigns/${encodeURIComponent(flow.campaignId ?? '')}/bookings`, {
          body: flow.dependentId ? { ...choice, dependentId: flow.dependentId } : choice,
          headers: { 'idempotency-key': idempotencyKey() },
          onBusy,
        });
    location.assign(`/done/?b=${encodeURIComponent(booking.id)}&i=${encodeURIComponent(flow.institutionId ?? '')}`);
  } catch (error) {
    showProblem(error);
    button.disabled = false;
    button.textContent = label;
  }
}

startPage(EN, draw);
byId('book').addEventListener('click', () => void book());
draw();
loadCampaign(flow.campaignId ?? '')
  .then((c) => {
    campaign = c;
    draw();
  })
  .catch(showProblem)
  .finally(() => {
    byId('main').dataset.ready = '1';
  });
