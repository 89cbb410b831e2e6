// What every script's handleSummary writes (the k6 side; src/load/read-k6-summary.ts reads it):
// k6's end-of-test data as JSON for `directearn load`, the runner summary that merges with other
// runners' (k6/runner-summary.ts), a short text on stdout.
import exec from 'k6/execution';
import { config } from './config.ts';
import { OVER_CAP_METRIC, RUNNER_LINE_MARK, SUMMARY_LINE_MARK } from './contract.ts';
import { runnerSummary } from './runner-summary.ts';

interface SummaryData {
  metrics: Record<
    string,
    { type: string; values: Record<string, number>; thresholds?: Record<string, { ok: boolean }> }
  >;
}

/** Lines naming each threshold and whether it held, so a person running k6 by hand sees the verdict. */
function thresholdLines(data: SummaryData): string[] {
  const lines: string[] = [];
  for (const [name, metric] of Object.entries(data.metrics)) {
    for (const [expr, result] of Object.entries(metric.thresholds ?? {})) {
      if (expr === 'count>=0' || expr === 'value>=0') continue;
      lines.push(`  ${result.ok ? 'ok  ' : 'FAIL'} ${name} ${expr}`);
    }
  }
  return lines.sort();
}

/** This runner's execution segment and sequence as k6 took them from its flags (null when not given). */
function segmentOptions(): { segment: string | null; sequence: string | null } {
  const options = exec.test.options as {
    executionSegment?: string | null;
    executionSegmentSequence?: string | null;
  };
  return { segment: options.executionSegment ?? null, sequence: options.executionSegmentSequence ?? null };
}

/**
 * The threshold verdicts on stdout; k6's whole summary as JSON into DIRECTEARN_SUMMARY_FILE and the
 * runner summary (throughput, rate) into DIRECTEARN_RUNNER_SUMMARY_FILE. With "-", a k6-operator
 * runner pod whose files vanish with it, one marked stdout line: the runner summary (the smoke:
 * k6's whole summary).
 */
export function summaryOutputs(script: string, data: unknown): Record<string, string> {
  const summary = data as SummaryData;
  const text = [`directearn ${script}: thresholds`, ...thresholdLines(summary), ''].join('\n');
  const outputs: Record<string, string> = { stdout: text };
  // A run aborted over the answer cap reports nothing to merge: its figures are the target's.
  const overCap = (summary.metrics[OVER_CAP_METRIC]?.values.count ?? 0) > 0;
  const runner =
    !overCap && (script === 'throughput' || script === 'rate')
      ? (() => {
          const { segment, sequence } = segmentOptions();
          return JSON.stringify(runnerSummary(script, summary, segment, sequence));
        })()
      : undefined;
  if (config.summaryFile === '-') {
    outputs.stdout = overCap
      ? `${text}directearn ${script}: aborted, an answer over the cap; no summary to merge\n`
      : runner !== undefined
        ? `${text}${RUNNER_LINE_MARK}${runner}\n`
        : `${text}${SUMMARY_LINE_MARK}${JSON.stringify(data)}\n`;
  } else if (config.summaryFile !== '') outputs[config.summaryFile] = JSON.stringify(data);
  if (runner !== undefined && config.runnerSummaryFile !== '') outputs[config.runnerSummaryFile] = runner;
  return outputs;
}
