// My bookings: each booking (one's own and dependents'), with change and cancel while the
// 2-day rule allows; a cancellation asks once more before it is sent.
import { selfServiceDeadline } from '../../modules/campaigns/domain/self-service.ts';
import { api } from '../shared/api.ts';
import { fill, inLang } from '../shared/i18n.ts';
import { formatInstant } from '../shared/format.ts';
import { serverNow, syncServerTime } from '../shared/server-time.ts';
import { doseList, learnClinicNames } from './lib/booking-view.ts';
import { loadCampaigns, type BookingInfo, type CampaignInfo } from './lib/campaigns.ts';
import { showProblem } from './lib/next-step.ts';
import { busyNotice, byId, el, startPage } from './lib/page.ts';

const EN: Record<string, string> = {
  title: 'My bookings — Yeyak',
  h1: 'My bookings',
  rule: 'You can change or cancel here until midnight at the start of the day before your first dose (two days ahead). After that the vaccine is already on its way to the clinic, so please call the clinic.',
  'more.h': 'Book',
};

const M = {
  ko: {
    person: '{name}님 ({birth} 출생)',
    none: '예약이 없습니다.',
    code: '예약번호 {code}',
    booked: '예약됨',
    cancelled: '취소됨',
    forWhom: '접종하실 분: {name}',
    until: '{at} 전까지 변경·취소할 수 있습니다.',
    closed: '변경·취소 기간이 지났습니다 ({at}까지). 의료기관에 전화로 문의해 주세요.',
    change: '날짜·의료기관 변경',
    cancel: '예약 취소',
    sure: '정말 취소할까요? 모든 차수(1차·2차) 예약이 함께 취소되고, 다시 예약하려면 대기열부터 다시 거쳐야 합니다.',
    yes: '예, 취소합니다',
    no: '아니요, 그대로 둡니다',
    cancelledNow: '예약 {code}이(가) 취소되었습니다.',
    book: '{name} 예약하러 가기',
    proxy: '{name} 가족 대리 예약',
    busy: '접속자가 많아 {s}초 뒤 자동으로 다시 시도합니다.',
  },
  en: {
    person: '{name} (born {birth})',
    none: 'You have no bookings.',
    code: 'Booking code {code}',
    booked: 'Booked',
    cancelled: 'Cancelled',
    forWhom: 'For: {name}',
    until: 'You can change or cancel until {at}.',
    closed: 'Changes and cancellations closed at {at}. Please call the clinic.',
    change: 'Change date or clinic',
    cancel: 'Cancel booking',
    sure: 'Cancel this booking? Every dose (first and second) is cancelled together, and booking again means going through the queue again.',
    yes: 'Yes, cancel it',
    no: 'No, keep it',
    cancelledNow: 'Booking {code} has been cancelled.',
    book: 'Book: {name}',
    proxy: 'Book for a family member: {name}',
    busy: 'Many people are connected; trying again in {s} s.',
  },
};

interface Me {
  person: { maskedName: string; birthDate: string };
}

interface Dependent {
  id: string;
  maskedName: string;
}

const onBusy = busyNotice((s) => fill(inLang(M).busy, { s }));
let me: Me | null = null;
let bookings: BookingInfo[] = [];
let campaigns: CampaignInfo[] = [];
let dependents: Dependent[] = [];
let confirming: string | null = null;

/** The dependent a booking is for (matched by masked name; only when exactly one dependent has it). */
function dependentOf(b: BookingInfo): string | null {
  if (!me || b.personMaskedName === me.person.maskedName) return null;
  const matches = dependents.filter((d) => d.maskedName === b.personMaskedName);
  return matches.length === 1 ? (matches[0]?.id ?? null) : null;
}

