import { api, ApiError } from './api.ts';
import { confirmAction } from './confirm.ts';
import { h, replace } from './dom.ts';

interface DeadLetter {
  id: string;
  consumer: string;
  topic: string;
  aggregateId: string;
  attempts: number;
  lastError: string | null;
  createdAt: string;
}

const CONSUMERS: Record<string, string> = { registry: '예방접종 등록 시스템', messages: '문자·알림톡' };

/**
 * The outbox: jobs by consumer and status, and the dead letters — deliveries that failed for good
 * (20 attempts, or refused) — each replayable, or all of a consumer at once, after a confirmation.
 * Every replay is audited by the server.
 */
export async function outboxView(root: HTMLElement): Promise<void> {
  const counts = h('tbody');
  const dead = h('tbody');
  const status = h('p', { role: 'status' });
  const replayAll = h('button', { type: 'button', class: 'danger' }, '실패 건 모두 다시 보내기');

  const replay = async (title: string, lines: string[], path: string, body?: unknown) => {
    if (!(await confirmAction(title, lines, '다시 보내기'))) return;
    try {
      const result = await api<{ replayed: string[] }>('POST', path, body === undefined ? {} : { body });
      await load();
      replace(status, `${result.replayed.length}건을 다시 보냈습니다.`);
    } catch (error) {
      replace(status, h('span', { class: 'error-text' }, error instanceof ApiError ? error.message : String(error)));
    }
  };

  const load = async () => {
    const [summary, letters] = await Promise.all([
      api<{ unrouted: number; jobs: { consumer: string; status: string; count: number }[] }>('GET', '/admin/outbox'),
      api<{ items: DeadLetter[]; nextCursor: string | null }>('GET', '/admin/outbox/dead?limit=100'),
    ]);
    replace(counts, ...summary.jobs.map((j) => h('tr', {}, h('td', {}, CONSUMERS[j.consumer] ?? j.consumer), h('td', {}, j.status), h('td', { class: 'num' }, j.count.toLocaleString('ko-KR')))));
    replace(
      dead,
      ...letters.items.map((d) => {
        const button = h('button', { type: 'button', class: 'secondary small' }, '다시 보내기');
        button.addEventListener('click', () => void replay('실패 건 다시 보내기', [`${CONSUMERS[d.consumer] ?? d.consumer}: ${d.topic} (${d.aggregateId})`], `/admin/outbox/dead/${encodeURIComponent(d.id)}/replay`));
        return h('tr', {}, h('td', {}, d.createdAt.slice(0, 19).replace('T', ' ')), h('td', {}, CONSUMERS[d.consumer] ?? d.consumer), h('td', {}, d.topic), h('td', {}, d.aggregateId), h('td', { class: 'num' }, String(d.attempts)), h('td', {}, d.lastError ?? '–'), h('td', {}, button));
      }),
    );
    replayAll.hidden = letters.items.length === 0;
    replace(status, letters.items.length === 0 ? '실패한 전송이 없습니다.' : `실패한 전송 ${letters.items.length}건${letters.nextCursor ? ' 이상' : ''}`);
  };

  replayAll.addEventListener('click', () => void replay('실패 건 모두 다시 보내기', ['전송에 실패한 모든 건을 처음부터 다시 보냅니다.'], '/admin/outbox/dead/replay', {}));
  replace(
    root,
    h('h1', { tabindex: -1 }, '외부 전송'),
    h('p', {}, '예약·변경·취소와 접종 결과는 예방접종 등록 시스템과 문자로 전송됩니다. 실패한 건은 자동으로 다시 시도하며, 끝내 실패한 건은 아래에서 다시 보낼 수 있습니다.'),
    h('div', { class: 'table-scroll' }, h('table', {}, h('caption', {}, '전송 현황'), h('thead', {}, h('tr', {}, ...['받는 곳', '상태', '건수'].map((t) => h('th', { scope: 'col' }, t)))), counts)),
    h('h2', {}, '실패한 전송'),
    replayAll,
    h('div', { class: 'table-scroll' }, h('table', {}, h('caption', {}, '최근 실패부터'), h('thead', {}, h('tr', {}, ...['시각', '받는 곳', '종류', '대상', '시도', '오류', ''].map((t) => h('th', { scope: 'col' }, t || '작업')))), dead)),
    status,
  );
  try {
    await load();
  } catch (error) {
    replace(status, h('span', { class: 'error-text' }, error instanceof ApiError ? error.message : String(error)));
  }
}
