// capacity.html: per batch size, the steps of the search as offered vs issued customers/s and p95
// latency against the offered rate, the found knee marked; a table of every step. No network needed.
import { esc, formatFigure, niceTicks } from '../load/charts.js';
import type { BatchCapacity, CapacityResult } from './result.js';
import type { CapacityStep } from './step.js';

const W = 560;
const H = 260;
const PAD = { left: 70, right: 20, top: 30, bottom: 46 };

/** One chart of `y(step)` against the offered rate, the knee as a dashed line; `diagonal` draws y = offered. */
function chart(
  title: string,
  unit: string,
  steps: CapacityStep[],
  y: (s: CapacityStep) => number,
  knee: number | undefined,
  diagonal: boolean,
): string {
  const xMax = Math.max(...steps.map((s) => s.offeredCustomersPerSecond), 1);
  const yMax = Math.max(...steps.map(y), diagonal ? xMax : 0, 1);
  const xt = niceTicks(xMax);
  const yt = niceTicks(yMax);
  const xTop = xt.at(-1) as number;
  const yTop = yt.at(-1) as number;
  const px = (v: number) => PAD.left + (v / xTop) * (W - PAD.left - PAD.right);
  const py = (v: number) => H - PAD.bottom - (v / yTop) * (H - PAD.top - PAD.bottom);
  const parts = [
    `<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)}"><title>${esc(title)}</title>`,
    `<text x="${W / 2}" y="16" text-anchor="middle" class="t">${esc(title)}</text>`,
    ...yt.map(
      (t) =>
        `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${py(t)}" y2="${py(t)}" class="g"/><text x="${PAD.left - 6}" y="${py(t) + 4}" text-anchor="end">${formatFigure(t)}</text>`,
    ),
    ...xt.map(
      (t) => `<text x="${px(t)}" y="${H - PAD.bottom + 16}" text-anchor="middle">${formatFigure(t)}</text>`,
    ),
    `<text x="${W / 2}" y="${H - 8}" text-anchor="middle">offered customers/s</text>`,
    `<text x="14" y="${H / 2}" transform="rotate(-90 14 ${H / 2})" text-anchor="middle">${esc(unit)}</text>`,
  ];
  if (diagonal)
    parts.push(
      `<line x1="${px(0)}" y1="${py(0)}" x2="${px(Math.min(xTop, yTop))}" y2="${py(Math.min(xTop, yTop))}" class="d"><title>offered</title></line>`,
    );
  if (knee !== undefined)
    parts.push(
      `<line x1="${px(knee)}" x2="${px(knee)}" y1="${PAD.top}" y2="${H - PAD.bottom}" class="k"/><text x="${px(knee) + 4}" y="${PAD.top + 10}" class="k">knee ${formatFigure(knee)}</text>`,
    );
  for (const s of steps) {
    const cls = s.verdict === 'good' ? 'ok' : 'bad';
    parts.push(
      `<circle cx="${px(s.offeredCustomersPerSecond)}" cy="${py(y(s))}" r="5" class="${cls}"><title>${s.phase} step: offered ${formatFigure(s.offeredCustomersPerSecond)}, ${esc(unit)} ${formatFigure(y(s))}, ${s.verdict}</title></circle>`,
    );
  }
  parts.push('</svg>');
  return parts.join('');
}

