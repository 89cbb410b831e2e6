// `directearn plan`: the batch size, concurrency and duration of a campaign, from a load run's summary.json.
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_OUT_DIR, DEFAULT_REDIRECTION_BATCH_SIZE } from '../../config/defaults.js';
import { type Command, intOption, numberOption, parseFlags, stringOption, UsageError } from '../command.js';

const DEFAULT_SUMMARY = join(DEFAULT_OUT_DIR, 'load-throughput', 'summary.json');

const help = `Usage: directearn plan --customers N [--deadline DURATION] [--summary PATH] [flags]

Plans a campaign from the figures of a throughput run (directearn load): the batch size and
concurrency to use, how long issuing N customers takes (median and p95 latency) and the headroom
left before the deadline. The rate stays at 90% of the host's rate limit when one is known.

  --customers N               customers the campaign issues the promotion to (required)
  --deadline DURATION         time the campaign may take, e.g. 45m, 2h, 1h30m, 90s
  --summary PATH              summary.json of a throughput run (default ${DEFAULT_SUMMARY});
                              schemaVersion 1, 2 and 3 are read
  --rate-limit R              the host's rate limit, requests/s (env DIRECTEARN_RATE_LIMIT); default
                              the limit in the summary, if it is from a rate run
  --redirection               the host has BULK_API_REDIRECTION_ENABLED=true (batch size limit
                              ${DEFAULT_REDIRECTION_BATCH_SIZE} unless --redirection-batch-size)
  --redirection-batch-size N  the host's BULK_API_BATCH_SIZE_FOR_REDIRECTION (implies --redirection;
                              env BULK_API_BATCH_SIZE_FOR_REDIRECTION)
  --json                      print the plan as JSON
  --html FILE                 also write the run's report (charts, figures) with this plan in its
                              "What to choose" section

The plan prefers the smallest batch size that meets the deadline at p95 latency, among those whose
run neither dropped iterations nor failed; without a deadline, the fastest.

Exit code: 0 the plan meets the deadline (at p95) and fits the redirection batch size, 1 it does
not or the summary cannot be read, 2 bad flags.`;

/** Seconds of a duration like 90s, 45m, 2h or 1h30m. */
export function deadlineSeconds(raw: string): number | undefined {
  const text = raw.trim();
  if (!/^(\d+(\.\d+)?(h|m|s))+$/.test(text)) return undefined;
  let total = 0;
  for (const [, n, unit] of text.matchAll(/(\d+(?:\.\d+)?)(h|m|s)/g)) {
    total += Number(n) * { h: 3600, m: 60, s: 1 }[unit as 'h' | 'm' | 's'];
  }
  return total;
}

export const command: Command = {
  name: 'plan',
  summary: 'plan a campaign (batch size, concurrency, duration) from a load run',
  help,
  async run(args, io) {
    const { values } = parseFlags(args, {
      customers: { type: 'string' },
      deadline: { type: 'string' },
      summary: { type: 'string' },
      'rate-limit': { type: 'string' },
      redirection: { type: 'boolean' },
      'redirection-batch-size': { type: 'string' },
      json: { type: 'boolean' },
      html: { type: 'string' },
    });
    if (values.customers === undefined) throw new UsageError('--customers N is required');
    const customers = intOption(values.customers as string, '--customers', 0, { min: 1 });
    let deadline: number | undefined;
    if (typeof values.deadline === 'string') {
      deadline = deadlineSeconds(values.deadline);
      if (deadline === undefined || deadline <= 0)
        throw new UsageError(`--deadline must be a duration like 45m, 2h or 1h30m, got "${values.deadline}"`);
    }
    const rateRaw = stringOption(values['rate-limit'], io.env, 'DIRECTEARN_RATE_LIMIT');
    const rateLimitRps =
      rateRaw === undefined ? undefined : numberOption(rateRaw, '--rate-limit', 0, { min: 0.001 });
    const redirectionRaw = stringOption(
      values['redirection-batch-size'],
      io.env,
      'BULK_API_BATCH_SIZE_FOR_REDIRECTION',
    );
    const redirectionOn = values.redirection === true || io.env.BULK_API_REDIRECTION_ENABLED === 'true';
    const redirectionBatchSize =
      redirectionRaw !== undefined
        ? intOption(redirectionRaw, '--redirection-batch-size', 0, { min: 1 })
        : redirectionOn
          ? DEFAULT_REDIRECTION_BATCH_SIZE
          : undefined;
    const { readSummary } = await import('../../load/summary.js');
    const { planCampaign, planLines } = await import('../../load/plan.js');
    const summaryPath = resolve(io.cwd, (values.summary as string | undefined) ?? DEFAULT_SUMMARY);
    const summary = readSummary(summaryPath, '--summary');
    const plan = planCampaign(summary, {
      customers,
      ...(deadline !== undefined ? { deadlineSeconds: deadline } : {}),
      ...(rateLimitRps !== undefined ? { rateLimitRps } : {}),
      ...(redirectionBatchSize !== undefined ? { redirectionBatchSize } : {}),
    });
    if (typeof values.html === 'string') {
      const { renderReport } = await import('../../load/report.js');
      const htmlPath = resolve(io.cwd, values.html);
      const page = renderReport(summary, {
        scenario: summary.rate === undefined ? 'throughput' : 'rate',
        plan: [`for ${customers} customers:`, ...planLines(plan)],
      });
      try {
        writeFileSync(htmlPath, page);
      } catch (e) {
        throw new UsageError(
          `--html ${values.html} cannot be written: ${(e as NodeJS.ErrnoException).code ?? e}`,
        );
      }
    }
    if (values.json === true) io.out(JSON.stringify({ summary: summaryPath, ...plan }, null, 2));
    else {
      io.out(`plan for ${customers} customers from ${summaryPath} (run of ${summary.startedAt})`);
      for (const line of planLines(plan)) io.out(line);
    }
    return plan.holds ? 0 : 1;
  },
};
