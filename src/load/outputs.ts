// What a completed k6 run leaves: summary.json's figures, the smoke verdicts, and report.html.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { catalogue } from '../openapi/index.js';
import { writeFileSafe } from '../util/safe-write.js';
import type { SkippedCase } from './cases.js';
import { type LoadResult, offeredRps, type Run, rateVus } from './options.js';
import { batchFigures, type K6SummaryData, rateFigures } from './read-k6-summary.js';
import { renderReport } from './report.js';
import { type SmokeCaseResult, smokeResults } from './smoke-verdicts.js';
import { type LoadSummary, SCHEMA_VERSION } from './summary.js';
import { readTimeline } from './timeline.js';

/** summary.json's content from k6's end-of-test data (and, for rate, its points). */
export async function summarise(
  run: Run,
  data: K6SummaryData,
  target: string,
  startedAt: string,
): Promise<LoadSummary> {
  const summary: LoadSummary = { schemaVersion: SCHEMA_VERSION as 3, target, startedAt, batches: [] };
  if (run.scenario === 'throughput') {
    summary.batches = run.batchSizes.map((b) => ({
      ...batchFigures(data, b, `scenario:batch_${b}`, run.seconds),
      offeredRequestsPerSecond: run.options.arrivalRate ?? offeredRps(b),
      maxVus: run.maxVus,
    }));
  } else if (run.scenario === 'rate') {
    summary.batches = [
      {
        ...batchFigures(data, 1, 'scenario:rate_steady', run.seconds),
        offeredRequestsPerSecond: run.rateMaxRps,
        maxVus: rateVus(run.maxVus, run.rateMaxRps),
      },
    ];
    const timeline = existsSync(run.files.points) ? await readTimeline(run.files.points) : [];
    summary.rate = {
      ...rateFigures(data, run.providerRateLimit),
      refusedRequests: timeline.reduce((n, s) => n + s.refused, 0),
      timeline,
    };
    rmSync(run.files.points, { force: true });
  }
  return summary;
}

/** Smoke: a verdict per catalogue case; a case no check names fails, a skipped one says why. */
export function smokeVerdicts(
  data: K6SummaryData,
  consoleFile: string,
  skipped: SkippedCase[],
): { smoke: Record<string, SmokeCaseResult>; smokeSkipped: Record<string, string> } {
  const smoke = smokeResults(data, existsSync(consoleFile) ? readFileSync(consoleFile, 'utf8') : '');
  const smokeSkipped = Object.fromEntries(skipped.map((s) => [s.case, s.reason]));
  for (const entry of catalogue()) {
    if (smoke[entry.case] === undefined && smokeSkipped[entry.case] === undefined) {
      smoke[entry.case] = { passed: false, detail: 'no check of the smoke run names this case' };
    }
  }
  return { smoke, smokeSkipped };
}

/** Writes summary.json and report.html of a completed run. */
export function writeOutputs(run: Run, result: LoadResult, data: K6SummaryData): void {
  writeFileSafe(result.summaryPath, `${JSON.stringify(result.summary, null, 2)}\n`);
  const reportSmoke =
    result.smoke === undefined
      ? undefined
      : {
          ...result.smoke,
          ...Object.fromEntries(
            Object.entries(result.smokeSkipped ?? {}).map(([id, reason]) => [
              id,
              { passed: false, skipped: true, detail: reason },
            ]),
          ),
        };
  const onset = data.metrics.directearn_rate_onset_rps?.values.min;
  writeFileSafe(
    result.reportPath,
    renderReport(result.summary, {
      scenario: run.scenario,
      slos: result.slos,
      ...(run.scenario === 'smoke' ? { thresholds: result.thresholds } : {}),
      ...(reportSmoke ? { smoke: reportSmoke } : {}),
      ...(onset !== undefined ? { rateOnsetRps: onset } : {}),
      ...(result.comparison !== undefined ? { comparison: result.comparison } : {}),
    }),
  );
}