function bookingCard(b: BookingInfo): HTMLLIElement {
  const m = inLang(M);
  const li = el('li', undefined, 'card');
  const campaign = campaigns.find((c) => c.id === b.campaignId);
  li.append(el('h2', campaign?.name ?? b.campaignId));
  li.append(el('p', `${fill(m.code, { code: b.code })} · ${b.status === 'booked' ? m.booked : m.cancelled}`, 'big'));
  li.append(el('p', fill(m.forWhom, { name: b.personMaskedName })));
  li.append(doseList(b));
  const first = b.doses.find((d) => d.dose === 1);
  if (b.status !== 'booked' || !first) return li;
  const deadline = selfServiceDeadline(first.date);
  const open = serverNow() < deadline.getTime();
  li.append(el('p', fill(open ? m.until : m.closed, { at: formatInstant(deadline.toISOString()) }), open ? 'hint' : 'notice'));
  if (!open) return li;
  const row = el('div', undefined, 'row');
  const change = el('a', m.change, 'button secondary');
  const q = new URLSearchParams({ c: b.campaignId, change: b.id });
  const dependent = dependentOf(b);
  if (dependent) q.set('d', dependent);
  change.href = `/waiting.html?${q}`;
  const cancel = el('button', m.cancel, 'danger');
  cancel.type = 'button';
  cancel.addEventListener('click', () => {
    confirming = b.id;
    draw();
    document.getElementById(`sure-${b.id}`)?.focus();
  });
  row.append(change, cancel);
  li.append(row);
  if (confirming === b.id) {
    const sure = el('div', undefined, 'notice');
    sure.id = `sure-${b.id}`;
    sure.tabIndex = -1;
    sure.setAttribute('role', 'group');
    sure.setAttribute('aria-label', m.cancel);
    const yes = el('button', m.yes, 'danger');
    yes.type = 'button';
    yes.addEventListener('click', () => void cancelBooking(b));
    const no = el('button', m.no, 'secondary');
    no.type = 'button';
    no.addEventListener('click', () => {
      confirming = null;
      draw();
    });
    const buttons = el('div', undefined, 'row');
    buttons.append(yes, no);
    sure.append(el('p', m.sure), buttons);
    li.append(sure);
  }
  return li;
}

function draw(): void {
  const m = inLang(M);
  if (me) byId('person').textContent = fill(m.person, { name: me.person.maskedName, birth: me.person.birthDate });
  const list = byId('bookings');
  list.replaceChildren(...bookings.map(bookingCard));
  if (bookings.length === 0) list.append(el('li', m.none));
  const links = byId('campaigns');
  links.replaceChildren(
    ...campaigns.flatMap((c) => {
      const own = el('a', fill(m.book, { name: c.name }), 'button wide');
      own.href = `/waiting.html?c=${encodeURIComponent(c.id)}`;
      const items = [el('li')];
      items[0]?.append(own);
      if (c.proxyAllowed) {
        const proxy = el('a', fill(m.proxy, { name: c.name }), 'button secondary wide');
        proxy.href = `/family/?c=${encodeURIComponent(c.id)}`;
        const li = el('li');
        li.append(proxy);
        items.push(li);
      }
      return items;
    }),
  );
}

async function cancelBooking(b: BookingInfo): Promise<void> {
  try {
    const { booking } = await api<{ booking: BookingInfo }>('POST', `/api/v1/bookings/${encodeURIComponent(b.id)}/cancel`, { onBusy });
    bookings = bookings.map((x) => (x.id === booking.id ? booking : x));
    confirming = null;
    draw();
    byId('status').textContent = fill(inLang(M).cancelledNow, { code: booking.code });
  } catch (error) {
    showProblem(error);
  }
}

async function load(): Promise<void> {
  await syncServerTime().catch(() => {});
  [me, bookings, campaigns, dependents] = await Promise.all([
    api<Me>('GET', '/api/v1/me', { onBusy }),
    api<BookingInfo[]>('GET', '/api/v1/bookings', { onBusy }),
    loadCampaigns(),
    api<Dependent[]>('GET', '/api/v1/me/dependents', { onBusy }),
  ]);
  // Names are a nicety: without them the clinic's id is shown.
  await learnClinicNames(bookings).catch(() => {});
  draw();
}

startPage(EN, draw);
load()
  .catch(showProblem)
  .finally(() => {
    byId('main').dataset.ready = '1';
  });
