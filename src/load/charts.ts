// The report's SVG charts: line charts over the batch sizes and the rate run's per-second bars,
// drawn at full page width with nice ticks and data labels kept off the ticks and each other.
import { htmlEscape } from '../util/printable.js';
import type { RateSecond } from './summary.js';

/** How every figure is printed, in the table and on the charts (tests find figures with it too). */
export function formatFigure(n: number): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: n >= 100 ? 0 : n >= 10 ? 1 : 2 });
}

/** HTML text: the suite's one printable-then-escape rule (src/util/printable.ts). */
export const esc = htmlEscape;

export interface Series {
  label: string;
  color: string;
  values: number[];
}

export const COLORS = ['#1f6feb', '#d4700a', '#b3261e'];

/** Tick values from 0 that cover `max` in about `count` steps of 1, 2 or 5 x 10^k (never 16.6, 33.2). */
export function niceTicks(max: number, count = 4): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * power >= raw) ?? 10) * power;
  const ticks: number[] = [];
  for (let v = 0; v < max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  if ((ticks.at(-1) ?? 0) < max) ticks.push(Number((ticks.length * step).toPrecision(12)));
  return ticks;
}

/** Chart geometry: wide viewBox scaled to the page width; points sit mid-category, clear of the axis ticks. */
const CHART = { width: 1200, height: 320, pad: { left: 80, right: 30, top: 44, bottom: 52 } };

/** Axes, grid and ticks of a chart over `categories`, and the x and y of a value. */
function frame(title: string, unit: string, xTitle: string, categories: string[], max: number) {
  const { width, height, pad } = CHART;
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const ticks = niceTicks(max);
  const top = ticks.at(-1) ?? 1;
  const slot = plotW / Math.max(1, categories.length);
  const x = (i: number) => pad.left + (i + 0.5) * slot;
  const y = (v: number) => pad.top + plotH - (v / top) * plotH;
  const parts: string[] = [`<text x="${pad.left}" y="22" class="title">${esc(title)}</text>`];
  for (const v of ticks) {
    parts.push(
      `<line x1="${pad.left}" x2="${width - pad.right}" y1="${y(v)}" y2="${y(v)}" class="grid"/>`,
      `<text x="${pad.left - 8}" y="${y(v) + 4}" text-anchor="end" class="tick">${esc(formatFigure(v))}</text>`,
    );
  }
  const every = Math.max(1, Math.ceil(categories.length / 30));
  categories.forEach((c, i) => {
    if (i % every === 0)
      parts.push(
        `<text x="${x(i)}" y="${height - pad.bottom + 18}" text-anchor="middle" class="tick">${esc(c)}</text>`,
      );
  });
  parts.push(
    `<text x="${pad.left + plotW / 2}" y="${height - 8}" text-anchor="middle" class="axis">${esc(xTitle)}</text>`,
    `<text x="16" y="${pad.top + plotH / 2}" text-anchor="middle" class="axis" transform="rotate(-90 16 ${pad.top + plotH / 2})">${esc(unit)}</text>`,
  );
  return { parts, x, y, slot };
}

function svg(title: string, parts: string[]): string {
  const { width, height } = CHART;
  return `<svg role="img" aria-label="${esc(title)}" viewBox="0 0 ${width} ${height}" width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">${parts.join('')}</svg>`;
}

function legend(series: { label: string; color: string }[]): string[] {
  const { width, pad } = CHART;
  return series.flatMap((s, si) => {
    const lx = width - pad.right - (series.length - si) * 110;
    return [
      `<rect x="${lx}" y="14" width="14" height="4" fill="${s.color}"/>`,
      `<text x="${lx + 20}" y="20" class="tick">${esc(s.label)}</text>`,
    ];
  });
}

/** A box in the chart's coordinates. */
interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

const overlaps = (a: Box, b: Box): boolean =>
  a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

/** Whether the segment from (x1, y1) to (x2, y2) crosses or touches the box. */
function segmentHits(x1: number, y1: number, x2: number, y2: number, r: Box): boolean {
  // Liang-Barsky clipping: the part of the segment inside the box is not empty.
  let t0 = 0;
  let t1 = 1;
  const dx = x2 - x1;
  const dy = y2 - y1;
  for (const [p, q] of [
    [-dx, x1 - r.x],
    [dx, r.x + r.w - x1],
    [-dy, y1 - r.y],
    [dy, r.y + r.h - y1],
  ] as const) {
    if (p === 0) {
      if (q < 0) return false;
      continue;
    }
    const t = q / p;
    if (p < 0) t0 = Math.max(t0, t);
    else t1 = Math.min(t1, t);
    if (t0 > t1) return false;
  }
  return true;
}

