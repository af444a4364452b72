/**
 * Line charts as standalone SVG files for the load and simulation reports: one or more series over
 * time, with axes, ticks and a legend. Hand-written because a chart is ~100 lines of markup and
 * every charting package pulls a browser canvas or a native renderer; any browser (or GitHub's
 * markdown viewer) shows the file, and Debian's chromium can turn it into a PNG.
 */

export interface Series {
  label: string;
  /** [x, y] points, x increasing. */
  points: [number, number][];
  color?: string;
}

export interface Chart {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  /** A vertical marker (e.g. the opening instant) at this x, with its label. */
  marker?: { x: number; label: string };
}

const WIDTH = 900;
const HEIGHT = 380;
const MARGIN = { left: 80, right: 20, top: 40, bottom: 50 };
const COLORS = ['#1f6feb', '#d1242f', '#1a7f37', '#9a6700', '#8250df'];

/** A round step for about `count` ticks over `span` (1, 2 or 5 × a power of ten). */
function niceStep(span: number, count: number): number {
  if (!(span > 0)) return 1;
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const scaled = raw / power;
  return (scaled <= 1 ? 1 : scaled <= 2 ? 2 : scaled <= 5 ? 5 : 10) * power;
}

/** 1,234 · 12.5k · 3.2M: short tick labels. */
function shortNumber(n: number): string {
  const abs = Math.abs(n);
  if (abs >= 1e6) return `${+(n / 1e6).toFixed(1)}M`;
  if (abs >= 1e4) return `${+(n / 1e3).toFixed(1)}k`;
  return `${+n.toFixed(2)}`;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Keeps at most `max` points (every k-th, plus the last) so a night of seconds stays a small file. */
function thin(points: [number, number][], max = 2000): [number, number][] {
  if (points.length <= max) return points;
  const every = Math.ceil(points.length / max);
  const kept = points.filter((_, i) => i % every === 0);
  const last = points[points.length - 1]!;
  if (kept[kept.length - 1] !== last) kept.push(last);
  return kept;
}

/** The chart as an SVG document. */
export function renderSvgChart(chart: Chart): string {
  const all = chart.series.flatMap((s) => s.points);
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  const xMin = xs.length ? Math.min(...xs, chart.marker?.x ?? Infinity) : 0;
  const xMax = xs.length ? Math.max(...xs, chart.marker?.x ?? -Infinity) : 1;
  const yMax = ys.length ? Math.max(...ys, 0) : 1;
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const xStep = niceStep(xMax - xMin, 8);
  const yStep = niceStep(yMax || 1, 5);
  const yTop = Math.max(yStep, Math.ceil((yMax || 1) / yStep) * yStep);
  const sx = (x: number) => MARGIN.left + ((x - xMin) / (xMax - xMin || 1)) * plotW;
  const sy = (y: number) => MARGIN.top + plotH - (y / yTop) * plotH;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`);
  parts.push(`<rect width="100%" height="100%" fill="#fff"/>`);
  parts.push(`<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(chart.title)}</text>`);
  for (let y = 0; y <= yTop + 1e-9; y += yStep) {
    parts.push(`<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${sy(y)}" y2="${sy(y)}" stroke="#eee"/>`);
    parts.push(`<text x="${MARGIN.left - 6}" y="${sy(y) + 4}" text-anchor="end">${shortNumber(y)}</text>`);
  }
  for (let x = Math.ceil(xMin / xStep) * xStep; x <= xMax + 1e-9; x += xStep) {
    parts.push(`<line x1="${sx(x)}" x2="${sx(x)}" y1="${MARGIN.top + plotH}" y2="${MARGIN.top + plotH + 5}" stroke="#333"/>`);
    parts.push(`<text x="${sx(x)}" y="${MARGIN.top + plotH + 18}" text-anchor="middle">${shortNumber(x)}</text>`);
  }
  parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}" stroke="#333"/>`);
  parts.push(`<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${MARGIN.top + plotH}" y2="${MARGIN.top + plotH}" stroke="#333"/>`);
  parts.push(`<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 10}" text-anchor="middle">${escapeXml(chart.xLabel)}</text>`);
  parts.push(`<text transform="translate(16 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(chart.yLabel)}</text>`);
  if (chart.marker) {
    const x = sx(chart.marker.x);
    parts.push(`<line x1="${x}" x2="${x}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}" stroke="#999" stroke-dasharray="4 3"/>`);
    parts.push(`<text x="${x + 4}" y="${MARGIN.top + 12}" fill="#666">${escapeXml(chart.marker.label)}</text>`);
  }
  chart.series.forEach((series, i) => {
    const color = series.color ?? COLORS[i % COLORS.length]!;
    const path = thin(series.points).map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ');
    if (path) parts.push(`<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${path}"/>`);
    const ly = MARGIN.top + 14 + i * 16;
    parts.push(`<rect x="${WIDTH - MARGIN.right - 200}" y="${ly - 9}" width="12" height="3" fill="${color}"/>`);
    parts.push(`<text x="${WIDTH - MARGIN.right - 183}" y="${ly - 4}">${escapeXml(series.label)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}
