import { api, ApiError, problemsOf, type AdmissionPolicy, type Campaign } from './api.ts';
import { confirmAction } from './confirm.ts';
import { h, num, replace, uid } from './dom.ts';

const MODE_LABEL: Record<AdmissionPolicy['mode'], string> = { adaptive: '적응형 (예약 경로 상태에 따라)', fixed: '고정' };

function field(label: string, input: HTMLInputElement | HTMLSelectElement, hint?: string): HTMLElement {
  const id = uid('qc');
  input.id = id;
  const hintId = hint ? `${id}-hint` : undefined;
  if (hintId) input.setAttribute('aria-describedby', hintId);
  return h('div', { class: 'field' }, h('label', { for: id }, label), input, hint ? h('p', { class: 'hint', id: hintId }, hint) : null);
}

/**
 * Pause/resume and the admission bounds of one campaign, each behind a confirmation that says
 * what will change.
 */
export function queueControl(campaign: Campaign): HTMLElement {
  const status = h('p', { class: 'status', role: 'status' });
  const fail = (error: unknown) => {
    const problems = problemsOf(error);
    replace(status, h('span', { class: 'error-text' }, error instanceof ApiError ? error.message : String(error), problems.length ? ` (${problems.join('; ')})` : ''));
  };

  const reason = h('input', { type: 'text', maxlength: 200, autocomplete: 'off' });
  const pause = h('button', { type: 'button', class: 'danger' }, '입장 일시 중지');
  const resume = h('button', { type: 'button' }, '입장 재개');
  pause.addEventListener('click', async () => {
    const why = reason.value.trim();
    const ok = await confirmAction('입장을 일시 중지할까요?', [`캠페인 ${campaign.name}`, '대기 중인 모든 사람의 순서는 그대로 유지되며, 대기 화면에 일시 중지 사유가 표시됩니다.', `사유: ${why || '(없음)'}`], '일시 중지');
    if (!ok) return replace(status, '취소했습니다. 아무것도 바뀌지 않았습니다.');
    try {
      const res = await api<{ state: string }>('POST', `/admin/campaigns/${encodeURIComponent(campaign.id)}/queue/pause`, { body: why ? { reason: why } : {} });
      replace(status, `일시 중지했습니다 (상태: ${res.state}).`);
    } catch (error) {
      fail(error);
    }
  });
  resume.addEventListener('click', async () => {
    const ok = await confirmAction('입장을 재개할까요?', [`캠페인 ${campaign.name}`, '대기열이 현재 입장 속도로 다시 움직입니다.'], '재개');
    if (!ok) return replace(status, '취소했습니다. 아무것도 바뀌지 않았습니다.');
    try {
      const res = await api<{ state: string }>('POST', `/admin/campaigns/${encodeURIComponent(campaign.id)}/queue/resume`, { body: {} });
      replace(status, `재개했습니다 (상태: ${res.state}).`);
    } catch (error) {
      fail(error);
    }
  });

  const current = () => campaign.admission;
  const mode = h('select', {}, ...(['adaptive', 'fixed'] as const).map((m) => h('option', { value: m, selected: m === current().mode }, MODE_LABEL[m])));
  const rate = h('input', { type: 'number', min: 0.1, max: 100000, step: 'any', required: true, value: current().ratePerSecond });
  const maxActive = h('input', { type: 'number', min: 1, max: 10000000, step: 1, required: true, value: current().maxActive });
  const bounds = h(
    'form',
    { class: 'bounds' },
    field('입장 방식', mode),
    field('최대 입장 속도 (명/초)', rate, '적응형에서는 상한, 고정에서는 그 속도'),
    field('동시 활성 입장 상한', maxActive),
    h('button', { type: 'submit' }, '입장 한도 변경'),
  );
  bounds.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!bounds.reportValidity()) return;
    const next: AdmissionPolicy = { mode: mode.value as AdmissionPolicy['mode'], ratePerSecond: Number(rate.value), maxActive: Number(maxActive.value) };
    const ok = await confirmAction(
      '입장 한도를 바꿀까요?',
      [
        `캠페인 ${campaign.name}`,
        `방식: ${MODE_LABEL[current().mode]} → ${MODE_LABEL[next.mode]}`,
        `최대 입장 속도: ${num(current().ratePerSecond, 2)} → ${num(next.ratePerSecond, 2)} 명/초`,
        `동시 활성 입장 상한: ${num(current().maxActive)} → ${num(next.maxActive)}`,
      ],
      '변경',
    );
    if (!ok) return replace(status, '취소했습니다. 아무것도 바뀌지 않았습니다.');
    try {
      const res = await api<{ admission: AdmissionPolicy }>('PUT', `/admin/campaigns/${encodeURIComponent(campaign.id)}/admission`, { body: next });
      campaign.admission = res.admission;
      replace(status, '입장 한도를 바꿨습니다. 모든 서버에 2초 안에 적용됩니다.');
    } catch (error) {
      fail(error);
    }
  });

  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'queue-control-title' },
    h('h2', { id: 'queue-control-title' }, '입장 제어'),
    h('div', { class: 'row' }, field('일시 중지 사유 (대기 화면에 표시)', reason), h('div', { class: 'buttons' }, pause, resume)),
    bounds,
    status,
  );
}
