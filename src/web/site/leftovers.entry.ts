// Today's leftover doses: offers near the device's location or a typed place, a book button per
// offer (for oneself only, one a day, first come first served), and plain words when someone
// else took the last dose first. Needs a session (sign-in), not the waiting room.
import { api, ApiError, newIdempotencyKey } from '../shared/api.ts';
import { fill, inLang } from '../shared/i18n.ts';
import { alertToggle, drawAlertList, loadAlerts } from './lib/leftover-alerts.ts';
import { showProblem } from './lib/next-step.ts';
import { busyNotice, byId, el, startPage } from './lib/page.ts';
import { loadRegions, type SidoInfo } from './lib/regions.ts';
import { NEAR_SEARCH_EN, wireNearSearch } from './lib/near-search.ts';

const EN: Record<string, string> = {
  title: 'Leftover doses today — Yeyak',
  h1: 'Leftover doses today',
  intro: 'Doses clinics have left over today. You can book one for yourself, once a day; the first to book gets it. Go to the clinic on the same day.',
  'where.h': 'Near where?',
  ...NEAR_SEARCH_EN,
  'alerts.h': 'Leftover alerts',
  'alerts.hint': 'When a clinic you choose publishes leftover doses, we send you a text message. Up to five clinics.',
};

const M = {
  ko: {
    pick: '위치를 알려 주시면 주변의 잔여 백신이 나옵니다.',
    found: '{place} 주변 잔여 백신이 있는 의료기관 {n}곳',
    none: '{place} 주변 {km} km 안에는 오늘 남은 백신이 없습니다.',
    me: '내 위치',
    noPlace: '“{q}” 지역을 찾지 못했습니다. 시·군·구 이름으로 입력해 주세요.',
    noGeo: '위치를 확인할 수 없습니다. 동네 이름으로 찾아 주세요.',
    left: '{vaccine} · {n}회분 남음',
    soldOut: '{vaccine} · 마감',
    km: '{km} km',
    book: '{name}에서 예약',
    booked: '{name}에서 {vaccine} 잔여 백신을 예약했습니다. 오늘 의료기관에 방문해 주세요.',
    mine: '오늘 예약한 잔여 백신: {name} · {vaccine} ({date})',
    busy: '접속자가 많아 {s}초 뒤 자동으로 다시 시도합니다.',
  },
  en: {
    pick: 'Tell us where you are to see leftover doses nearby.',
    found: 'Clinics with leftover doses near {place}: {n}',
    none: 'No leftover doses today within {km} km of {place}.',
    me: 'you',
    noPlace: 'No place called “{q}” was found. Type a city or district name.',
    noGeo: 'Your location is not available. Search by place name.',
    left: '{vaccine} · {n} left',
    soldOut: '{vaccine} · sold out',
    km: '{km} km',
    book: 'Book at {name}',
    booked: 'You have booked a leftover {vaccine} dose at {name}. Please go to the clinic today.',
    mine: 'Leftover dose booked today: {name} · {vaccine} ({date})',
    busy: 'Many people are connected; trying again in {s} s.',
  },
};

const RADIUS_KM = 10;

interface Offer {
  offerId: string;
  institutionId: string;
  name: string;
  address: string;
  vaccine: string;
  remaining: number;
  distanceKm: number;
}

interface MyLeftover {
  id: string;
  institutionName: string;
  vaccine: string;
  date: string;
  status: string;
}

const onBusy = busyNotice((s) => fill(inLang(M).busy, { s }));
let regions: SidoInfo[] = [];
let searched: { lat: number; lng: number; label: string } | null = null;
let offers: Offer[] = [];
let mine: MyLeftover[] = [];
/** Offers this page learnt are sold out (the list is not reloaded behind the person's back). */
const soldOut = new Set<string>();
/** The last error shown, redrawn in the other language when the person switches. */
let lastError: unknown = null;

function problem(error: unknown): void {
  lastError = error;
  showProblem(error);
}

