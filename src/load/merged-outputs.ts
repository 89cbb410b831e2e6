// A merged run's verdict and files: SLOs judged on the merged figures (never per runner), then
// DIR/summary.json and DIR/report.html, for `directearn merge` and `load --runners`.
import { join } from 'node:path';
import { UserFacingError } from '../errors.js';
import { printable } from '../util/output-path.js';
import { writeFileSafe } from '../util/safe-write.js';
import { notIssuedReason } from './issued.js';
import type { MergeResult } from './merge.js';
import { renderReport } from './report.js';
import { checkSlos, type Slo, type SloResult } from './slo.js';
import type { BatchFigures } from './summary.js';

export interface MergedVerdict extends MergeResult {
  slos: SloResult[];
  /** Throughput: batch sizes whose customers were mostly not issued (issued.ts), with why. */
  notIssued: string[];
  /** SLOs held on the whole run, the runners cover it exactly once, and (rate) a limit was found and Retry-After honoured. */
  ok: boolean;
  /** Where summary.json and report.html were written; undefined when the coverage forbade it. */
  summaryPath?: string;
  reportPath?: string;
}

/**
 * Judges `slos` on the merged figures and writes DIR/summary.json and DIR/report.html. Runners that
 * do not cover the run exactly once write nothing: their sums are not the run's figures.
 */
export function judgeAndWrite(merged: MergeResult, slos: Slo[], out: string): MergedVerdict {
  const s = merged.summary;
  const results = checkSlos(s.batches, slos);
  const notIssued = s.rate === undefined ? s.batches.flatMap((b) => notIssuedReason(b) ?? []) : [];
  const ok =
    merged.coverage.length === 0 &&
    results.every((r) => r.ok) &&
    notIssued.length === 0 &&
    s.rate?.retryAfterHonoured !== false &&
    s.rate?.detectedLimitRps !== null;
  if (merged.coverage.length > 0) return { ...merged, slos: results, notIssued, ok };
  const summaryPath = join(out, 'summary.json');
  const reportPath = join(out, 'report.html');
  try {
    writeFileSafe(summaryPath, `${JSON.stringify(s, null, 2)}\n`);
    writeFileSafe(
      reportPath,
      renderReport(s, {
        scenario: s.rate === undefined ? 'throughput' : 'rate',
        slos: results,
        runners: s.runners,
        rankBoundPoints: Math.max(0, ...merged.rankBounds.map((r) => r.points)),
      }),
    );
  } catch (e) {
    throw new UserFacingError(
      `cannot write into ${printable(out)}: ${(e as NodeJS.ErrnoException).code ?? e}`,
    );
  }
  return { ...merged, slos: results, notIssued, ok, summaryPath, reportPath };
}

/** The verdict as lines for a terminal: figures per batch size (`table`, as load prints them), the bound, SLOs crossed, coverage, files. */
export function verdictLines(
  v: MergedVerdict,
  shown: (path: string) => string,
  table: (batches: BatchFigures[]) => string[],
): string[] {
  const s = v.summary;
  const lines = [
    `merged ${s.runners.length} runner(s): ${s.runners.map((r) => `${r.segment} ${r.requests} requests`).join(', ')}`,
  ];
  if (v.coverage.length > 0) {
    lines.push(...v.coverage.map((c) => `COVERAGE: ${c}`));
    lines.push('nothing written: the figures of these runners are not the whole run');
    return lines;
  }
  lines.push(...table(s.batches));
  const worst = Math.max(0, ...v.rankBounds.map((r) => r.points));
  lines.push(
    `merged percentiles are within ±${worst.toFixed(2)} percentile points of the exact ones of all samples pooled (e.g. p95 between the pooled p${(95 - worst).toFixed(2)} and p${(95 + worst).toFixed(2)})`,
  );
  if (s.rate !== undefined) {
    const r = s.rate;
    lines.push(
      r.detectedLimitRps === null
        ? 'rate: could not measure a limit: no 429 in any runner (raise --rate-max)'
        : `rate: detected limit ${r.detectedLimitRps} requests/s over all runners; ${r.refusedRequests ?? 0} requests refused with 429; Retry-After honoured: ${r.retryAfterHonoured === null ? 'not checked (no 429)' : r.retryAfterHonoured ? 'yes' : 'NO'}`,
    );
  }
  for (const why of v.notIssued) lines.push(`NOT ISSUED: ${why}`);
  for (const t of v.slos.filter((x) => !x.ok))
    lines.push(`SLO crossed: batch ${t.batchSize} ${t.slo} (measured ${t.measured}, all runners)`);
  if (v.summaryPath !== undefined) lines.push(`summary: ${shown(v.summaryPath)}`);
  if (v.reportPath !== undefined) lines.push(`report:  ${shown(v.reportPath)}`);
  return lines;
}
