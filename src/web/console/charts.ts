/**
 * The dashboard's charts, drawn as SVG by these few functions (no chart library: a line of recent
 * values and a set of bars are all it needs). Each chart is a <figure> whose caption says the
 * latest value in words, and whose SVG has a text alternative, so the figures are not only visual.
 */
import { h, num, replace, svg, uid } from './dom.ts';

interface Series {
  label: string;
  /** CSS class giving the line its colour (`series-a`, `series-b`). */
  className: string;
  values: number[];
}

const WIDTH = 320;
const HEIGHT = 130;
const PLOT = { left: 44, right: WIDTH - 6, top: 10, bottom: HEIGHT - 18 };

/** A round number at or above `value` (1, 2, 5 × 10^n), so the axis reads well. */
function niceCeiling(value: number): number {
  if (value <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}

/** x/y positions of values in the plot, newest at the right edge, `capacity` points across. */
function linePoints(values: readonly number[], capacity: number, max: number): string {
  const span = PLOT.right - PLOT.left;
  const height = PLOT.bottom - PLOT.top;
  const offset = capacity - values.length;
  return values
    .map((v, i) => {
      const x = PLOT.left + ((offset + i) / Math.max(1, capacity - 1)) * span;
      const y = PLOT.bottom - (Math.max(0, v) / max) * height;
      return `${x.toFixed(1)},${y.toFixed(1)}`;
    })
    .join(' ');
}

export interface LineChart {
  element: HTMLElement;
  update(series: Series[]): void;
}

/** A line chart of the last `capacity` values of one or more series. */
export function lineChart(title: string, unit: string, capacity: number, digits = 0): LineChart {
  const titleId = uid('chart-title');
  const caption = h('figcaption', { id: titleId });
  const drawing = svg('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', 'aria-labelledby': titleId, class: 'chart' });
  const element = h('figure', { class: 'chart-figure' }, caption, drawing);
  const update = (series: Series[]) => {
    const all = series.flatMap((s) => s.values);
    const max = niceCeiling(Math.max(0, ...all));
    const latest = series.map((s) => `${s.label} ${num(s.values.at(-1) ?? 0, digits)}${unit}`).join(', ');
    replace(caption, h('span', { class: 'chart-title' }, title), h('span', { class: 'chart-latest' }, latest));
    element.dataset.latest = String(series[0]?.values.at(-1) ?? 0);
    element.dataset.max = String(Math.max(0, ...(series[0]?.values ?? [])));
    replace(
      drawing,
      ...[0, 0.5, 1].map((f) => {
        const y = PLOT.bottom - f * (PLOT.bottom - PLOT.top);
        return svg('g', {}, svg('line', { x1: PLOT.left, x2: PLOT.right, y1: y, y2: y, class: 'grid' }), svg('text', { x: PLOT.left - 4, y: y + 4, class: 'axis', 'text-anchor': 'end' }, num(max * f, max < 10 ? 1 : 0)));
      }),
      svg('text', { x: PLOT.left, y: HEIGHT - 4, class: 'axis' }, `${capacity}초 전`),
      svg('text', { x: PLOT.right, y: HEIGHT - 4, class: 'axis', 'text-anchor': 'end' }, '지금'),
      ...series.map((s) => svg('polyline', { points: linePoints(s.values, capacity, max), class: `line ${s.className}` })),
    );
  };
  update([]);
  return { element, update };
}

interface Bar {
  label: string;
  value: number;
  total: number;
}

export interface BarChart {
  element: HTMLElement;
  /** `note` is added to the caption (e.g. when the figures were read). */
  update(bars: Bar[], note?: string): void;
}

/** Horizontal bars: each bar's filled part is `value`, its track `total` (remaining of capacity). */
export function barChart(title: string): BarChart {
  const titleId = uid('chart-title');
  const caption = h('figcaption', { id: titleId });
  const drawing = svg('svg', { role: 'img', 'aria-labelledby': titleId, class: 'chart chart-bars' });
  const element = h('figure', { class: 'chart-figure chart-wide' }, caption, drawing);
  const update = (bars: Bar[], note?: string) => {
    const sum = bars.reduce((s, b) => s + b.value, 0);
    replace(caption, h('span', { class: 'chart-title' }, title), h('span', { class: 'chart-latest' }, `합계 ${num(sum)}회분${note ? ` · ${note}` : ''}`));
    element.dataset.latest = String(sum);
    const rowHeight = 20;
    // Wide enough that the text keeps its size when the figure spans a desk screen.
    const width = 960;
    const labelWidth = 150;
    const valueWidth = 110;
    const track = width - labelWidth - valueWidth;
    const max = Math.max(1, ...bars.map((b) => b.total));
    drawing.setAttribute('viewBox', `0 0 ${width} ${Math.max(1, bars.length) * rowHeight + 4}`);
    replace(
      drawing,
      ...bars.map((b, i) => {
        const y = i * rowHeight + 2;
        return svg(
          'g',
          {},
          svg('title', {}, `${b.label}: 잔여 ${num(b.value)} / ${num(b.total)}회분`),
          svg('text', { x: 0, y: y + 14, class: 'axis bar-label' }, b.label),
          svg('rect', { x: labelWidth, y: y + 3, width: ((b.total / max) * track).toFixed(1), height: rowHeight - 6, class: 'bar-track' }),
          svg('rect', { x: labelWidth, y: y + 3, width: ((Math.max(0, b.value) / max) * track).toFixed(1), height: rowHeight - 6, class: 'bar-fill' }),
          svg('text', { x: width, y: y + 14, class: 'axis', 'text-anchor': 'end' }, num(b.value)),
        );
      }),
    );
  };
  update([]);
  return { element, update };
}