function section(b: BatchCapacity): string {
  const found = b.steps.find(
    (s) => s.verdict === 'good' && s.issuedPerSecond === b.issuedPerSecond && s.phase === 'confirm',
  );
  const knee =
    b.issuedPerSecond > 0
      ? (found ?? b.steps.find((s) => s.issuedPerSecond === b.issuedPerSecond))?.offeredCustomersPerSecond
      : undefined;
  const verdict = b.isHostCapacity
    ? `sustains <b>${formatFigure(b.issuedPerSecond)} issued customers/s</b> (${formatFigure(b.requestsPerSecond)} requests/s), bound by ${esc(b.boundBy)}`
    : b.boundBy === 'generator'
      ? `<b>bound by the generator</b>: k6 could not send more; this is not the host's capacity`
      : `no capacity found (bound by ${esc(b.boundBy)})`;
  const limit =
    b.rateLimit === undefined
      ? ''
      : `<p>Rate limit seen: ${formatFigure(b.rateLimit.perMinute)} requests/min (${formatFigure(b.rateLimit.perSecond)}/s), a per-${b.rateLimit.window} window, from ${esc(b.rateLimit.source)}.</p>`;
  const rows = b.steps
    .map(
      (s, i) =>
        `<tr class="${s.verdict === 'good' ? 'ok' : 'bad'}"><td>${i + 1}</td><td>${s.phase}</td><td>${formatFigure(s.offeredCustomersPerSecond)}</td><td>${formatFigure(s.offeredRequestsPerSecond)}</td><td>${formatFigure(s.achievedRequestsPerSecond)}</td><td>${formatFigure(s.issuedPerSecond)}</td><td>${formatFigure(s.latencyMs.p50)}</td><td>${formatFigure(s.latencyMs.p95)}</td><td>${formatFigure(s.latencyMs.p99)}</td><td>${(s.errorShare * 100).toFixed(1)}%</td><td>${(s.warnedShare * 100).toFixed(1)}%</td><td>${(s.rateLimitedShare * 100).toFixed(1)}%</td><td>${esc(s.verdict)}${s.reason !== undefined ? `: ${esc(s.reason)}` : ''}</td></tr>`,
    )
    .join('\n');
  return `<section><h2>Batch size ${b.batchSize}</h2><p>Batch size ${b.batchSize} ${verdict}.</p>${limit}${b.note !== undefined ? `<p>${esc(b.note)}</p>` : ''}
<div class="charts">${chart(`Batch ${b.batchSize}: issued vs offered`, 'issued customers/s', b.steps, (s) => s.issuedPerSecond, knee, true)}${chart(`Batch ${b.batchSize}: p95 latency`, 'p95 ms', b.steps, (s) => s.latencyMs.p95, knee, false)}</div>
<table><thead><tr><th>#</th><th>phase</th><th>offered customers/s</th><th>offered req/s</th><th>achieved req/s</th><th>issued/s</th><th>p50 ms</th><th>p95 ms</th><th>p99 ms</th><th>errors</th><th>warned</th><th>429</th><th>verdict</th></tr></thead><tbody>
${rows}
</tbody></table></section>`;
}

/** The whole page. Every text the target could influence goes through esc(). */
export function renderCapacityPage(r: CapacityResult): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>directearn capacity: ${esc(r.target)}</title>
<style>
body{font:14px system-ui,sans-serif;margin:24px;color:#1b1f24}table{border-collapse:collapse;margin:8px 0 24px}
td,th{border:1px solid #d0d7de;padding:3px 8px;text-align:right}tr.bad td{color:#b3261e}
.charts{display:flex;flex-wrap:wrap;gap:16px}svg{width:560px;max-width:100%;font-size:11px}
.g{stroke:#eaeef2}.d{stroke:#8c959f;stroke-dasharray:4 4}.k{stroke:#d4700a;fill:#d4700a;stroke-dasharray:6 3}
circle.ok{fill:#1f6feb}circle.bad{fill:#b3261e}.t{font-size:13px;font-weight:600}
</style></head><body>
<h1>Capacity of ${esc(r.target)}</h1>
<p>Open model: each step is a constant arrival rate of ${r.stepSeconds} s (k6, at most ${r.maxVus} VUs); a step is good when the SLOs hold (${r.slos.map(esc).join(', ')}), no 429 came and k6 sent what it was asked to. Started ${esc(r.startedAt)}; ${formatFigure(r.customersSent)} customers sent${r.budgetCustomers !== undefined ? ` of a budget of ${formatFigure(r.budgetCustomers)}` : ''}.</p>
${r.batches.map(section).join('\n')}
</body></html>
`;
}
