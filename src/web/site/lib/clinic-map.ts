import { api } from '../../shared/api.ts';
import { inLang } from '../../shared/i18n.ts';
import { project, shapesOf, type Shape, type Topology } from './topojson.ts';

const SVG = 'http://www.w3.org/2000/svg';
let shapes: Promise<Shape[]> | null = null;

/** The provinces' outlines, fetched once (a static file of our own, ~70 KB gzipped) and only when the map is opened. */
function provinceShapes(): Promise<Shape[]> {
  shapes ??= api<Topology>('GET', '/map/sido.topo.json').then(shapesOf);
  return shapes;
}

export interface MapPoint {
  id: string;
  name: string;
  lat: number;
  lng: number;
}

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

/**
 * Draws the country's provinces and the listed clinics as dots, zoomed to the clinics (and the
 * person, when searching near them). Each dot is a link to the clinic in the list below, so the
 * map works by keyboard and screen reader too. Credit as the data's licence asks.
 */
export async function drawClinicMap(box: HTMLElement, points: MapPoint[], me: { lat: number; lng: number } | null): Promise<void> {
  const provinces = await provinceShapes();
  const all = [...points, ...(me ? [{ ...me, id: '', name: '' }] : [])].map((p) => project(p.lat, p.lng));
  const xs = all.map(([x]) => x);
  const ys = all.map(([, y]) => y);
  // Without points, the whole country (124.5–132 E, 33–38.7 N).
  const [minX, maxX, minY, maxY] = all.length ? [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)] : [...[124.5, 132].map((lng) => project(0, lng)[0]), ...[38.7, 33].map((lat) => project(lat, 0)[1])] as [number, number, number, number];
  // At least ~30 km across, so a few clinics in one district still show their surroundings.
  const pad = Math.max(0.12, (maxX - minX) * 0.15, (maxY - minY) * 0.15);
  const width = maxX - minX + 2 * pad;
  const height = maxY - minY + 2 * pad;
  const unit = Math.max(width, height) / 100;
  const label = inLang({ ko: `지도: 의료기관 ${points.length}곳`, en: `Map: ${points.length} clinics` });
  const map = svg('svg', { viewBox: `${minX - pad} ${minY - pad} ${width} ${height}`, class: 'map', role: 'group', 'aria-label': label });
  for (const p of provinces) {
    const path = svg('path', { d: p.d, 'stroke-width': unit * 0.3 });
    path.setAttribute('aria-hidden', 'true');
    map.append(path);
  }
  for (const p of points) {
    const [cx, cy] = project(p.lat, p.lng);
    const link = svg('a', { href: `#clinic-${p.id}`, 'aria-label': p.name });
    const dot = svg('circle', { cx, cy, r: unit * 1.6, 'stroke-width': unit * 0.4 });
    const title = svg('title', {});
    title.textContent = p.name;
    dot.append(title);
    link.append(dot);
    map.append(link);
  }
  if (me) {
    const [cx, cy] = project(me.lat, me.lng);
    const dot = svg('circle', { cx, cy, r: unit * 1.4, class: 'me', 'stroke-width': unit * 0.4 });
    dot.setAttribute('aria-hidden', 'true');
    map.append(dot);
  }
  const credit = document.createElement('p');
  credit.className = 'hint';
  credit.textContent = inLang({ ko: '경계: 통계청 통계지리정보서비스 (2018). 파란 점은 내 위치입니다.', en: 'Boundaries: Statistics Korea SGIS (2018). The blue dot is you.' });
  box.replaceChildren(map, credit);
}
