// Clinic search: by province and municipality, near the person (geolocation) or near a place they
// type; a list with the doses left per date and an offline map. Needs the waiting room's admission.
import { api } from '../shared/api.ts';
import { showError } from '../shared/error-words.ts';
import { fill, inLang, lang } from '../shared/i18n.ts';
import { formatDate } from '../shared/format.ts';
import { drawClinicMap } from './lib/clinic-map.ts';
import { currentFlow, flowHref, rememberClinic } from './lib/flow.ts';
import { showProblem } from './lib/next-step.ts';
import { busyNotice, byId, el, startPage } from './lib/page.ts';
import { loadRegions, type SidoInfo } from './lib/regions.ts';
import { NEAR_SEARCH_EN, wireNearSearch } from './lib/near-search.ts';

const EN: Record<string, string> = {
  title: 'Find a clinic — Yeyak',
  h1: 'Find a clinic',
  intro: 'Choose an area or search near you. You can see how many doses are left on each date.',
  'where.h': 'Where would you like your vaccine?',
  'f.sido': 'Province or city',
  'f.choose': 'Choose',
  'f.sigungu': 'District',
  'f.all': 'All',
  or: 'or',
  ...NEAR_SEARCH_EN,
  'view.label': 'View',
  'view.list': 'List',
  'view.map': 'Map',
  more: 'Show more',
};

const M = {
  ko: {
    pick: '지역을 고르면 의료기관이 나옵니다.',
    found: '의료기관 {n}곳{more}',
    moreHint: ' (더 있음)',
    none: '조건에 맞는 의료기관이 없습니다. 다른 지역을 골라 보세요.',
    near: '{place} 주변',
    me: '내 위치',
    noPlace: '“{q}” 지역을 찾지 못했습니다. 시·군·구 이름으로 입력해 주세요.',
    noGeo: '위치를 확인할 수 없습니다. 지역을 직접 골라 주세요.',
    left: '{date} 잔여 {n}',
    full: '{date} 마감',
    choose: '이 의료기관 선택',
    km: '{km} km',
    dosesLabel: '날짜별 남은 백신',
    moreDates: '외 {n}일',
    busy: '접속자가 많아 {s}초 뒤 자동으로 다시 시도합니다.',
  },
  en: {
    pick: 'Choose an area to see clinics.',
    found: '{n} clinics{more}',
    moreHint: ' (more available)',
    none: 'No clinic matches. Try another area.',
    near: 'near {place}',
    me: 'you',
    noPlace: 'No place called “{q}” was found. Type a city or district name.',
    noGeo: 'Your location is not available. Please choose an area.',
    left: '{date}: {n} left',
    full: '{date}: full',
    choose: 'Choose this clinic',
    km: '{km} km',
    dosesLabel: 'Doses left by date',
    moreDates: '+{n} more dates',
    busy: 'Many people are connected; trying again in {s} s.',
  },
};

interface Clinic {
  id: string;
  name: string;
  address: string;
  sido: string;
  sigungu: string;
  lat: number;
  lng: number;
  distanceKm: number | null;
  dates: { date: string; remaining: number }[];
}

const flow = currentFlow();
const onBusy = busyNotice((s) => fill(inLang(M).busy, { s }));
let regions: SidoInfo[] = [];
let query: Record<string, string> | null = null;
let nearLabel: string | null = null;
let me: { lat: number; lng: number } | null = null;
let clinics: Clinic[] = [];
let next: string | null = null;
let showMap = false;

function drawRegions(): void {
  const sido = byId<HTMLSelectElement>('sido');
  const chosen = sido.value;
  const first = sido.options[0];
  sido.replaceChildren(...(first ? [first] : []), ...regions.map((s) => Object.assign(el('option', lang() === 'en' ? s.nameEn : s.name), { value: s.name })));
  sido.value = chosen;
  drawSigungu();
}

function drawSigungu(): void {
  const sido = regions.find((s) => s.name === byId<HTMLSelectElement>('sido').value);
  const select = byId<HTMLSelectElement>('sigungu');
  const chosen = select.value;
  const first = select.options[0];
  select.replaceChildren(...(first ? [first] : []), ...(sido?.sigungu ?? []).map((g) => Object.assign(el('option', lang() === 'en' ? g.nameEn : g.name), { value: g.name })));
  select.disabled = !sido;
  select.value = chosen;
}

