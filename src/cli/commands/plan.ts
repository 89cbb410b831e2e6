// `directearn plan`: the batch size, concurrency and duration of a campaign, from a load run's summary.json.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_OUT_DIR, DEFAULT_REDIRECTION_BATCH_SIZE } from '../../config/defaults.js';
import { printable } from '../../util/printable.js';
import { writeFileSafe } from '../../util/safe-write.js';
import { type Command, parseFlags, UsageError } from '../command.js';
import { intOption, stringOption } from '../flags.js';

const DEFAULT_SUMMARY = join(DEFAULT_OUT_DIR, 'load-throughput', 'summary.json');
const DEFAULT_CAPACITY = join(DEFAULT_OUT_DIR, 'capacity', 'capacity.json');

/** Requests/s of "100/min", "5/s" or "5" (per second); undefined when it is none of these. */
export function rateLimitRps(raw: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*(s|sec|second|m|min|minute))?\s*$/.exec(raw);
  if (m === null) return undefined;
  const n = Number(m[1]);
  if (!(n > 0)) return undefined;
  return m[2]?.startsWith('m') ? n / 60 : n;
}

const help = `Usage: directearn plan --customers N [--deadline DURATION] [--summary PATH] [flags]

Plans a campaign from the figures of a throughput run (directearn load): the batch size and
concurrency to use, how long issuing N customers takes (median and p95 latency) and the headroom
left before the deadline. The plan sends --utilisation (default 70%) of the lower of the host's
measured capacity (the run's requests/s at that batch size) and its rate limit, and says which
bound it used. Customers warned 8890 were not issued: rates are issued customers per second.

  --customers N               customers the campaign issues the promotion to (required)
  --deadline DURATION         time the campaign may take, e.g. 45m, 2h, 1h30m, 90s
  --capacity PATH             capacity.json of \`directearn capacity\`: the sustained rate per batch
                              size under the SLOs, preferred over a throughput summary (default
                              ${DEFAULT_CAPACITY} when it exists and --summary is not given)
  --summary PATH              summary.json of a throughput run (default ${DEFAULT_SUMMARY});
                              schemaVersion 1, 2 and 3 are read
  --rate-limit R              the host's rate limit: N/s, N/min (the real CRM's quotas are per minute
                              per API key) or N (per second) (env DIRECTEARN_RATE_LIMIT); default the
                              limit in the summary (a rate run) or capacity.json (a 429 seen)
  --redirection               the host has BULK_API_REDIRECTION_ENABLED=true (batch size limit
                              ${DEFAULT_REDIRECTION_BATCH_SIZE} unless --redirection-batch-size)
  --redirection-batch-size N  the host's BULK_API_BATCH_SIZE_FOR_REDIRECTION (implies --redirection;
                              env BULK_API_BATCH_SIZE_FOR_REDIRECTION)
  --utilisation P             share of min(measured capacity, rate limit) the plan sends, e.g. 70%
                              or 0.7 (default 70%)
  --json                      print the plan as JSON
  --html FILE                 also write the run's report (charts, figures) with this plan in its
                              "What to choose" section

The plan prefers the smallest batch size that meets the deadline at p95 latency, among those whose
run mostly issued and did not fail; without a deadline, the one issuing most customers per second.
The report's "What to choose" is the same decision (one function, the same inputs).

Exit code: 0 the plan meets the deadline (at p95) and fits the redirection batch size, 1 it does
not, the run mostly did not issue (8890 or errors: no plan is made from it) or the summary cannot
be read, 2 bad flags.`;

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

