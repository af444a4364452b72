import { setupLanguage } from '../../shared/i18n.ts';

/** English for the header, footer and busy banner that every citizen page shares. */
const COMMON_EN: Record<string, string> = {
  skip: 'Skip to content',
  brand: 'Yeyak · Vaccine booking',
  'nav.label': 'Main',
  'nav.bookings': 'My bookings',
  'nav.family': 'Family',
  'nav.leftovers': 'Leftover doses',
  footer: 'If a smartphone is hard to use, the call centre books for you by phone. Every time shown is by the server’s clock (Korea time).',
};

/** Starts a page: its text in the chosen language, and the language button redrawing what the page drew itself. */
export function startPage(english: Record<string, string>, redraw: () => void = () => {}): void {
  frame();
  setupLanguage({ ...COMMON_EN, ...english }, redraw);
}

/** The element with this id (the page's HTML is ours, so a missing one is a bug worth a clear error). */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} missing`);
  return el as T;
}

/** A new element with text (never HTML: nothing from the network is parsed as markup). */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

/** Shows "busy, retrying in N s" while the API client waits out a 429/503 by itself. */
export function busyNotice(message: (seconds: number) => string): (seconds: number) => void {
  return (seconds) => {
    const box = document.getElementById('busy');
    if (!box) return;
    box.hidden = seconds <= 0;
    box.textContent = seconds > 0 ? message(seconds) : '';
  };
}

/** The header (brand, links, language), the busy banner and the footer, the same on every page. */
function frame(): void {
  const skip = el('a', '본문 바로가기', 'skip');
  skip.href = '#main';
  skip.dataset.t = 'skip';
  const header = el('header', undefined, 'bar');
  const brand = el('a', '예약 · 백신 사전예약', 'brand');
  brand.href = '/';
  brand.dataset.t = 'brand';
  const nav = el('nav');
  nav.setAttribute('aria-label', '주요 메뉴');
  nav.dataset.tLabel = 'nav.label';
  const bookings = el('a', '내 예약');
  bookings.href = '/bookings/';
  bookings.dataset.t = 'nav.bookings';
  const family = el('a', '가족');
  family.href = '/family/';
  family.dataset.t = 'nav.family';
  const lang = el('button', 'English');
  lang.id = 'lang';
  lang.type = 'button';
  const leftovers = el('a', '잔여 백신');
  leftovers.href = '/leftovers/';
  leftovers.dataset.t = 'nav.leftovers';
  nav.append(bookings, family, leftovers, lang);
  header.append(brand, nav);
  const busy = el('div', undefined, 'busy');
  busy.id = 'busy';
  busy.setAttribute('role', 'status');
  busy.hidden = true;
  const footer = el('footer');
  const note = el('p', '스마트폰이 어려우시면 콜센터에서 전화로 예약해 드립니다. 화면의 모든 시각은 서버 시계(한국 시간) 기준입니다.');
  note.dataset.t = 'footer';
  footer.append(note);
  document.body.prepend(skip, header, busy);
  document.body.append(footer);
}
