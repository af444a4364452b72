/**
 * Korean first, English on request. Static text lives in the HTML in Korean (`data-t="key"`);
 * each page brings the English for its keys and the dynamic messages in both languages.
 */
export type Lang = 'ko' | 'en';

const STORAGE_KEY = 'yeyak.lang';

function stored(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

let current: Lang = (() => {
  const asked = new URLSearchParams(location.search).get('lang') ?? stored();
  return asked === 'en' ? 'en' : 'ko';
})();

/** The language the page is shown in. */
export function lang(): Lang {
  return current;
}

/** Picks this language's entry of a `{ko, en}` pair of dictionaries or strings. */
export function inLang<T>(both: { ko: T; en: T }): T {
  return both[current];
}

/** Fills `{name}` placeholders. */
export function fill(template: string, params: Record<string, string | number> = {}): string {
  return template.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

/** Puts the static text of the page in the current language (the Korean is kept from the HTML). */
function translateStatic(english: Record<string, string>, root: ParentNode = document): void {
  document.documentElement.lang = current;
  for (const el of Array.from(root.querySelectorAll<HTMLElement>('[data-t]'))) {
    el.dataset.ko ??= el.textContent ?? '';
    const key = el.dataset.t ?? '';
    el.textContent = current === 'en' ? (english[key] ?? el.dataset.ko) : el.dataset.ko;
  }
  for (const el of Array.from(root.querySelectorAll<HTMLElement>('[data-t-label]'))) {
    el.dataset.koLabel ??= el.getAttribute('aria-label') ?? '';
    const key = el.dataset.tLabel ?? '';
    el.setAttribute('aria-label', current === 'en' ? (english[key] ?? el.dataset.koLabel) : el.dataset.koLabel);
  }
}

/**
 * Wires the header's language button: it switches without reloading the page (the waiting page
 * must never reload), remembers the choice, and asks the page to redraw its dynamic text.
 */
export function setupLanguage(english: Record<string, string>, redraw: () => void): void {
  translateStatic(english);
  const button = document.getElementById('lang');
  if (!button) return;
  const label = () => {
    button.textContent = current === 'en' ? '한국어' : 'English';
    button.setAttribute('lang', current === 'en' ? 'ko' : 'en');
  };
  label();
  button.addEventListener('click', () => {
    current = current === 'en' ? 'ko' : 'en';
    try {
      localStorage.setItem(STORAGE_KEY, current);
    } catch {
      // Private mode: the choice lasts for this page only.
    }
    label();
    translateStatic(english);
    redraw();
  });
}
