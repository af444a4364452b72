import { api, ApiError, problemsOf, type Campaign } from './api.ts';
import { h, num, replace, uid } from './dom.ts';

interface RowReport {
  row: number;
  line?: number;
  problems: string[];
}

/** The server's report of a refused upload: each bad row with the line of the file, then other problems. */
function errorReport(error: unknown): HTMLElement {
  if (!(error instanceof ApiError)) return h('p', { class: 'error-text' }, String(error));
  const rows = (error.details?.rows ?? []) as RowReport[];
  const badRows = Number(error.details?.badRows ?? rows.length);
  const line = error.details?.line;
  const problems = problemsOf(error);
  return h(
    'div',
    { class: 'error-report' },
    h('p', { class: 'error-text' }, error.message),
    rows.length
      ? h(
          'div',
          { class: 'table-scroll' },
          h(
            'table',
            { class: 'row-errors' },
            h('caption', {}, `잘못된 행 ${num(badRows)}개${badRows > rows.length ? ` (처음 ${num(rows.length)}개 표시)` : ''} — 아무 행도 반영되지 않았습니다. 고친 뒤 파일 전체를 다시 올리세요.`),
            h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, '파일의 줄'), h('th', { scope: 'col' }, '데이터 행'), h('th', { scope: 'col' }, '문제'))),
            h('tbody', {}, ...rows.map((r) => h('tr', {}, h('td', {}, r.line === undefined ? '–' : String(r.line)), h('td', {}, String(r.row)), h('td', {}, r.problems.join('; '))))),
          ),
        )
      : null,
    problems.length ? h('ul', {}, ...problems.map((p) => h('li', {}, typeof line === 'number' ? `${line}번째 줄: ${p}` : p))) : null,
  );
}

function uploadForm(title: string, columns: string, path: () => string, extra: HTMLElement | null): HTMLElement {
  const fileId = uid('file');
  const hintId = `${fileId}-hint`;
  const file = h('input', { type: 'file', id: fileId, accept: '.csv,text/csv', required: true, 'aria-describedby': hintId });
  const result = h('div', { class: 'result', role: 'status' });
  const submit = h('button', { type: 'submit' }, '올리기');
  const headingId = uid('upload');
  const form = h(
    'form',
    { class: 'upload', 'aria-labelledby': headingId },
    h('h2', { id: headingId }, title),
    extra,
    h('div', { class: 'field' }, h('label', { for: fileId }, 'CSV 파일 (UTF-8, 첫 줄은 열 이름)'), file, h('p', { class: 'hint', id: hintId }, `열: ${columns}. 한 행이라도 잘못되면 아무것도 반영되지 않습니다.`)),
    submit,
    result,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const chosen = file.files?.[0];
    if (!chosen) return file.focus();
    submit.disabled = true;
    replace(result, '올리는 중…');
    try {
      const res = await api<{ upserted: number }>('POST', path(), { csv: await chosen.text() });
      replace(result, h('p', { class: 'ok-text' }, `${num(res.upserted)}행을 모두 반영했습니다.`));
    } catch (error) {
      replace(result, errorReport(error));
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

/** Clinics and capacity uploads (CSV, all or nothing), each with a row-by-row error report. */
export function uploadsView(root: HTMLElement, campaigns: Campaign[]): void {
  const campaignId = uid('campaign');
  const select = h('select', { id: campaignId, required: true }, ...campaigns.map((c) => h('option', { value: c.id }, `${c.name} (${c.id})`)));
  replace(
    root,
    h('h1', { tabindex: -1 }, '의료기관과 접종 물량'),
    uploadForm('의료기관 올리기', 'id,name,address,sido,sigungu,lat,lng', () => '/admin/institutions', null),
    uploadForm(
      '접종 물량 올리기',
      'institutionId,date,time,doses (time은 30분 단위 HH:MM; 10부제 창마다 균등 분배됩니다)',
      () => `/admin/campaigns/${encodeURIComponent(select.value)}/capacity`,
      h('div', { class: 'field' }, h('label', { for: campaignId }, '캠페인'), select),
    ),
  );
}
