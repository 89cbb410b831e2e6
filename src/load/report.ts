// report.html: one self-contained page (inline CSS and SVG, no script, no network) for a person
// choosing a campaign's batch size from a load run's figures.
import type { BatchFigures, LoadSummary, ThresholdResult } from './summary.js';

/** How every figure is printed, in the table and on the charts (tests find figures with it too). */
export function formatFigure(n: number): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: n >= 100 ? 0 : n >= 10 ? 1 : 2 });
}

const percent = (n: number): string => `${(n * 100).toLocaleString('en-US', { maximumFractionDigits: 2 })}%`;

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

interface Series {
  label: string;
  color: string;
  values: number[];
}

const COLORS = ['#1f6feb', '#d4700a', '#b3261e'];

/** A line chart over the batch sizes (equally spaced, as categories) with labelled points. */
function lineChart(title: string, unit: string, batchSizes: number[], series: Series[]): string {
  const width = 640;
  const height = 300;
  const pad = { left: 70, right: 44, top: 40, bottom: 50 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const max = Math.max(1e-9, ...series.flatMap((s) => s.values));
  const x = (i: number) =>
    pad.left + (batchSizes.length === 1 ? plotW / 2 : (i * plotW) / (batchSizes.length - 1));
  const y = (v: number) => pad.top + plotH - (v / max) * plotH;
  const parts: string[] = [];
  parts.push(`<text x="${pad.left}" y="20" class="title">${esc(title)}</text>`);
  for (let t = 0; t <= 4; t++) {
    const v = (max * t) / 4;
    parts.push(
      `<line x1="${pad.left}" x2="${width - pad.right}" y1="${y(v)}" y2="${y(v)}" class="grid"/>`,
      `<text x="${pad.left - 6}" y="${y(v) + 4}" text-anchor="end" class="tick">${esc(formatFigure(v))}</text>`,
    );
  }
  batchSizes.forEach((b, i) => {
    parts.push(
      `<text x="${x(i)}" y="${height - pad.bottom + 18}" text-anchor="middle" class="tick">${b}</text>`,
    );
  });
  parts.push(
    `<text x="${pad.left + plotW / 2}" y="${height - 8}" text-anchor="middle" class="axis">customers per request (batch size)</text>`,
    `<text x="14" y="${pad.top + plotH / 2}" text-anchor="middle" class="axis" transform="rotate(-90 14 ${pad.top + plotH / 2})">${esc(unit)}</text>`,
  );
  series.forEach((s, si) => {
    const points = s.values.map((v, i) => `${x(i)},${y(v)}`).join(' ');
    parts.push(`<polyline points="${points}" fill="none" stroke="${s.color}" stroke-width="2"/>`);
    s.values.forEach((v, i) => {
      parts.push(
        `<circle cx="${x(i)}" cy="${y(v)}" r="4" fill="${s.color}"><title>${esc(`${s.label}, batch ${batchSizes[i]}: ${formatFigure(v)} ${unit}`)}</title></circle>`,
      );
      if (series.length === 1 || si === series.length - 1) {
        parts.push(
          `<text x="${x(i)}" y="${y(v) - 9}" text-anchor="middle" class="label">${esc(formatFigure(v))}</text>`,
        );
      }
    });
    if (series.length > 1) {
      // Legend right of the title, one entry per series.
      const lx = width - pad.right - (series.length - si) * 64;
      parts.push(
        `<rect x="${lx}" y="12" width="12" height="4" fill="${s.color}"/>`,
        `<text x="${lx + 16}" y="18" class="tick">${esc(s.label)}</text>`,
      );
    }
  });
  return `<svg role="img" aria-label="${esc(title)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg">${parts.join('')}</svg>`;
}

/** One sentence a person can act on: which batch size issues most customers per second, at what latency. */
export function recommendation(batches: BatchFigures[]): string {
  const clean = batches.filter(
    (b) => b.failedRequestRate === 0 && b.entityFailureRate === 0 && b.requests > 0,
  );
  if (clean.length === 0)
    return 'No batch size ran without failures: fix those before choosing a batch size.';
  const best = clean.reduce((a, b) => (b.customersPerSecond > a.customersPerSecond ? b : a));
  const enough = clean.find((b) => b.customersPerSecond >= 0.9 * best.customersPerSecond) ?? best;
  const bestText = `Batch size ${best.batchSize} issues the most customers per second (${formatFigure(best.customersPerSecond)}/s, p95 ${formatFigure(best.latencyMs.p95)} ms).`;
  if (enough.batchSize === best.batchSize) return bestText;
  return `${bestText} Batch size ${enough.batchSize} reaches ${Math.round((100 * enough.customersPerSecond) / best.customersPerSecond)}% of that with p95 ${formatFigure(enough.latencyMs.p95)} ms per request: prefer it when latency or retry cost matters.`;
}

export interface ReportExtras {
  scenario: string;
  /** Rate: the lowest offered arrival rate at which a 429 came back during the ramp. */
  rateOnsetRps?: number;
  thresholds?: ThresholdResult[];
  smoke?: Record<string, { passed: boolean; skipped?: boolean; detail: string }>;
}

export function renderReport(summary: LoadSummary, extras: ReportExtras): string {
  const b = summary.batches;
  const sizes = b.map((x) => x.batchSize);
  const sections: string[] = [];
  // The rate scenario's single row is its steady window (429s included), not a batch-size choice.
  const choosing = summary.rate === undefined;
  const tableTitle = choosing ? 'Figures' : 'Steady window of the rate probe (429s included)';
  if (b.length > 0 && choosing) {
    sections.push(
      `<section><h2>What to choose</h2><p class="verdict">${esc(recommendation(b))}</p>`,
      `<p class="note">Each batch size ran as its own open-model scenario (constant arrival rate, capped concurrency). Dropped iterations mean the target could not keep up: the figures are then its capacity at that concurrency.</p></section>`,
      '<section><h2>Throughput</h2><div class="charts">',
      lineChart('Customers issued per second', 'customers/s', sizes, [
        { label: 'customers/s', color: COLORS[0] as string, values: b.map((x) => x.customersPerSecond) },
      ]),
      lineChart('Requests per second', 'requests/s', sizes, [
        { label: 'requests/s', color: COLORS[1] as string, values: b.map((x) => x.requestsPerSecond) },
      ]),
      '</div></section><section><h2>Latency per request</h2>',
      lineChart('Latency percentiles', 'ms', sizes, [
        { label: 'p50', color: COLORS[0] as string, values: b.map((x) => x.latencyMs.p50) },
        { label: 'p95', color: COLORS[1] as string, values: b.map((x) => x.latencyMs.p95) },
        { label: 'p99', color: COLORS[2] as string, values: b.map((x) => x.latencyMs.p99) },
      ]),
      '</section>',
    );
  }
  if (b.length > 0) {
    sections.push(
      `<section><h2>${tableTitle}</h2><table><thead><tr>`,
      ...[
        'batch size',
        'requests',
        'requests/s',
        'customers/s',
        'p50 ms',
        'p95 ms',
        'p99 ms',
        'failed requests',
        'failed customers',
        'warned customers',
        'dropped iterations',
      ].map((h) => `<th>${h}</th>`),
      '</tr></thead><tbody>',
      ...b.map(
        (x) =>
          `<tr data-batch="${x.batchSize}"><td>${x.batchSize}</td><td>${formatFigure(x.requests)}</td><td>${formatFigure(x.requestsPerSecond)}</td><td>${formatFigure(x.customersPerSecond)}</td><td>${formatFigure(x.latencyMs.p50)}</td><td>${formatFigure(x.latencyMs.p95)}</td><td>${formatFigure(x.latencyMs.p99)}</td><td>${percent(x.failedRequestRate)}</td><td>${percent(x.entityFailureRate)}</td><td>${percent(x.warningRate)}</td><td>${formatFigure(x.droppedIterations)}</td></tr>`,
      ),
      '</tbody></table></section>',
    );
  }
  if (summary.rate !== undefined) {
    const r = summary.rate;
    const detected =
      r.detectedLimitRps === null
        ? 'no 429 seen: no limit found up to the probed rate'
        : `${formatFigure(r.detectedLimitRps)} requests/s`;
    const honoured =
      r.retryAfterHonoured === null
        ? 'not checked (no 429)'
        : r.retryAfterHonoured
          ? 'yes: accepted again after waiting Retry-After'
          : 'NO: still refused after waiting Retry-After';
    sections.push(
      '<section><h2>Rate limit</h2><table class="kv">',
      r.configuredLimitRps !== undefined
        ? `<tr><th>configured limit</th><td>${formatFigure(r.configuredLimitRps)} requests/s</td></tr>`
        : '',
      `<tr><th>detected limit</th><td id="detected-limit">${esc(detected)}</td></tr>`,
      `<tr><th>Retry-After honoured</th><td>${esc(honoured)}</td></tr>`,
      extras.rateOnsetRps !== undefined
        ? `<tr><th>first 429 in the ramp</th><td>at ${formatFigure(extras.rateOnsetRps)} requests/s offered (past the limit by what the burst absorbed)</td></tr>`
        : '',
      '</table><p class="note">Detected limit: requests/s the target accepted while k6 offered more than that, measured after the burst was spent.</p></section>',
    );
  }
  if (extras.smoke !== undefined) {
    sections.push(
      '<section><h2>Documented cases</h2><table><thead><tr><th>case</th><th>result</th><th>detail</th></tr></thead><tbody>',
      ...Object.entries(extras.smoke).map(
        ([id, r]) =>
          `<tr><td>${esc(id)}</td><td class="${r.skipped ? 'skip' : r.passed ? 'ok' : 'fail'}">${r.skipped ? 'skipped' : r.passed ? 'passed' : 'FAILED'}</td><td>${esc(r.detail)}</td></tr>`,
      ),
      '</tbody></table></section>',
    );
  }
  const thresholds = extras.thresholds ?? [];
  if (thresholds.length > 0) {
    sections.push(
      '<section><h2>SLO thresholds</h2><ul>',
      ...thresholds.map(
        (t) =>
          `<li class="${t.ok ? 'ok' : 'fail'}">${t.ok ? 'held' : 'CROSSED'}: <code>${esc(t.metric)} ${esc(t.expression)}</code></li>`,
      ),
      '</ul></section>',
    );
  }
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>directEarn load report: ${esc(extras.scenario)} against ${esc(summary.target)}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:1340px;padding:0 1rem;color:#1b1f24}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #d0d7de;padding-bottom:.3rem}
.meta{color:#57606a}.verdict{font-size:1.1rem;background:#f0f6ff;border-left:4px solid #1f6feb;padding:.6rem .8rem}
.note{color:#57606a;font-size:.9rem}.charts{display:flex;flex-wrap:wrap;gap:1rem}
table{border-collapse:collapse;font-variant-numeric:tabular-nums}th,td{border:1px solid #d0d7de;padding:.3rem .6rem;text-align:right}
th{background:#f6f8fa}.kv th,.kv td{text-align:left}.ok{color:#1a7f37}.fail{color:#b3261e;font-weight:bold}.skip{color:#57606a}
svg .title{font-weight:600;font-size:14px}svg .grid{stroke:#eaeef2}svg .tick{font-size:11px;fill:#57606a}
svg .axis{font-size:12px;fill:#1b1f24}svg .label{font-size:11px;fill:#1b1f24}
</style></head><body>
<h1>directEarn load report</h1>
<p class="meta">Scenario <strong>${esc(extras.scenario)}</strong> against <code>${esc(summary.target)}</code>, started ${esc(summary.startedAt)}. POST /v2/promotion/bulk/directEarn.</p>
${sections.join('\n')}
</body></html>
`;
}
