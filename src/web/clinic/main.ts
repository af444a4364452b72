/**
 * The clinic portal (`clinic_staff` accounts, each bound to one clinic): the day's list with
 * "접종 완료" and "미접종(노쇼)", its CSV and printout, the stock report and today's leftover doses.
 * Login is the console's: it sets the HttpOnly operator cookie, for clinic staff on /api/v1/clinic too.
 */
import { api } from '../console/api.ts';
import { h, replace } from '../console/dom.ts';
import { loginView } from '../console/login.ts';
import { dayListView } from './day-list.ts';
import { stockForms } from './stock-forms.ts';

const main = document.querySelector('main')!;
const who = document.querySelector<HTMLElement>('#who')!;

function showWho(institutionId: string | null): void {
  const logout = h('button', { type: 'button', class: 'secondary small' }, '로그아웃');
  logout.addEventListener('click', async () => {
    await api('POST', '/admin/logout').catch(() => null);
    void start();
  });
  replace(who, institutionId ? `의료기관: ${institutionId} ` : '', logout);
}

function portal(): void {
  replace(main, h('h1', { tabindex: -1 }, '접종 명단'));
  const offerVaccines = stockForms(main);
  // The list goes above the forms: it is what the staff look at all day.
  const listBox = h('section', { 'aria-label': '예약 명단' });
  main.querySelector('h1')!.after(listBox);
  dayListView(listBox, (list) => offerVaccines(list.appointments.map((a) => a.vaccine)));
}

/** Shows the portal if the browser holds a clinic staff member's cookie, else the login form. */
async function start(): Promise<void> {
  try {
    const me = await api<{ role: string; institutionId: string | null }>('GET', '/admin/me');
    showWho(me.institutionId);
    if (me.role !== 'clinic_staff') {
      replace(main, h('h1', { tabindex: -1 }, '의료기관 직원 계정이 아닙니다'), h('p', {}, '의료기관 포털은 의료기관 직원 계정으로 로그인해야 쓸 수 있습니다. 로그아웃한 뒤 다시 로그인하세요.'));
    } else {
      portal();
    }
    main.querySelector<HTMLElement>('h1')?.focus();
  } catch {
    replace(who);
    loginView(main, () => void start(), '의료기관 직원 로그인');
  }
  main.dataset.ready = '1';
}

void start();
