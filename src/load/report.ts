// report.html: one self-contained page (inline CSS and SVG, no script, no network) for a person
// choosing a campaign's batch size from a load run's figures; src/load/report-sections.ts writes
// its sections.
import type { Comparison } from './baseline.js';
import { type Decision, decide } from './batch-decision.js';
import { esc, formatFigure } from './charts.js';
import {
  baselineSection,
  choiceSections,
  figuresSection,
  rateSection,
  runnersSection,
  slosSection,
  smokeSection,
  thresholdsSection,
} from './report-sections.js';
import type { SloResult } from './slo.js';
import type { BatchFigures, LoadSummary, ThresholdResult } from './summary.js';

export { formatFigure, niceTicks } from './charts.js';

/** Says that a batch size's run was saturated, when it was: its rate is the target's capacity. */
function saturation(b: BatchFigures): string {
  if (b.droppedIterations === 0) return '';
  return ` Its run dropped ${formatFigure(b.droppedIterations)} iterations: the target was saturated${b.maxVus !== undefined ? ` at ${b.maxVus} concurrent requests` : ''}, so this is its capacity, with no spare room.`;
}

/**
 * One paragraph a person can act on: the batch size `decide` chooses (the one `plan` names for the
 * same inputs: the most customers ISSUED per second; 8890-warned customers were not issued), at what
 * latency, and whether that run was saturated (dropped iterations) — never silently. A batch size
 * that mostly did not issue is never recommended.
 */
export function recommendation(batches: BatchFigures[], decision?: Decision): string {
  const d = decision ?? decide({ schemaVersion: 3, target: '', startedAt: '', batches }, { customers: 0 });
  if (d.refused !== undefined) {
    return `No batch size to choose: ${d.refused.join('; ') || 'no customer was issued'}.`;
  }
  const chosen = d.chosen;
  const best = batches.find((b) => b.batchSize === chosen?.batchSize);
  if (chosen === undefined || best === undefined)
    return 'No batch size ran without failures: fix those before choosing a batch size.';
  const meets = d.deadlineSeconds !== undefined && chosen.p95Seconds <= d.deadlineSeconds;
  const why = meets
    ? 'is the smallest that meets the deadline at p95'
    : 'issues the most customers per second';
  return `Batch size ${best.batchSize} ${why} (${formatFigure(best.issuedPerSecond)} issued/s measured, p95 ${formatFigure(best.latencyMs.p95)} ms).${saturation(best)}`;
}

export interface ReportExtras {
  scenario: string;
  /** Rate: the lowest offered arrival rate at which a 429 came back during the ramp. */
  rateOnsetRps?: number;
  /** k6's thresholds (smoke). */
  thresholds?: ThresholdResult[];
  /** The run's SLOs per batch size. */
  slos?: SloResult[];
  smoke?: Record<string, { passed: boolean; skipped?: boolean; detail: string }>;
  /** The comparison with earlier runs (`--baseline`). */
  comparison?: Comparison;
  /** A campaign plan's lines (`directearn plan --html`). */
  plan?: string[];
  /** The plan's decision (`directearn plan --html`): "What to choose" names its batch size. */
  decision?: Decision;
  /** A merged run (`directearn merge`, `load --runners`): its runners, and the merged percentiles' rank bound. */
  runners?: { source: string; segment: string; requests: number; droppedIterations: number }[];
  rankBoundPoints?: number;
}

/** The page's sections in order; the rate scenario's single row is its steady window, not a choice. */
function sections(summary: LoadSummary, extras: ReportExtras): string[] {
  const b = summary.batches;
  const choosing = summary.rate === undefined;
  return [
    ...(b.length > 0 && choosing ? choiceSections(b, recommendation(b, extras.decision), extras.plan) : []),
    ...(extras.comparison !== undefined && choosing
      ? baselineSection(
          extras.comparison,
          b.map((x) => x.batchSize),
          b,
        )
      : []),
    ...figuresSection(b, choosing),
    ...rateSection(summary, extras.rateOnsetRps),
    ...smokeSection(extras.smoke),
    ...runnersSection(extras.runners ?? [], extras.rankBoundPoints ?? 0),
    ...slosSection([...(extras.slos ?? [])].sort((x, y) => x.batchSize - y.batchSize)),
    ...thresholdsSection(extras.thresholds ?? []),
  ];
}

/** The whole page: head, style, title and the sections. */
export function renderReport(summary: LoadSummary, extras: ReportExtras): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>directEarn load report: ${esc(extras.scenario)} against ${esc(summary.target)}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:1340px;padding:0 1rem;color:#1b1f24}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #d0d7de;padding-bottom:.3rem}
.meta{color:#57606a}.verdict{font-size:1.1rem;background:#f0f6ff;border-left:4px solid #1f6feb;padding:.6rem .8rem}
.note{color:#57606a;font-size:.9rem}.charts{display:block}svg{display:block;width:100%;height:auto;margin:.5rem 0 1rem}
table{border-collapse:collapse;font-variant-numeric:tabular-nums}th,td{border:1px solid #d0d7de;padding:.3rem .6rem;text-align:right}
th{background:#f6f8fa}.kv th,.kv td{text-align:left}.ok{color:#1a7f37}.fail{color:#b3261e;font-weight:bold}.skip{color:#57606a}
svg .title{font-weight:600;font-size:14px}svg .grid{stroke:#eaeef2}svg .tick{font-size:11px;fill:#57606a}
svg .axis{font-size:12px;fill:#1b1f24}svg .label{font-size:11px;fill:#1b1f24}
</style></head><body>
<h1>directEarn load report</h1>
<p class="meta">Scenario <strong>${esc(extras.scenario)}</strong> against <code>${esc(summary.target)}</code>, started ${esc(summary.startedAt)}. POST /v2/promotion/bulk/directEarn.</p>
${sections(summary, extras).join('\n')}
</body></html>
`;
}