/** A share from "70%", "70" (percent) or "0.7"; more than 0 and at most 100%. */
export function parseUtilisation(raw: string): number {
  const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(raw.trim());
  const n = m === null ? Number.NaN : Number(m[1]);
  const share = m?.[2] === '%' || n > 1 ? n / 100 : n;
  if (!(share > 0 && share <= 1))
    throw new UsageError(
      `--utilisation must be a share above 0 and at most 100%, like 70% or 0.7, got "${raw}"`,
    );
  return share;
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
      capacity: { type: 'string' },
      'rate-limit': { type: 'string' },
      redirection: { type: 'boolean' },
      'redirection-batch-size': { type: 'string' },
      utilisation: { type: 'string' },
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
    let declaredRps: number | undefined;
    if (rateRaw !== undefined) {
      declaredRps = rateLimitRps(rateRaw);
      if (declaredRps === undefined)
        throw new UsageError(`--rate-limit must be like 100/min, 5/s or 5 (per second), got "${rateRaw}"`);
    }
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
    const utilisation =
      typeof values.utilisation === 'string' ? parseUtilisation(values.utilisation) : undefined;
    const { readSummary } = await import('../../load/summary.js');
    const { planCampaign, planLines } = await import('../../load/plan.js');
    if (typeof values.capacity === 'string' && typeof values.summary === 'string')
      throw new UsageError('give --capacity or --summary, not both');
    // capacity.json is preferred: its rates are the host's under the SLOs (an open model), not a
    // closed model's pace at 16 concurrent requests.
    const capacityPath =
      typeof values.capacity === 'string'
        ? resolve(io.cwd, values.capacity)
        : values.summary === undefined && existsSync(resolve(io.cwd, DEFAULT_CAPACITY))
          ? resolve(io.cwd, DEFAULT_CAPACITY)
          : undefined;
    const summaryPath =
      capacityPath ?? resolve(io.cwd, (values.summary as string | undefined) ?? DEFAULT_SUMMARY);
    let summary: Awaited<ReturnType<typeof readSummary>>;
    const fromCapacity: string[] = [];
    if (capacityPath !== undefined) {
      const { capacityAsSummary, readCapacity } = await import('../../capacity/read.js');
      const read = capacityAsSummary(readCapacity(capacityPath, '--capacity'));
      summary = read.summary;
      for (const l of read.left) fromCapacity.push(`left out of the plan: ${l}`);
      if (declaredRps === undefined && read.rateLimitRps !== undefined) {
        declaredRps = read.rateLimitRps;
        fromCapacity.push(
          `rate limit ${Number(read.rateLimitRps.toFixed(2))} requests/s seen by the capacity search (429s)`,
        );
      }
    } else summary = readSummary(summaryPath, '--summary');
    const plan = planCampaign(summary, {
      customers,
      ...(deadline !== undefined ? { deadlineSeconds: deadline } : {}),
      ...(declaredRps !== undefined ? { rateLimitRps: declaredRps } : {}),
      ...(redirectionBatchSize !== undefined ? { redirectionBatchSize } : {}),
      ...(utilisation !== undefined ? { utilisation } : {}),
    });
    if (typeof values.html === 'string') {
      const { renderReport } = await import('../../load/report.js');
      const htmlPath = resolve(io.cwd, values.html);
      const page = renderReport(summary, {
        scenario: summary.rate === undefined ? 'throughput' : 'rate',
        plan: [`for ${customers} customers:`, ...planLines(plan)],
        decision: plan,
      });
      try {
        writeFileSafe(htmlPath, page);
      } catch (e) {
        throw new UsageError(
          `--html ${values.html} cannot be written: ${(e as NodeJS.ErrnoException).code ?? e}`,
        );
      }
    }
    if (values.json === true)
      io.out(
        JSON.stringify(
          {
            [capacityPath !== undefined ? 'capacity' : 'summary']: summaryPath,
            ...plan,
            notes: [...fromCapacity, ...plan.notes],
          },
          null,
          2,
        ),
      );
    else {
      io.out(
        `plan for ${customers} customers from ${printable(summaryPath)} (run of ${printable(summary.startedAt)})`,
      );
      for (const line of fromCapacity) io.out(`note: ${line}`);
      for (const line of planLines(plan)) io.out(line);
    }
    return plan.holds ? 0 : 1;
  },
};
