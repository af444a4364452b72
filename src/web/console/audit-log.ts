import { api, ApiError } from './api.ts';
import { h, replace } from './dom.ts';

interface AuditEntry {
  id: string;
  at: string;
  actor: string;
  role: string;
  action: string;
  target: string | null;
  details: Record<string, unknown>;
}

/** The append-only audit log, newest first, 50 at a time. */
export async function auditView(root: HTMLElement): Promise<void> {
  const body = h('tbody');
  const more = h('button', { type: 'button', class: 'secondary' }, '더 보기');
  const status = h('p', { role: 'status' });
  let cursor: string | null = null;
  const load = async () => {
    more.disabled = true;
    try {
      const page = await api<{ entries: AuditEntry[]; nextCursor: string | null }>('GET', `/admin/audit?limit=50${cursor ? `&cursor=${cursor}` : ''}`);
      for (const e of page.entries) {
        const details = Object.keys(e.details).map((k) => `${k}=${e.details[k] === null ? '–' : String(e.details[k])}`).join(', ');
        body.append(h('tr', {}, h('td', {}, e.at.slice(0, 19).replace('T', ' ')), h('td', {}, `${e.actor} (${e.role})`), h('td', {}, e.action), h('td', {}, e.target ?? '–'), h('td', {}, details)));
      }
      cursor = page.nextCursor;
      more.hidden = cursor === null;
      replace(status, `${body.children.length}건 표시${cursor ? '' : ' (끝)'}`);
    } catch (error) {
      replace(status, h('span', { class: 'error-text' }, error instanceof ApiError ? error.message : String(error)));
    } finally {
      more.disabled = false;
    }
  };
  more.addEventListener('click', () => void load());
  replace(
    root,
    h('h1', { tabindex: -1 }, '감사 기록'),
    h('p', {}, '모든 운영자 작업과 로그인이 기록되며, 기록은 수정하거나 지울 수 없습니다. 시각은 서울 시각입니다.'),
    h(
      'div',
      { class: 'table-scroll' },
      h('table', {}, h('caption', {}, '최근 기록부터'), h('thead', {}, h('tr', {}, ...['시각', '작업자', '작업', '대상', '내용'].map((t) => h('th', { scope: 'col' }, t)))), body),
    ),
    more,
    status,
  );
  await load();
}
