/**
 * The operator console: login, the live dashboard (with pause/resume and admission bounds),
 * campaigns, clinics and capacity uploads, and the audit log. One page, routed by the URL hash
 * (#/dashboard/<id>, #/campaigns, #/campaigns/<id>, #/uploads, #/outbox, #/audit).
 */
import { api, ApiError, listCampaigns, type Campaign } from './api.ts';
import { auditView } from './audit-log.ts';
import { outboxView } from './outbox.ts';
import { campaignForm } from './campaign-form.ts';
import { campaignList } from './campaigns.ts';
import { dashboardView } from './dashboard.ts';
import { h, replace } from './dom.ts';
import { loginView } from './login.ts';
import { uploadsView } from './uploads.ts';

const main = document.querySelector('main')!;
const nav = document.querySelector<HTMLElement>('#nav')!;
const who = document.querySelector<HTMLElement>('#who')!;
let leave: () => void = () => {};

const LINKS: [string, string][] = [
  ['#/dashboard', '실시간 현황'],
  ['#/campaigns', '캠페인'],
  ['#/uploads', '의료기관·물량'],
  ['#/outbox', '외부 전송'],
  ['#/audit', '감사 기록'],
];

function showNav(role: string): void {
  const current = location.hash.split('/')[1] ?? 'dashboard';
  replace(nav, h('ul', {}, ...LINKS.map((link) => h('li', {}, h('a', { href: link[0], 'aria-current': link[0] === `#/${current}` ? 'page' : false }, link[1])))));
  const logout = h('button', { type: 'button', class: 'secondary small' }, '로그아웃');
  logout.addEventListener('click', async () => {
    await api('POST', '/admin/logout').catch(() => null);
    location.hash = '';
    void start();
  });
  replace(who, `역할: ${role} `, logout);
}

async function route(): Promise<void> {
  leave();
  leave = () => {};
  // Array destructuring is avoided in page code: esbuild cannot lower it for Safari 14.
  const parts = location.hash.split('/').map((part) => decodeURIComponent(part));
  const area = parts[1] || 'dashboard';
  const id = parts[2];
  const role = main.dataset.role ?? '';
  showNav(role);
  let campaigns: Campaign[];
  try {
    campaigns = await listCampaigns();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return start();
    replace(main, h('h1', {}, '불러오지 못했습니다'), h('p', { class: 'error-text' }, error instanceof ApiError ? error.message : String(error)));
    return;
  }
  if (area === 'campaigns' && id) {
    const existing = id === 'new' ? null : (campaigns.find((c) => c.id === id) ?? null);
    campaignForm(main, existing, (savedId) => {
      location.hash = `#/campaigns/${encodeURIComponent(savedId)}/saved`;
    });
  } else if (area === 'campaigns') {
    campaignList(main, campaigns);
  } else if (area === 'uploads') {
    uploadsView(main, campaigns);
  } else if (area === 'audit') {
    await auditView(main);
  } else if (area === 'outbox') {
    await outboxView(main);
  } else {
    const selected = campaigns.find((c) => c.id === id) ?? campaigns[0] ?? null;
    leave = dashboardView(main, campaigns, selected);
  }
  if (location.hash.endsWith('/saved')) main.prepend(h('p', { class: 'ok-text', role: 'status' }, '저장했습니다.'));
  main.querySelector<HTMLElement>('h1')?.focus();
  main.dataset.ready = '1';
}

/** Shows the console if the browser holds a valid operator cookie, else the login form. */
async function start(): Promise<void> {
  leave();
  try {
    const me = await api<{ role: string }>('GET', '/admin/me');
    main.dataset.role = me.role;
    await route();
  } catch {
    replace(nav);
    replace(who);
    loginView(main, () => void start());
    main.dataset.ready = '1';
  }
}

window.addEventListener('hashchange', () => void route());
void start();
