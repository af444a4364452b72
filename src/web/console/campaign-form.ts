import { api, ApiError, problemsOf, type Campaign } from './api.ts';
import { h, replace, uid } from './dom.ts';
import { fromLocalInput, toLocalInput } from './seoul-time.ts';
import { windowEditor } from './window-rows.ts';

function field(label: string, input: HTMLInputElement | HTMLSelectElement, hint?: string): HTMLElement {
  const id = uid('cf');
  input.id = id;
  const hintId = hint ? `${id}-hint` : undefined;
  if (hintId) input.setAttribute('aria-describedby', hintId);
  return h('div', { class: 'field' }, h('label', { for: id }, label), input, hint ? h('p', { class: 'hint', id: hintId }, hint) : null);
}

/**
 * Creates (POST) or edits (PUT) a campaign: cohort, vaccine and interval, windows and rotation,
 * proxy policy, admission policy. The server checks everything (the same rules for both) and
 * its problems are listed as they come back.
 */
export function campaignForm(root: HTMLElement, existing: Campaign | null, onSaved: (id: string) => void): void {
  const c = existing;
  const id = h('input', { type: 'text', pattern: '[A-Za-z0-9_-]{1,64}', value: c?.id ?? '', readonly: c !== null, autocomplete: 'off' });
  const name = h('input', { type: 'text', required: true, maxlength: 200, value: c?.name ?? '' });
  const bornFrom = h('input', { type: 'date', required: true, value: c?.cohort.bornFrom ?? '' });
  const bornTo = h('input', { type: 'date', required: true, value: c?.cohort.bornTo ?? '' });
  const vaccine = h('input', { type: 'text', required: true, maxlength: 100, value: c?.vaccine.name ?? '' });
  const doses = h('input', { type: 'number', required: true, min: 1, max: 4, step: 1, value: c?.vaccine.doses ?? 2 });
  const interval = h('input', { type: 'number', required: true, min: 0, max: 365, step: 1, value: c?.vaccine.intervalDays ?? 21 });
  const queueOpensAt = h('input', { type: 'datetime-local', required: true, value: c ? toLocalInput(c.queueOpensAt) : '' });
  const proxy = h('input', { type: 'checkbox', checked: c?.proxyAllowed ?? false });
  const proxyId = uid('cf');
  proxy.id = proxyId;
  const mode = h('select', {}, h('option', { value: 'adaptive', selected: c?.admission.mode !== 'fixed' }, '적응형'), h('option', { value: 'fixed', selected: c?.admission.mode === 'fixed' }, '고정'));
  const rate = h('input', { type: 'number', required: true, min: 0.1, max: 100000, step: 'any', value: c?.admission.ratePerSecond ?? 200 });
  const maxActive = h('input', { type: 'number', required: true, min: 1, max: 10000000, step: 1, value: c?.admission.maxActive ?? 20000 });
  const windows = windowEditor(c?.windows ?? []);
  const result = h('div', { class: 'result', role: 'alert' });
  const submit = h('button', { type: 'submit' }, c ? '변경 저장' : '캠페인 만들기');

  const form = h(
    'form',
    { class: 'campaign-form', novalidate: false },
    h(
      'fieldset',
      {},
      h('legend', {}, '기본'),
      field('캠페인 아이디', id, c ? '아이디는 바꿀 수 없습니다.' : '영문, 숫자, -, _ (비우면 자동)'),
      field('이름', name),
      field('대기열 시작 (서울 시각)', queueOpensAt, '첫 예약 창이 열리기 전부터 사전 대기를 받습니다.'),
    ),
    h('fieldset', {}, h('legend', {}, '대상 (출생일)'), field('출생일 시작', bornFrom), field('출생일 끝', bornTo)),
    h('fieldset', {}, h('legend', {}, '백신'), field('백신 이름', vaccine), field('접종 횟수', doses), field('접종 간격 (일)', interval, '2차 접종은 같은 의료기관에서 이 간격 뒤로 함께 예약됩니다.')),
    windows.element,
    h('fieldset', {}, h('legend', {}, '대리 예약'), h('div', { class: 'field inline' }, proxy, h('label', { for: proxyId }, '대리 예약 허용 (예: 60세 이상)'))),
    h('fieldset', {}, h('legend', {}, '입장 정책'), field('방식', mode), field('최대 입장 속도 (명/초)', rate), field('동시 활성 입장 상한', maxActive)),
    result,
    h('div', { class: 'buttons' }, submit, h('a', { href: '#/campaigns', class: 'button secondary' }, '목록으로')),
  );

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!form.reportValidity()) return;
    const body = {
      ...(id.value.trim() ? { id: id.value.trim() } : {}),
      name: name.value.trim(),
      cohort: { bornFrom: bornFrom.value, bornTo: bornTo.value },
      vaccine: { name: vaccine.value.trim(), doses: Number(doses.value), intervalDays: Number(interval.value) },
      queueOpensAt: fromLocalInput(queueOpensAt.value),
      windows: windows.read(),
      proxyAllowed: proxy.checked,
      admission: { mode: mode.value, ratePerSecond: Number(rate.value), maxActive: Number(maxActive.value) },
    };
    submit.disabled = true;
    try {
      const saved = c
        ? await api<{ id: string }>('PUT', `/admin/campaigns/${encodeURIComponent(c.id)}`, { body })
        : await api<{ id: string }>('POST', '/admin/campaigns', { body });
      onSaved(saved.id);
    } catch (error) {
      const problems = problemsOf(error);
      replace(result, h('p', { class: 'error-text' }, error instanceof ApiError ? error.message : String(error)), problems.length ? h('ul', {}, ...problems.map((p) => h('li', {}, p))) : null);
    } finally {
      submit.disabled = false;
    }
  });

  replace(root, h('h1', { tabindex: -1 }, c ? `캠페인 수정: ${c.name}` : '새 캠페인'), form);
}
