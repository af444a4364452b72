import type { Campaign } from './api.ts';
import { barChart, lineChart, type LineChart } from './charts.ts';
import { h, num, replace, uid } from './dom.ts';
import { queueControl } from './queue-control.ts';
import type { LiveFrame } from '../../modules/operator/live/live-frame.ts';

/** Two minutes of history at one frame a second. */
const HISTORY = 120;

const STATE_LABEL: Record<string, string> = { scheduled: '예정', prequeue: '사전 대기', open: '진행 중', paused: '일시 중지', closed: '종료' };

type Numeric = { [K in keyof LiveFrame]: LiveFrame[K] extends number ? K : never }[keyof LiveFrame];

interface Tile {
  key: Numeric;
  label: string;
  unit: string;
  digits?: number;
}

const TILES: Tile[] = [
  { key: 'waiting', label: '대기 인원', unit: '명' },
  { key: 'servingUpTo', label: '입장 순번 (servingUpTo)', unit: '' },
  { key: 'admitRatePerSecond', label: '입장 속도', unit: '명/초', digits: 2 },
  { key: 'activeAdmissions', label: '활성 입장', unit: '명' },
  { key: 'bookingsPerSecond', label: '예약 (전체 노드)', unit: '건/초', digits: 2 },
  { key: 'errorsPerSecond', label: '오류 5xx (전체 노드)', unit: '건/초', digits: 2 },
  { key: 'p99LatencyMs', label: '예약 경로 p99 (전체 노드)', unit: 'ms', digits: 1 },
  { key: 'remainingDoses', label: '잔여 백신', unit: '회분' },
];

/** The synthetic probe books every 10 s while it works: silent for longer than this, something is wrong. */
const PROBE_STALE_SECONDS = 30;

/** The probe's state as the service saw it: its last booking, and whether that is recent. */
function renderProbe(element: HTMLElement, probe: LiveFrame['probe']): void {
  if (probe.secondsAgo === null) {
    element.dataset.probe = 'absent';
    replace(element, '합성 점검(프로브): ', h('strong', {}, '기록 없음'), ' — 프로브가 실행 중이 아니거나 아직 예약하지 못했습니다.');
    return;
  }
  const ok = probe.secondsAgo <= PROBE_STALE_SECONDS;
  element.dataset.probe = ok ? 'ok' : 'stale';
  replace(element, '합성 점검(프로브): ', h('strong', { class: ok ? 'probe-ok' : 'probe-stale' }, ok ? '정상' : '응답 없음'), ` — 마지막 예약 ${num(probe.secondsAgo, 0)}초 전`);
}

/**
 * The live dashboard of one campaign: figures and charts fed by server-sent events, one frame a
 * second, and the queue controls. Returns a function that closes the stream (leaving the view).
 */
