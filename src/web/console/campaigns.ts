import type { Campaign } from './api.ts';
import { h, replace } from './dom.ts';
import { showSeoul } from './seoul-time.ts';

/** The campaigns, each with its windows' span, and links to edit it or watch it live. */
export function campaignList(root: HTMLElement, campaigns: Campaign[]): void {
  const rows = campaigns.map((c) => {
    const opens = c.windows.map((w) => w.opensAt).sort()[0];
    const closes = c.windows.map((w) => w.closesAt).sort().at(-1);
    return h(
      'tr',
      {},
      h('th', { scope: 'row' }, c.name, h('br'), h('span', { class: 'muted' }, c.id)),
      h('td', {}, `${c.cohort.bornFrom} ~ ${c.cohort.bornTo}`),
      h('td', {}, `${c.vaccine.name} ${c.vaccine.doses}회${c.vaccine.doses > 1 ? ` (${c.vaccine.intervalDays}일 간격)` : ''}`),
      h('td', {}, `${c.windows.length}개`, h('br'), h('span', { class: 'muted' }, `${opens ? showSeoul(opens) : ''} ~ ${closes ? showSeoul(closes) : ''}`)),
      h('td', {}, c.proxyAllowed ? '허용' : '불가'),
      h('td', {}, h('a', { href: `#/campaigns/${encodeURIComponent(c.id)}` }, `${c.name} 수정`), ' ', h('a', { href: `#/dashboard/${encodeURIComponent(c.id)}` }, '실시간')),
    );
  });
  replace(
    root,
    h('h1', { tabindex: -1 }, '캠페인'),
    h('p', {}, h('a', { href: '#/campaigns/new', class: 'button' }, '새 캠페인')),
    h(
      'div',
      { class: 'table-scroll' },
      h(
        'table',
        {},
        h('caption', {}, `캠페인 ${campaigns.length}개`),
        h('thead', {}, h('tr', {}, ...['캠페인', '대상 출생일', '백신', '예약 창', '대리 예약', ''].map((t, i) => h('th', { scope: 'col' }, t || (i === 5 ? '동작' : ''))))),
        h('tbody', {}, ...rows),
      ),
    ),
  );
}
