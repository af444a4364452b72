// Slot choice: the clinic's dates, then its half-hour times with the doses left in each.
import { api } from '../shared/api.ts';
import { fill, inLang } from '../shared/i18n.ts';
import { formatDate } from '../shared/format.ts';
import { currentFlow, flowHref, recalledClinic } from './lib/flow.ts';
import { showProblem } from './lib/next-step.ts';
import { busyNotice, byId, el, startPage } from './lib/page.ts';

const EN: Record<string, string> = {
  title: 'Choose a date and time — Yeyak',
  h1: 'Choose a date and time',
  dates: 'Date of the first dose',
  times: 'Time (half-hour slots, doses left)',
  next: 'Next: check your booking',
  back: 'Choose another clinic',
};

const M = {
  ko: { left: '잔여 {n}', full: '마감', none: '이 의료기관에는 지금 예약할 수 있는 날짜가 없습니다. 다른 의료기관을 골라 주세요.', pickDate: '날짜를 골라 주세요.', pickTime: '시간을 골라 주세요.', busy: '접속자가 많아 {s}초 뒤 자동으로 다시 시도합니다.' },
  en: { left: '{n} left', full: 'full', none: 'This clinic has no date you can book now. Please choose another clinic.', pickDate: 'Choose a date.', pickTime: 'Choose a time.', busy: 'Many people are connected; trying again in {s} s.' },
};

interface Slot {
  date: string;
  time: string;
  remaining: number;
}

const flow = currentFlow();
const onBusy = busyNotice((s) => fill(inLang(M).busy, { s }));
let slots: Slot[] = [];
let chosenDate: string | null = flow.date;
let chosenTime: string | null = flow.time;

function option(name: string, value: string, label: string, checked: boolean, disabled: boolean, onPick: () => void): HTMLLabelElement {
  const wrap = el('label', undefined, 'option');
  const input = el('input');
  input.type = 'radio';
  input.name = name;
  input.value = value;
  input.checked = checked;
  input.disabled = disabled;
  input.addEventListener('change', onPick);
  wrap.append(input, el('span', label));
  return wrap;
}

function draw(): void {
  const m = inLang(M);
  const clinic = recalledClinic(flow.institutionId ?? '');
  byId('clinic').textContent = clinic.name;
  byId('clinic-address').textContent = clinic.address;
  const byDate = new Map<string, number>();
  for (const s of slots) byDate.set(s.date, (byDate.get(s.date) ?? 0) + s.remaining);
  byId('date-options').replaceChildren(
    ...[...byDate].map(([date, left]) =>
      option('date', date, `${formatDate(date)} · ${left > 0 ? fill(m.left, { n: left }) : m.full}`, date === chosenDate, left === 0, () => {
        chosenDate = date;
        chosenTime = null;
        draw();
      }),
    ),
  );
  if (byDate.size === 0 && slots.length === 0) byId('date-options').replaceChildren(el('p', m.none));
  const times = slots.filter((s) => s.date === chosenDate);
  byId('times').hidden = times.length === 0;
  byId('time-options').replaceChildren(
    ...times.map((s) =>
      option('time', s.time, `${s.time} · ${s.remaining > 0 ? fill(m.left, { n: s.remaining }) : m.full}`, s.time === chosenTime, s.remaining === 0, () => {
        chosenTime = s.time;
      }),
    ),
  );
  byId<HTMLAnchorElement>('back').href = flowHref('/clinics/');
}

function next(event: Event): void {
  event.preventDefault();
  const m = inLang(M);
  const problem = byId('slot-problem');
  problem.hidden = Boolean(chosenDate && chosenTime);
  problem.textContent = !chosenDate ? m.pickDate : !chosenTime ? m.pickTime : '';
  if (!chosenDate || !chosenTime) return;
  location.assign(flowHref('/confirm/', { i: flow.institutionId, date: chosenDate, time: chosenTime }));
}

startPage(EN, draw);
byId('slot-form').addEventListener('submit', next);
api<Slot[]>('GET', `/api/v1/campaigns/${encodeURIComponent(flow.campaignId ?? '')}/institutions/${encodeURIComponent(flow.institutionId ?? '')}/slots`, { onBusy })
  .then((list) => {
    slots = list;
    draw();
  })
  .catch(showProblem)
  .finally(() => {
    byId('main').dataset.ready = '1';
  });
