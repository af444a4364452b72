import type { CampaignWindow } from './api.ts';
import { h, uid } from './dom.ts';
import { addDays, fromLocalInput, toLocalInput } from './seoul-time.ts';

const KINDS: [string, string][] = [
  ['rotation', '10부제 (생일 끝자리)'],
  ['catchup', '추가 (연령대)'],
  ['open', '전체 개방'],
];

interface RowInputs {
  row: HTMLTableRowElement;
  read(): Record<string, unknown>;
}

function cell(label: string, input: HTMLInputElement | HTMLSelectElement): HTMLTableCellElement {
  // Each input has its own accessible name: the column header alone is not announced in every reader.
  input.setAttribute('aria-label', label);
  return h('td', {}, input);
}

function windowRow(w: Partial<CampaignWindow>, onRemove: (row: HTMLTableRowElement) => void, index: number): RowInputs {
  const n = index + 1;
  const id = h('input', { type: 'text', required: true, pattern: '[A-Za-z0-9_-]{1,64}', value: w.id ?? '', size: 6 });
  const kind = h('select', {}, ...KINDS.map((k) => h('option', { value: k[0], selected: k[0] === (w.kind ?? 'open') }, k[1])));
  const opensAt = h('input', { type: 'datetime-local', required: true, value: w.opensAt ? toLocalInput(w.opensAt) : '' });
  const closesAt = h('input', { type: 'datetime-local', required: true, value: w.closesAt ? toLocalInput(w.closesAt) : '' });
  const digits = h('input', { type: 'text', inputmode: 'numeric', pattern: '[0-9]( *, *[0-9])*', value: w.birthDayDigits?.join(',') ?? '', size: 6 });
  const bornFrom = h('input', { type: 'date', value: w.bornFrom ?? '' });
  const bornTo = h('input', { type: 'date', value: w.bornTo ?? '' });
  const remove = h('button', { type: 'button', class: 'secondary small' }, `창 ${n} 삭제`);
  const row = h(
    'tr',
    {},
    cell(`창 ${n} 아이디`, id),
    cell(`창 ${n} 종류`, kind),
    cell(`창 ${n} 시작 (서울 시각)`, opensAt),
    cell(`창 ${n} 종료 (서울 시각)`, closesAt),
    cell(`창 ${n} 생일 끝자리 (쉼표로 구분, 비우면 모두)`, digits),
    cell(`창 ${n} 출생일 시작`, bornFrom),
    cell(`창 ${n} 출생일 끝`, bornTo),
    h('td', {}, remove),
  );
  remove.addEventListener('click', () => onRemove(row));
  return {
    row,
    read: () => ({
      id: id.value.trim(),
      kind: kind.value,
      opensAt: fromLocalInput(opensAt.value),
      closesAt: fromLocalInput(closesAt.value),
      birthDayDigits: digits.value.trim() ? digits.value.split(',').map((d) => Number(d.trim())) : null,
      ...(bornFrom.value ? { bornFrom: bornFrom.value } : {}),
      ...(bornTo.value ? { bornTo: bornTo.value } : {}),
    }),
  };
}

/** Ten rotation windows from `firstDate`: window k opens 20:00 on day k−1 and closes 18:00 the next day (BRIEF §3). */
function tenDayRotation(firstDate: string): Partial<CampaignWindow>[] {
  return Array.from({ length: 10 }, (_, i) => ({
    id: `r${i + 1}`,
    kind: 'rotation',
    opensAt: `${addDays(firstDate, i)}T20:00:00+09:00`,
    closesAt: `${addDays(firstDate, i + 1)}T18:00:00+09:00`,
    // Window 1 is for birth days 9/19/29, window 2 for 10/20/30, window 3 for 1/11/21/31, …
    birthDayDigits: [(i + 9) % 10],
    bornFrom: null,
    bornTo: null,
  }));
}

/** The editable table of a campaign's windows, with add, remove and "generate a 10-day rotation". */
export function windowEditor(initial: Partial<CampaignWindow>[]): { element: HTMLElement; read(): Record<string, unknown>[] } {
  const body = h('tbody');
  let rows: RowInputs[] = [];
  const render = (windows: Partial<CampaignWindow>[]) => {
    rows = [];
    body.replaceChildren();
    windows.forEach((w) => add(w));
  };
  const add = (w: Partial<CampaignWindow>) => {
    const inputs = windowRow(w, (row) => {
      rows = rows.filter((r) => r.row !== row);
      row.remove();
    }, rows.length);
    rows.push(inputs);
    body.append(inputs.row);
  };
  render(initial);
  const rotationDateId = uid('rotation-date');
  const rotationDate = h('input', { type: 'date', id: rotationDateId });
  const generate = h('button', { type: 'button', class: 'secondary' }, '10부제 창 10개 추가');
  generate.addEventListener('click', () => {
    if (!rotationDate.value) return rotationDate.focus();
    for (const w of tenDayRotation(rotationDate.value)) add(w);
  });
  const addButton = h('button', { type: 'button', class: 'secondary' }, '창 추가');
  addButton.addEventListener('click', () => add({ id: `w${rows.length + 1}`, kind: 'open' }));
  const headers = ['아이디', '종류', '시작 (서울)', '종료 (서울)', '생일 끝자리', '출생일 시작', '출생일 끝', '삭제'];
  const element = h(
    'fieldset',
    { class: 'windows' },
    h('legend', {}, '예약 창 (10부제, 추가, 전체 개방)'),
    h('div', { class: 'table-scroll' }, h('table', {}, h('thead', {}, h('tr', {}, ...headers.map((t) => h('th', { scope: 'col' }, t)))), body)),
    h('div', { class: 'row' }, addButton, h('div', { class: 'field inline' }, h('label', { for: rotationDateId }, '10부제 첫날'), rotationDate), generate),
  );
  return { element, read: () => rows.map((r) => r.read()) };
}
