// handleSummary of every script: k6's end-of-test data as JSON for `directearn load`, a short text on stdout.
import { config } from './config.ts';

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

/** What starts the stdout line carrying the whole k6 summary when DIRECTEARN_SUMMARY_FILE is "-". */
export const SUMMARY_LINE_MARK = 'directearn-k6-summary ';

/**
 * The threshold verdicts on stdout, and k6's whole summary as JSON: into DIRECTEARN_SUMMARY_FILE,
 * or with "-" as one marked stdout line (a k6-operator runner pod, whose files vanish with it).
 */
export function summaryOutputs(script: string, data: unknown): Record<string, string> {
  const summary = data as SummaryData;
  const text = [`directearn ${script}: thresholds`, ...thresholdLines(summary), ''].join('\n');
  const outputs: Record<string, string> = { stdout: text };
  if (config.summaryFile === '-') outputs.stdout = `${text}${SUMMARY_LINE_MARK}${JSON.stringify(data)}\n`;
  else if (config.summaryFile !== '') outputs[config.summaryFile] = JSON.stringify(data);
  return outputs;
}
