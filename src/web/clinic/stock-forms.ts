import { api, ApiError } from '../console/api.ts';
import { h, num, replace, uid } from '../console/dom.ts';

interface StockView {
  institutionId: string;
  stock: { vaccine: string; doses: number; source: string; reportedAt: string }[];
}

interface Published {
  date: string;
  vaccine: string;
  doses: number;
  booked: number;
  remaining: number;
}

/** A vaccine name and a count of doses, as both forms ask; `vaccines` fills the name's suggestions. */
function vaccineAndDoses(vaccines: HTMLDataListElement): { vaccine: HTMLInputElement; doses: HTMLInputElement; fields: HTMLElement[] } {
  const vaccineId = uid('vaccine');
  const dosesId = uid('doses');
  const vaccine = h('input', { type: 'text', id: vaccineId, required: true, maxlength: 50, list: vaccines.id, autocomplete: 'off' });
  const doses = h('input', { type: 'number', id: dosesId, required: true, min: 0, max: 100000, step: 1, inputmode: 'numeric' });
  return {
    vaccine,
    doses,
    fields: [h('div', { class: 'field' }, h('label', { for: vaccineId }, '백신'), vaccine), h('div', { class: 'field' }, h('label', { for: dosesId }, '회분'), doses)],
  };
}

/** Sends a form's request with its button disabled meanwhile, and shows the outcome in its result line. */
function wire(form: HTMLFormElement, result: HTMLElement, send: () => Promise<string>): void {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = form.querySelector('button');
    if (button) button.disabled = true;
    try {
      const message = await send();
      replace(result, h('p', { class: 'ok-text' }, message));
    } catch (error) {
      replace(result, h('p', { class: 'error-text' }, error instanceof ApiError ? error.message : String(error)));
    } finally {
      if (button) button.disabled = false;
    }
  });
}

function stockTable(view: StockView): HTMLElement {
  if (view.stock.length === 0) return h('p', { class: 'muted' }, '보고된 재고가 없습니다.');
  return h(
    'table',
    {},
    h('caption', {}, '현재 재고'),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, '백신'), h('th', { scope: 'col' }, '회분'), h('th', { scope: 'col' }, '보고 시각'))),
    h('tbody', {}, ...view.stock.map((s) => h('tr', {}, h('td', {}, s.vaccine), h('td', {}, num(s.doses)), h('td', {}, s.reportedAt)))),
  );
}

/**
 * The stock report ("재고 보고") and today's leftover doses ("오늘 잔여 백신 공개"): each a small
 * form whose answer is shown under it. Returns a function that offers the day's vaccines as names.
 */
export function stockForms(root: HTMLElement): (vaccineNames: string[]) => void {
  const vaccines = h('datalist', { id: uid('vaccines') });

  const stock = vaccineAndDoses(vaccines);
  const stockResult = h('div', { role: 'status' });
  const stockList = h('div', {});
  const stockForm = h(
    'form',
    { 'aria-labelledby': 'stock-h' },
    h('h2', { id: 'stock-h' }, '재고 보고'),
    ...stock.fields,
    h('button', { type: 'submit' }, '재고 보고'),
    stockResult,
    stockList,
  );
  wire(stockForm, stockResult, async () => {
    const view = await api<StockView>('POST', '/clinic/stock', { body: { vaccine: stock.vaccine.value.trim(), doses: Number(stock.doses.value) } });
    replace(stockList, stockTable(view));
    return `${stock.vaccine.value.trim()} ${num(Number(stock.doses.value))}회분을 보고했습니다.`;
  });

  const leftover = vaccineAndDoses(vaccines);
  const leftoverResult = h('div', { role: 'status' });
  const leftoverForm = h(
    'form',
    { 'aria-labelledby': 'leftover-h' },
    h('h2', { id: 'leftover-h' }, '오늘 잔여 백신 공개'),
    h('p', { class: 'hint' }, '오늘 남는 백신을 시민에게 공개합니다. 다시 보내면 공개 수량이 바뀝니다 (이미 예약된 수보다 줄일 수는 없습니다).'),
    ...leftover.fields,
    h('button', { type: 'submit' }, '잔여 백신 공개'),
    leftoverResult,
  );
  wire(leftoverForm, leftoverResult, async () => {
    const p = await api<Published>('POST', '/clinic/leftovers', { body: { vaccine: leftover.vaccine.value.trim(), doses: Number(leftover.doses.value) } });
    return `${p.date} ${p.vaccine} 잔여 백신 ${num(p.doses)}회분을 공개했습니다 (예약 ${num(p.booked)}, 남음 ${num(p.remaining)}).`;
  });

  root.append(vaccines, h('div', { class: 'clinic-forms' }, stockForm, leftoverForm));
  void api<StockView>('GET', '/clinic/stock')
    .then((view) => replace(stockList, stockTable(view)))
    .catch(() => {});
  return (names) => {
    replace(vaccines, ...[...new Set(names)].map((name) => h('option', { value: name })));
    for (const input of [stock.vaccine, leftover.vaccine]) if (!input.value && names[0]) input.value = names[0];
  };
}
