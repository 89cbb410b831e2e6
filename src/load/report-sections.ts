// The sections of report.html (src/load/report.ts puts them in order): what to choose with its
// charts, the baseline, the figures table, the rate limit, the documented cases, the runners of a
// merged run, the SLOs and k6's thresholds. Each returns its HTML lines, none when it has nothing.
import type { Comparison } from './baseline.js';
import { COLORS, esc, formatFigure, lineChart, timelineChart } from './charts.js';
import type { SloResult } from './slo.js';
import type { BatchFigures, LoadSummary, RateSecond, ThresholdResult } from './summary.js';

const totalRequests = (t: RateSecond[]): number =>
  t.reduce((n, s) => n + s.accepted + s.refused + s.failed, 0);

const percent = (n: number): string => `${(n * 100).toLocaleString('en-US', { maximumFractionDigits: 2 })}%`;

/** "What to choose" (the recommendation and the campaign plan's lines), then the throughput and latency charts. */
export function choiceSections(b: BatchFigures[], verdict: string, plan: string[] | undefined): string[] {
  const sizes = b.map((x) => x.batchSize);
  return [
    `<section><h2>What to choose</h2><p class="verdict">${esc(verdict)}</p>`,
    plan !== undefined
      ? `<div id="plan"><h3>Campaign plan</h3><ul>${plan.map((l) => `<li${l.startsWith('WARNING') ? ' class="fail"' : ''}>${esc(l)}</li>`).join('')}</ul></div>`
      : '',
    `<p class="note">Each batch size ran as its own open-model scenario (constant arrival rate, capped concurrency). Dropped iterations mean the target could not keep up: the figures are then its capacity at that concurrency.</p></section>`,
    '<section><h2>Throughput</h2><div class="charts">',
    lineChart('Customers issued per second (8890-warned customers were not issued)', 'issued/s', sizes, [
      { label: 'issued/s', color: COLORS[0] as string, values: b.map((x) => x.issuedPerSecond) },
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
  ];
}

/** Every batch size's figures in one table; a rate run's single row is its steady window. */
export function figuresSection(b: BatchFigures[], choosing: boolean): string[] {
  if (b.length === 0) return [];
  const tableTitle = choosing
    ? 'Figures'
    : 'Steady window of the rate probe (requests/s and customers/s include the refused requests)';
  return [
    `<section><h2>${tableTitle}</h2><table><thead><tr>`,
    ...[
      'batch size',
      'requests',
      'requests/s',
      'customers sent/s',
      'issued/s',
      'p50 ms',
      'p95 ms',
      'p99 ms',
      choosing ? 'failed requests' : 'failed requests (429s not counted)',
      'issued customers',
      'warned customers (8890, not issued)',
      'failed customers',
      'dropped iterations',
    ].map((h) => `<th>${h}</th>`),
    '</tr></thead><tbody>',
    ...b.map(
      (x) =>
        `<tr data-batch="${x.batchSize}"><td>${x.batchSize}</td><td>${formatFigure(x.requests)}</td><td>${formatFigure(x.requestsPerSecond)}</td><td>${formatFigure(x.customersPerSecond)}</td><td>${formatFigure(x.issuedPerSecond)}</td><td>${formatFigure(x.latencyMs.p50)}</td><td>${formatFigure(x.latencyMs.p95)}</td><td>${formatFigure(x.latencyMs.p99)}</td><td>${percent(x.failedRequestRate)}</td><td>${percent(x.issuedRate)}</td><td>${percent(x.warningRate)}</td><td>${percent(x.entityFailureRate)}</td><td>${formatFigure(x.droppedIterations)}</td></tr>`,
    ),
    '</tbody></table></section>',
  ];
}

/** A rate run's findings: the configured and detected limit, Retry-After, the 429s over time. */
export function rateSection(summary: LoadSummary, rateOnsetRps: number | undefined): string[] {
  const r = summary.rate;
  if (r === undefined) return [];
  const b = summary.batches;
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
  return [
    '<section><h2>Rate limit</h2><table class="kv">',
    r.configuredLimitRps !== undefined
      ? `<tr><th>configured limit</th><td>${formatFigure(r.configuredLimitRps)} requests/s</td></tr>`
      : '',
    `<tr><th>detected limit</th><td id="detected-limit">${esc(detected)}</td></tr>`,
    b[0]?.offeredRequestsPerSecond !== undefined
      ? `<tr><th>offered in the steady window</th><td>${formatFigure(b[0].offeredRequestsPerSecond)} requests/s</td></tr>`
      : '',
    `<tr><th>Retry-After honoured</th><td>${esc(honoured)}</td></tr>`,
    rateOnsetRps !== undefined
      ? `<tr><th>first 429 in the ramp</th><td>at ${formatFigure(rateOnsetRps)} requests/s offered (past the limit by what the burst absorbed)</td></tr>`
      : '',
    r.refusedRequests !== undefined
      ? `<tr><th>requests refused (429)</th><td id="refused">${formatFigure(r.refusedRequests)} of ${formatFigure(totalRequests(r.timeline ?? []))} answered in the whole run</td></tr>`
      : '',
    '</table><p class="note">Detected limit: requests/s the target accepted while k6 offered more than that, measured after the burst was spent. A 429 is the answer this run looks for: it is counted as refused, not as a failed request.</p>',
    r.timeline !== undefined && r.timeline.length > 0 ? timelineChart(r.timeline) : '',
    '</section>',
  ];
}

/** A smoke run's documented cases, each passed, failed or skipped with its detail. */
export function smokeSection(
  smoke: Record<string, { passed: boolean; skipped?: boolean; detail: string }> | undefined,
): string[] {
  if (smoke === undefined) return [];
  return [
    '<section><h2>Documented cases</h2><table><thead><tr><th>case</th><th>result</th><th>detail</th></tr></thead><tbody>',
    ...Object.entries(smoke).map(
      ([id, r]) =>
        `<tr><td>${esc(id)}</td><td class="${r.skipped ? 'skip' : r.passed ? 'ok' : 'fail'}">${r.skipped ? 'skipped' : r.passed ? 'passed' : 'FAILED'}</td><td>${esc(r.detail)}</td></tr>`,
    ),
    '</tbody></table></section>',
  ];
}

/** A merged run's runners: where each summary came from, its segment and requests. */
export function runnersSection(
  runners: { source: string; segment: string; requests: number; droppedIterations: number }[],
  bound: number,
): string[] {
  if (runners.length === 0) return [];
  return [
    `<section id="runners"><h2>Runners (${runners.length}, merged)</h2>`,
    `<p class="note">Counts are the runners' sums; p50/p95/p99 come from merging their latency sketches: each lies within ±${esc(bound.toFixed(2))} percentile points of the exact percentile of all their requests pooled. SLOs are judged on these merged figures.</p>`,
    '<table><thead><tr><th>runner</th><th>execution segment</th><th>requests</th><th>dropped iterations</th></tr></thead><tbody>',
    ...runners.map(
      (r) =>
        `<tr><td>${esc(r.source)}</td><td>${esc(r.segment)}</td><td>${formatFigure(r.requests)}</td><td>${formatFigure(r.droppedIterations)}</td></tr>`,
    ),
    '</tbody></table></section>',
  ];
}

/** The run's SLOs per batch size, held or crossed, with the measured figure. */
export function slosSection(slos: SloResult[]): string[] {
  if (slos.length === 0) return [];
  return [
    '<section><h2>SLOs per batch size</h2><ul id="slos">',
    ...slos.map(
      (t) =>
        `<li class="${t.ok ? 'ok' : 'fail'}">${t.ok ? 'held' : 'CROSSED'}: batch ${t.batchSize} <code>${esc(t.slo)}</code> (measured ${esc(formatFigure(t.measured))})</li>`,
    ),
    '</ul></section>',
  ];
}

/** k6's thresholds (smoke), held or crossed. */
export function thresholdsSection(thresholds: ThresholdResult[]): string[] {
  if (thresholds.length === 0) return [];
  return [
    '<section><h2>SLO thresholds</h2><ul>',
    ...thresholds.map(
      (t) =>
        `<li class="${t.ok ? 'ok' : 'fail'}">${t.ok ? 'held' : 'CROSSED'}: <code>${esc(t.metric)} ${esc(t.expression)}</code></li>`,
    ),
    '</ul></section>',
  ];
}

const signed = (share: number): string => `${share >= 0 ? '+' : ''}${(share * 100).toFixed(1)}%`;

/** The median of a figure, with its min..max when the runs were repeated. */
const spreadText = (s: { min: number; median: number; max: number; runs: number }): string =>
  s.runs > 1
    ? `${formatFigure(s.median)} (${formatFigure(s.min)}–${formatFigure(s.max)}, ${s.runs} runs)`
    : formatFigure(s.median);

/** Both runs side by side: issued customers/s per batch size on one chart, and the deltas. */
export function baselineSection(c: Comparison, sizes: number[], now: BatchFigures[]): string[] {
  const old = new Map(c.deltas.map((d) => [d.batchSize, d.issuedPerSecond.baseline.median]));
  return [
    `<section id="baseline"><h2>Against the baseline of ${esc(c.baselineStartedAt.join(', '))}</h2>`,
    `<p class="${c.regressed ? 'fail' : 'ok'}">${esc(c.verdict)}</p>`,
    `<p class="note">A change counts when it is beyond ${esc((c.maxRegression * 100).toFixed(1))}% fewer issued customers/s or higher p95 at a batch size, and every run now is worse than every baseline run (min/max across repeats).</p>`,
    lineChart('Customers issued per second: this run and the baseline', 'issued/s', sizes, [
      { label: 'baseline', color: '#8c959f', values: sizes.map((s) => old.get(s) ?? 0) },
      { label: 'this run', color: COLORS[0] as string, values: now.map((b) => b.issuedPerSecond) },
    ]),
    '<table><thead><tr><th>batch size</th><th>issued/s baseline</th><th>issued/s now</th><th>change</th><th>p95 ms baseline</th><th>p95 ms now</th><th>change</th><th>verdict</th></tr></thead><tbody>',
    ...c.deltas.map((d) => {
      const i = d.issuedPerSecond;
      const p = d.p95Ms;
      const noise = !d.regressed && (i.sure === 'overlap' || p.sure === 'overlap') ? ' (within noise)' : '';
      return `<tr data-baseline-batch="${d.batchSize}"><td>${d.batchSize}</td><td>${spreadText(i.baseline)}</td><td>${spreadText(i.now)}</td><td>${signed(i.change)}</td><td>${spreadText(p.baseline)}</td><td>${spreadText(p.now)}</td><td>${signed(p.change)}</td><td class="${d.regressed ? 'fail' : 'ok'}">${d.regressed ? 'REGRESSED' : `ok${noise}`}</td></tr>`;
    }),
    '</tbody></table></section>',
  ];
}