function clinicItem(c: Clinic): HTMLLIElement {
  const m = inLang(M);
  const li = el('li', undefined, 'card');
  li.id = `clinic-${c.id}`;
  li.tabIndex = -1;
  li.append(el('h3', c.name));
  li.append(el('p', [c.address, c.distanceKm === null ? null : fill(m.km, { km: c.distanceKm.toFixed(1) })].filter(Boolean).join(' · '), 'muted'));
  const chips = el('ul', undefined, 'chips');
  chips.setAttribute('aria-label', m.dosesLabel);
  const shown = c.dates.slice(0, 6);
  for (const d of shown) chips.append(el('li', fill(d.remaining > 0 ? m.left : m.full, { date: formatDate(d.date), n: d.remaining }), d.remaining > 0 ? undefined : 'none'));
  if (c.dates.length > shown.length) chips.append(el('li', fill(m.moreDates, { n: c.dates.length - shown.length })));
  li.append(chips);
  const go = el('a', m.choose, 'button wide');
  go.href = flowHref('/slots/', { i: c.id });
  go.addEventListener('click', () => rememberClinic(c));
  li.append(go);
  return li;
}

function drawResults(): void {
  const m = inLang(M);
  const list = byId('results');
  list.replaceChildren(...clinics.map(clinicItem));
  byId('more').hidden = next === null;
  const where = nearLabel ? `${fill(m.near, { place: nearLabel })} · ` : '';
  byId('summary').textContent = query === null ? m.pick : clinics.length === 0 ? m.none : where + fill(m.found, { n: clinics.length, more: next ? m.moreHint : '' });
  byId('map-box').hidden = !showMap;
  if (showMap) void drawClinicMap(byId('map-box'), clinics, me).catch((error: unknown) => showError(byId('error'), error));
}

async function search(params: Record<string, string>, append = false): Promise<void> {
  byId('error').hidden = true;
  query = params;
  const q = new URLSearchParams({ ...params, limit: '20' });
  if (append && next) q.set('cursor', next);
  try {
    const page = await api<{ items: Clinic[]; next: string | null }>('GET', `/api/v1/campaigns/${encodeURIComponent(flow.campaignId ?? '')}/institutions?${q}`, { onBusy });
    clinics = append ? [...clinics, ...page.items] : page.items;
    next = page.next;
    drawResults();
  } catch (error) {
    showProblem(error);
  }
}

function searchRegion(): void {
  const sido = byId<HTMLSelectElement>('sido').value;
  const sigungu = byId<HTMLSelectElement>('sigungu').value;
  nearLabel = null;
  me = null;
  if (!sido) return;
  void search(sigungu ? { sido, sigungu } : { sido });
}

function searchNear(lat: number, lng: number, label: string): void {
  me = { lat, lng };
  nearLabel = label;
  void search({ near: `${lat.toFixed(5)},${lng.toFixed(5)}` });
}

function setView(map: boolean): void {
  showMap = map;
  byId('view-list').setAttribute('aria-pressed', String(!map));
  byId('view-map').setAttribute('aria-pressed', String(map));
  drawResults();
}

startPage(EN, () => {
  drawRegions();
  drawResults();
});
byId('sido').addEventListener('change', () => {
  byId<HTMLSelectElement>('sigungu').value = '';
  drawSigungu();
  searchRegion();
});
byId('sigungu').addEventListener('change', searchRegion);
wireNearSearch(() => regions, () => inLang(M), searchNear);

byId('view-list').addEventListener('click', () => setView(false));
byId('view-map').addEventListener('click', () => setView(true));
byId('more').addEventListener('click', () => void (query && search(query, true)));
drawResults();
loadRegions()
  .then((r) => {
    regions = r;
    drawRegions();
  })
  .catch((error: unknown) => showError(byId('error'), error))
  .finally(() => {
    byId('main').dataset.ready = '1';
  });