/** The box of a data label's text (class label, 11px) centred at x with its baseline at y, plus a margin. */
function labelBox(text: string, x: number, y: number): Box {
  const w = text.length * 6.6 + 6;
  return { x: x - w / 2, y: y - 11, w, h: 15 };
}

/**
 * A line chart over the batch sizes (equally spaced, as categories) with labelled points. Each label
 * takes the first place around its point (above, below, further above or below, right, left) that
 * stays inside the plot (clear of the axis ticks and the legend) and covers no other label, point or
 * line; a label with no such place is left out (the point's tooltip and the table carry the value).
 */
export function lineChart(title: string, unit: string, batchSizes: number[], series: Series[]): string {
  const max = Math.max(1e-9, ...series.flatMap((s) => s.values));
  const f = frame(title, unit, 'customers per request (batch size)', batchSizes.map(String), max);
  const { width, height, pad } = CHART;
  const plot: Box = {
    x: pad.left,
    y: pad.top - 8,
    w: width - pad.left - pad.right,
    h: height - pad.top - pad.bottom + 8,
  };
  const points = series.flatMap((s) => s.values.map((v, i) => ({ x: f.x(i), y: f.y(v) })));
  const segments = series.flatMap((s) =>
    s.values.slice(1).map((v, i) => [f.x(i), f.y(s.values[i] as number), f.x(i + 1), f.y(v)] as const),
  );
  series.forEach((s) => {
    const line = s.values.map((v, i) => `${f.x(i)},${f.y(v)}`).join(' ');
    f.parts.push(`<polyline points="${line}" fill="none" stroke="${s.color}" stroke-width="2"/>`);
    s.values.forEach((v, i) => {
      f.parts.push(
        `<circle cx="${f.x(i)}" cy="${f.y(v)}" r="4" fill="${s.color}"><title>${esc(`${s.label}, batch ${batchSizes[i]}: ${formatFigure(v)} ${unit}`)}</title></circle>`,
      );
    });
  });
  // Labels last, so they sit over the grid; each one only where it hides nothing.
  const placed: Box[] = [];
  const free = (box: Box): boolean =>
    box.x >= plot.x &&
    box.x + box.w <= plot.x + plot.w &&
    box.y >= plot.y &&
    box.y + box.h <= plot.y + plot.h &&
    !placed.some((p) => overlaps(p, box)) &&
    !points.some((p) => overlaps({ x: p.x - 5, y: p.y - 5, w: 10, h: 10 }, box)) &&
    !segments.some(([x1, y1, x2, y2]) => segmentHits(x1, y1, x2, y2, box));
  for (const s of [...series].reverse()) {
    s.values.forEach((v, i) => {
      const text = formatFigure(v);
      const x = f.x(i);
      const y = f.y(v);
      const half = labelBox(text, 0, 0).w / 2;
      const spots: [number, number][] = [
        [x, y - 10],
        [x, y + 18],
        [x, y - 24],
        [x, y + 32],
        [x + half + 8, y + 4],
        [x - half - 8, y + 4],
      ];
      for (const [lx, ly] of spots) {
        const box = labelBox(text, lx, ly);
        if (!free(box)) continue;
        placed.push(box);
        f.parts.push(`<text x="${lx}" y="${ly}" text-anchor="middle" class="label">${esc(text)}</text>`);
        break;
      }
    });
  }
  if (series.length > 1) f.parts.push(...legend(series));
  return svg(title, f.parts);
}

/** Stacked bars per second: accepted, refused (429) and failed requests of the rate run. */
export function timelineChart(timeline: RateSecond[]): string {
  const title = 'Requests per second over the run: accepted and refused (429)';
  const totals = timeline.map((t) => t.accepted + t.refused + t.failed);
  const f = frame(
    title,
    'requests/s',
    'seconds since the first request',
    timeline.map((t) => String(t.second)),
    Math.max(1, ...totals),
  );
  const w = Math.max(2, f.slot * 0.7);
  const kinds = [
    { key: 'accepted', label: 'accepted (2xx)', color: '#1a7f37' },
    { key: 'refused', label: 'refused (429)', color: '#d4700a' },
    { key: 'failed', label: 'failed', color: '#b3261e' },
  ] as const;
  timeline.forEach((t, i) => {
    let base = 0;
    for (const k of kinds) {
      const v = t[k.key];
      if (v === 0) continue;
      f.parts.push(
        `<rect x="${f.x(i) - w / 2}" y="${f.y(base + v)}" width="${w}" height="${f.y(base) - f.y(base + v)}" fill="${k.color}"><title>${esc(`second ${t.second}: ${v} ${k.label}`)}</title></rect>`,
      );
      base += v;
    }
  });
  f.parts.push(...legend(kinds.map((k) => ({ label: k.label, color: k.color }))));
  return svg(title, f.parts);
}
