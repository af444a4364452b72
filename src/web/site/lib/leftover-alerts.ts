// The clinics a person is alerted about when they publish leftover doses (at most five): a
// checkbox on each clinic the leftovers page shows, and the list of chosen ones with a way to
// drop each. The server keeps the choice and enforces the limit; this mirrors it to say so early.
import { api } from '../../shared/api.ts';
import { fill, inLang } from '../../shared/i18n.ts';
import { showProblem } from './next-step.ts';
import { byId, el } from './page.ts';

/** The same limit as the API's (MAX_ALERT_CLINICS): it answers YEYAK_ERR_LEFTOVER_ALERTS_LIMIT past it. */
const MAX_ALERTS = 5;

const M = {
  ko: {
    watch: '이 의료기관이 잔여 백신을 공개하면 알려 주세요',
    full: '알림은 다섯 곳까지 받을 수 있습니다. 다른 곳을 끄면 고를 수 있습니다.',
    none: '알림받는 의료기관이 없습니다. 위 잔여 백신 목록에서 골라 주세요.',
    count: '알림받는 의료기관 {n}/{max}곳',
    stop: '{name} 알림 끄기',
    saved: '알림 설정을 저장했습니다 ({n}/{max}곳).',
  },
  en: {
    watch: 'Tell me when this clinic has leftover doses',
    full: 'You can be alerted about five clinics at most. Turn one off to choose another.',
    none: 'You are not alerted about any clinic. Tick clinics in the list above.',
    count: 'Alerts for {n} of {max} clinics',
    stop: 'Stop alerts from {name}',
    saved: 'Alert choices saved ({n} of {max} clinics).',
  },
};

let chosen: string[] = [];
const names = new Map<string, string>();
let redrawPage: () => void = () => {};

/** Loads the person's choice and the chosen clinics' names; `redraw` redraws the page after each change. */
export async function loadAlerts(redraw: () => void): Promise<void> {
  redrawPage = redraw;
  chosen = (await api<{ institutionIds: string[] }>('GET', '/api/v1/me/leftover-alerts')).institutionIds;
  const unknown = chosen.filter((id) => !names.has(id));
  if (unknown.length === 0) return;
  const found = await api<{ id: string; name: string }[]>('GET', `/api/v1/institutions?ids=${unknown.map(encodeURIComponent).join(',')}`).catch(() => []);
  for (const clinic of found) names.set(clinic.id, clinic.name);
}

/** Saves the choice, redraws the page, and puts the focus back where it was (`focusId`; the page redrew it). */
async function save(next: string[], focusId: string): Promise<void> {
  byId('error').hidden = true;
  try {
    chosen = (await api<{ institutionIds: string[] }>('PUT', '/api/v1/me/leftover-alerts', { body: { institutionIds: next } })).institutionIds;
    byId('status').textContent = fill(inLang(M).saved, { n: chosen.length, max: MAX_ALERTS });
  } catch (error) {
    showProblem(error);
  }
  redrawPage();
  document.getElementById(focusId)?.focus();
}

/** The checkbox for one clinic on the page; disabled when five others are chosen already. */
export function alertToggle(institutionId: string, name: string): HTMLElement {
  const m = inLang(M);
  names.set(institutionId, name);
  const on = chosen.includes(institutionId);
  const box = el('input');
  box.type = 'checkbox';
  box.id = `alert-${institutionId}`;
  box.checked = on;
  box.disabled = !on && chosen.length >= MAX_ALERTS;
  box.addEventListener('change', () => {
    void save(box.checked ? [...chosen, institutionId] : chosen.filter((id) => id !== institutionId), box.id);
  });
  const label = el('label', undefined, 'check');
  label.htmlFor = box.id;
  label.append(box, el('span', m.watch));
  const wrap = el('div');
  wrap.append(label);
  if (box.disabled) wrap.append(el('p', m.full, 'hint'));
  return wrap;
}

/** The chosen clinics, each with a button to stop its alerts. */
export function drawAlertList(): void {
  const m = inLang(M);
  byId('alerts-count').textContent = chosen.length === 0 ? m.none : fill(m.count, { n: chosen.length, max: MAX_ALERTS });
  byId('alerts').replaceChildren(
    ...chosen.map((id) => {
      const name = names.get(id) ?? id;
      const li = el('li', undefined, 'row');
      li.append(el('span', name));
      const stop = el('button', fill(m.stop, { name }), 'secondary');
      stop.type = 'button';
      stop.addEventListener('click', () => void save(chosen.filter((x) => x !== id), 'alerts-h'));
      li.append(stop);
      return li;
    }),
  );
}
