/**
 * The HTML that several pages share, written once here. A page in `public/` names a part with
 * `<!-- include: <name> key="value" … -->`; `web-assets.ts` puts the part in its place when it
 * reads the page at start, so the served HTML is whole — without JavaScript too — and the browser
 * never sees a marker. Values are plain text, escaped where they land.
 */
export interface PagePart {
  /** The attributes the marker must give. */
  required: readonly string[];
  /** The attributes it may give. */
  optional?: readonly string[];
  render(attributes: Readonly<Record<string, string>>): string;
}

/** Text made safe for an HTML text node or a double-quoted attribute. */
function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function attribute(attributes: Readonly<Record<string, string>>, name: string): string {
  return escapeHtml(attributes[name] ?? '');
}

/**
 * The opening every page has: Korean first, a phone-sized viewport, the icon, and the web app
 * manifest (`site/public/`), whose theme colour is the site's brand blue (`--brand` in site.css).
 */
const DOCUMENT_START = `<!doctype html>
<html lang="ko">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="theme-color" content="#0b4fb3">
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="manifest" href="/manifest.webmanifest">`;

const PAGE_PARTS: Readonly<Record<string, PagePart>> = {
  /**
   * A citizen page's head, up to `<body>`: the title (which `data-t="title"` lets the language
   * button switch), the site stylesheet and the page's own script (`script` names its entry).
   */
  'site-head': {
    required: ['title', 'script'],
    render: (a) => `${DOCUMENT_START}
<title data-t="title">${attribute(a, 'title')}</title>
<link rel="stylesheet" href="/site.css">
<script type="module" src="{{asset:${attribute(a, 'script')}}}"></script>
</head>
<body>`,
  },
  /**
   * The operator console's and the clinic portal's head and the start of their top bar (skip link
   * and brand): both use the console's stylesheet and their own `main.js`; `stylesheet` adds one more.
   */
  'staff-head': {
    required: ['title'],
    optional: ['stylesheet'],
    render: (a) => `${DOCUMENT_START}
<title>${attribute(a, 'title')}</title>
<link rel="stylesheet" href="/console/console.css">${a.stylesheet === undefined ? '' : `\n<link rel="stylesheet" href="${attribute(a, 'stylesheet')}">`}
<script type="module" src="{{asset:main.js}}"></script>
</head>
<body>
<a class="skip" href="#main">본문으로 건너뛰기</a>
<header>
<p class="brand">${attribute(a, 'title')}</p>`,
  },
  /**
   * The near-me button and the typed-place form of the clinic search and the leftovers page,
   * wired by `site/lib/near-search.ts` (which also holds their English).
   */
  'near-search-form': {
    required: [],
    render: () => `<button id="near-me" class="secondary wide" type="button" data-t="f.nearMe">내 위치 주변에서 찾기</button>
<form id="place-form" novalidate>
<label for="place" data-t="f.place">동네 이름으로 찾기 (예: 수원, 해운대)</label>
<input id="place" type="search" autocomplete="off" maxlength="30">
<button class="secondary wide" type="submit" data-t="f.placeGo">이 동네 주변 찾기</button>
</form>`,
  },
};

const INCLUDE = /<!--\s*include:\s*([\w-]+)((?:\s+[\w-]+="[^"]*")*)\s*-->/g;
const ATTRIBUTE = /([\w-]+)="([^"]*)"/g;

/**
 * Replaces every include marker in `html` with its part. A marker naming no part, missing or
 * misspelling an attribute, or not well formed stops the start with the page's `path`: a page
 * must never be served half-built.
 */
export function expandIncludes(html: string, path: string, parts: Readonly<Record<string, PagePart>> = PAGE_PARTS): string {
  const expanded = html.replace(INCLUDE, (_marker, name: string, attributeText: string) => {
    const part = Object.hasOwn(parts, name) ? parts[name] : undefined;
    if (!part) throw new Error(`web: ${path} includes an unknown part ${name}`);
    const attributes: Record<string, string> = Object.fromEntries([...attributeText.matchAll(ATTRIBUTE)].map((m) => [m[1], m[2]]));
    const known = [...part.required, ...(part.optional ?? [])];
    const unknown = Object.keys(attributes).filter((key) => !known.includes(key));
    const missing = part.required.filter((key) => !Object.hasOwn(attributes, key));
    if (unknown.length > 0 || missing.length > 0) {
      throw new Error(`web: ${path} includes ${name} with ${[...missing.map((k) => `no ${k}`), ...unknown.map((k) => `an unknown ${k}`)].join(', ')}`);
    }
    return part.render(attributes);
  });
  if (/<!--\s*include:/.test(expanded)) throw new Error(`web: ${path} has an include marker that is not well formed`);
  return expanded;
}