export function dashboardView(root: HTMLElement, campaigns: Campaign[], selected: Campaign | null): () => void {
  const selectId = uid('campaign');
  const select = h('select', { id: selectId }, ...campaigns.map((c) => h('option', { value: c.id, selected: c.id === selected?.id }, `${c.name} (${c.id})`)));
  select.addEventListener('change', () => {
    location.hash = `#/dashboard/${encodeURIComponent(select.value)}`;
  });
  const heading = h('h1', { tabindex: -1 }, '실시간 현황');
  if (!selected) {
    replace(root, heading, h('p', {}, '캠페인이 없습니다. 먼저 캠페인을 만드세요.'));
    return () => {};
  }

  const connection = h('p', { class: 'connection', role: 'status' }, '연결 중…');
  const state = h('p', { class: 'state' });
  const probe = h('p', { class: 'probe', 'data-probe': 'unknown' });
  const tiles = new Map(TILES.map((t) => [t.key, h('dd', { 'data-value': '' }, '–')]));
  const tileList = h('dl', { class: 'tiles' }, ...TILES.flatMap((t) => [h('div', { class: 'tile', 'data-key': t.key }, h('dt', {}, t.label), tiles.get(t.key)!)]));

  const history = new Map<Numeric, number[]>();
  const push = (key: Numeric, value: number) => {
    const list = history.get(key) ?? [];
    list.push(value);
    if (list.length > HISTORY) list.shift();
    history.set(key, list);
    return list;
  };
  const charts: { chart: LineChart; draw: () => void }[] = [];
  const line = (title: string, unit: string, keys: [Numeric, string][], digits = 0) => {
    const chart = lineChart(title, unit, HISTORY, digits);
    chart.element.dataset.chart = keys[0]![0];
    charts.push({ chart, draw: () => chart.update(keys.map((pair, i) => ({ label: pair[1], className: i === 0 ? 'series-a' : 'series-b', values: history.get(pair[0]) ?? [] }))) });
    return chart.element;
  };
  const sido = barChart('시도별 잔여 백신 (오늘 이후)');
  sido.element.dataset.chart = 'remainingBySido';
  const grid = h(
    'div',
    { class: 'charts' },
    line('대기 인원', '명', [['waiting', '대기']]),
    line('입장 순번', '', [['servingUpTo', '입장'], ['issuedUpTo', '발급']]),
    line('입장 속도', '명/초', [['admitRatePerSecond', '측정'], ['targetRatePerSecond', '목표']], 2),
    line('활성 입장', '명', [['activeAdmissions', '활성']]),
    line('예약', '건/초', [['bookingsPerSecond', '예약']], 2),
    line('오류 (5xx)', '건/초', [['errorsPerSecond', '오류']], 2),
    line('예약 경로 p99 지연', 'ms', [['p99LatencyMs', 'p99']], 1),
    sido.element,
  );

  const seoulTime = (iso: string) => new Date(iso).toLocaleTimeString('ko-KR', { timeZone: 'Asia/Seoul' });
  const onFrame = (frame: LiveFrame) => {
    replace(state, '상태: ', h('strong', { class: `state-${frame.state}` }, STATE_LABEL[frame.state] ?? frame.state), frame.pausedReason ? ` — 사유: ${frame.pausedReason}` : '', ` · 서버 시각 ${seoulTime(frame.at)} · 노드 ${frame.nodes}개 합계`);
    renderProbe(probe, frame.probe);
    for (const tile of TILES) {
      const dd = tiles.get(tile.key)!;
      dd.textContent = `${num(frame[tile.key], tile.digits ?? 0)}${tile.unit ? ` ${tile.unit}` : ''}`;
      dd.dataset.value = String(frame[tile.key]);
    }
    for (const key of ['waiting', 'servingUpTo', 'issuedUpTo', 'admitRatePerSecond', 'targetRatePerSecond', 'activeAdmissions', 'bookingsPerSecond', 'errorsPerSecond', 'p99LatencyMs'] as const) push(key, frame[key]);
    for (const c of charts) c.draw();
    sido.update(frame.remainingBySido.map((r) => ({ label: r.sido, value: r.remaining, total: r.capacity })), `${seoulTime(frame.remainingAsOf)} 기준`);
  };

  const source = new EventSource(`/api/v1/admin/live?campaignId=${encodeURIComponent(selected.id)}`);
  source.addEventListener('open', () => replace(connection, '실시간 연결됨 (1초마다 갱신)'));
  source.addEventListener('message', (event: MessageEvent<string>) => onFrame(JSON.parse(event.data) as LiveFrame));
  source.addEventListener('error', () => {
    // EventSource retries by itself; CLOSED means the server refused (e.g. the login expired).
    replace(connection, source.readyState === EventSource.CLOSED ? '연결이 끊겼습니다. 다시 로그인하세요.' : '연결이 끊겼습니다. 다시 연결하는 중…');
  });

  replace(
    root,
    heading,
    h('div', { class: 'row' }, h('div', { class: 'field' }, h('label', { for: selectId }, '캠페인'), select), connection),
    state,
    probe,
    h('section', { 'aria-label': '현재 값' }, tileList),
    h('section', { 'aria-label': '추이 (최근 2분)', class: 'chart-section' }, grid),
    queueControl(selected),
  );
  return () => source.close();
}