function clearProblem(): void {
  lastError = null;
  byId('error').hidden = true;
}

function offerItem(o: Offer): HTMLLIElement {
  const m = inLang(M);
  const gone = soldOut.has(o.offerId) || o.remaining <= 0;
  const li = el('li', undefined, 'card');
  li.append(el('h2', o.name));
  li.append(el('p', `${o.address} · ${fill(m.km, { km: o.distanceKm.toFixed(1) })}`, 'muted'));
  li.append(el('p', fill(gone ? m.soldOut : m.left, { vaccine: o.vaccine, n: o.remaining }), gone ? 'notice' : 'big'));
  if (!gone) {
    const book = el('button', fill(m.book, { name: o.name }), 'wide');
    book.type = 'button';
    book.addEventListener('click', () => void bookOffer(o, book));
    li.append(book);
  }
  li.append(alertToggle(o.institutionId, o.name));
  return li;
}

function draw(): void {
  const m = inLang(M);
  byId('mine').replaceChildren(
    ...mine.filter((b) => b.status === 'booked').map((b) => el('li', fill(m.mine, { name: b.institutionName, vaccine: b.vaccine, date: b.date }), 'card notice')),
  );
  byId('results').replaceChildren(...offers.map(offerItem));
  const place = searched ? searched.label : '';
  drawAlertList();
  if (lastError !== null) showProblem(lastError);
  byId('summary').textContent = searched === null ? m.pick : offers.length === 0 ? fill(m.none, { place, km: RADIUS_KM }) : fill(m.found, { place, n: offers.length });
}

async function loadMine(): Promise<void> {
  mine = await api<MyLeftover[]>('GET', '/api/v1/me/leftover-bookings', { onBusy });
}

async function search(lat: number, lng: number, label: string): Promise<void> {
  clearProblem();
  searched = { lat, lng, label };
  const q = new URLSearchParams({ near: `${lat.toFixed(5)},${lng.toFixed(5)}`, radiusKm: String(RADIUS_KM) });
  try {
    offers = (await api<{ items: Offer[] }>('GET', `/api/v1/leftovers?${q}`, { onBusy })).items;
    draw();
  } catch (error) {
    problem(error);
  }
}

/** One key per offer, kept for the session: pressing again (or a retry after a lost answer) is the same request. */
function idempotencyKeyFor(offerId: string): string {
  const name = `yeyak.idem.leftover|${offerId}`;
  const known = sessionStorage.getItem(name);
  if (known) return known;
  const key = newIdempotencyKey();
  sessionStorage.setItem(name, key);
  return key;
}

async function bookOffer(o: Offer, button: HTMLButtonElement): Promise<void> {
  clearProblem();
  byId('status').textContent = '';
  button.disabled = true;
  try {
    await api('POST', `/api/v1/leftovers/${encodeURIComponent(o.offerId)}/bookings`, { headers: { 'idempotency-key': idempotencyKeyFor(o.offerId) }, onBusy });
    await loadMine().catch(() => {});
    o.remaining = Math.max(0, o.remaining - 1);
    draw();
    byId('status').textContent = fill(inLang(M).booked, { name: o.name, vaccine: o.vaccine });
  } catch (error) {
    if (error instanceof ApiError && (error.code === 'YEYAK_ERR_LEFTOVER_SOLD_OUT' || error.code === 'YEYAK_ERR_LEFTOVER_NOT_FOUND')) {
      soldOut.add(o.offerId);
      draw();
    } else {
      button.disabled = false;
    }
    problem(error);
    byId('error').focus();
  }
}

startPage(EN, draw);
byId('error').tabIndex = -1;
wireNearSearch(() => regions, () => inLang(M), (lat, lng, label) => void search(lat, lng, label));

draw();
Promise.all([
  loadRegions().then((r) => {
    regions = r;
  }),
  loadMine(),
  loadAlerts(draw),
])
  .then(draw)
  .catch(problem)
  .finally(() => {
    byId('main').dataset.ready = '1';
  });
