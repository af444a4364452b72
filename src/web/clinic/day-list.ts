import { api, ApiError } from '../console/api.ts';
import { h, num, replace } from '../console/dom.ts';

interface Appointment {
  id: string;
  kind: 'booking' | 'leftover';
  time: string | null;
  dose: number | null;
  code: string | null;
  campaignId: string | null;
  vaccine: string;
  personMaskedName: string;
  birthYear: string;
  status: string;
}

export interface DayList {
  institutionId: string;
  date: string;
  appointments: Appointment[];
}

const STATUS_WORDS: Record<string, string> = { booked: '예약', given: '접종 완료', no_show: '미접종(노쇼)', cancelled: '취소' };

/**
 * The day's appointments at this clinic: a date to choose (today by the server's clock at first),
 * a printable table with "접종 완료" and "미접종(노쇼)" per dose still open, and the CSV link.
 * `onLoaded` hears each list (the leftover form offers its vaccines).
 */
export function dayListView(root: HTMLElement, onLoaded: (list: DayList) => void): void {
  const dateInput = h('input', { type: 'date', id: 'day' });
  const csv = h('a', { class: 'button secondary', href: '/api/v1/clinic/appointments.csv', download: '' }, 'CSV 내려받기');
  const print = h('button', { type: 'button', class: 'secondary' }, '인쇄');
  print.addEventListener('click', () => window.print());
  const status = h('p', { role: 'status', class: 'ok-text' });
  const tableBox = h('div', { class: 'table-scroll' }, h('p', {}, '불러오는 중…'));
  const printTitle = h('p', { class: 'print-only' });
  root.append(
    h('div', { class: 'day-controls' }, h('div', { class: 'field' }, h('label', { for: 'day' }, '날짜'), dateInput), csv, print),
    status,
    printTitle,
    tableBox,
  );

  async function load(date?: string): Promise<void> {
    try {
      const list = await api<DayList>('GET', `/clinic/appointments${date ? `?date=${encodeURIComponent(date)}` : ''}`);
      dateInput.value = list.date;
      csv.setAttribute('href', `/api/v1/clinic/appointments.csv?date=${encodeURIComponent(list.date)}`);
      printTitle.textContent = `${list.institutionId} · ${list.date} 접종 명단 (${num(list.appointments.length)}건)`;
      replace(tableBox, table(list));
      onLoaded(list);
    } catch (error) {
      replace(tableBox, h('p', { class: 'error-text', role: 'alert' }, error instanceof ApiError ? error.message : String(error)));
    }
  }

  async function record(a: Appointment, outcome: 'given' | 'no-show'): Promise<void> {
    const who = `${a.time ?? '잔여 백신'} ${a.personMaskedName}`;
    try {
      await api('POST', `/clinic/appointments/${encodeURIComponent(a.id)}/${outcome}`);
      status.className = 'ok-text';
      status.textContent = `${who}: ${outcome === 'given' ? '접종 완료' : '미접종(노쇼)'}로 기록했습니다.`;
    } catch (error) {
      status.className = 'error-text';
      status.textContent = `${who}: ${error instanceof ApiError ? error.message : String(error)}`;
    }
    await load(dateInput.value);
  }

  function table(list: DayList): HTMLElement {
    if (list.appointments.length === 0) return h('p', {}, `${list.date}에는 예약이 없습니다.`);
    return h(
      'table',
      { class: 'appointments' },
      h('caption', {}, `${list.date} 접종 명단 ${num(list.appointments.length)}건`),
      h(
        'thead',
        {},
        h('tr', {}, ...['시간', '구분', '차수', '예약번호', '이름', '출생연도', '백신', '상태', '처리'].map((t) => h('th', { scope: 'col' }, t))),
      ),
      h(
        'tbody',
        {},
        ...list.appointments.map((a) => {
          const row = h(
            'tr',
            { 'data-appointment': a.id },
            h('td', {}, a.time ?? '–'),
            h('td', {}, a.kind === 'leftover' ? '잔여 백신' : '사전예약'),
            h('td', {}, a.dose === null ? '–' : `${a.dose}차`),
            h('td', {}, a.code ?? '–'),
            h('th', { scope: 'row' }, a.personMaskedName),
            h('td', {}, a.birthYear),
            h('td', {}, a.vaccine),
            h('td', { class: `status-${a.status}` }, STATUS_WORDS[a.status] ?? a.status),
            h('td', {}, a.status === 'booked' ? outcomeButtons(a) : null),
          );
          return row;
        }),
      ),
    );
  }

  function outcomeButtons(a: Appointment): HTMLElement {
    const label = `${a.time ?? '잔여 백신'} ${a.personMaskedName}`;
    const given = h('button', { type: 'button', class: 'small', 'aria-label': `${label} 접종 완료` }, '접종 완료');
    const noShow = h('button', { type: 'button', class: 'small secondary', 'aria-label': `${label} 미접종(노쇼)` }, '미접종(노쇼)');
    given.addEventListener('click', () => void record(a, 'given'));
    noShow.addEventListener('click', () => void record(a, 'no-show'));
    return h('div', { class: 'buttons' }, given, noShow);
  }

  dateInput.addEventListener('change', () => {
    if (dateInput.value) void load(dateInput.value);
  });
  void load();
}
