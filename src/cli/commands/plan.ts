// `directearn plan`: the batch size, concurrency and duration of a campaign, from a load run's summary.json.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_OUT_DIR, DEFAULT_REDIRECTION_BATCH_SIZE } from '../../config/defaults.js';
import type { PlanInput } from '../../load/plan.js';
import type { LoadSummary } from '../../load/summary.js';
import { printable } from '../../util/printable.js';
import { writeFileSafe } from '../../util/safe-write.js';
import { type CliIO, type Command, parseFlags, UsageError } from '../command.js';
import { durationFlag, intOption, stringOption } from '../flags.js';

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
  --deadline DURATION         time the campaign may take: seconds (90) or numbers with ms, s, m or h,
                              e.g. 45m, 2h, 1h30m, 90s
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

const PLAN_FLAGS = {
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
} as const;

/** What `directearn plan` was asked, every flag checked. */
interface PlanRequest {
  input: PlanInput;
  /** capacity.json (preferred: its rates are the host's under the SLOs, an open model) or summary.json. */
  from: { kind: 'capacity' | 'summary'; path: string };
  html?: { path: string; shown: string };
  json: boolean;
}

/** argv and the environment into one PlanRequest; a UsageError names the first bad flag. */
function settlePlan(args: string[], io: CliIO): PlanRequest {
  const { values } = parseFlags(args, PLAN_FLAGS);
  if (values.customers === undefined) throw new UsageError('--customers N is required');
  const customers = intOption(values.customers as string, '--customers', 0, { min: 1 });
  const deadline = durationFlag(values.deadline, '--deadline', { max: Number.POSITIVE_INFINITY });
  const rateRaw = stringOption(values['rate-limit'], io.env, 'DIRECTEARN_RATE_LIMIT');
  const rateLimit = rateRaw === undefined ? undefined : rateLimitRps(rateRaw);
  if (rateRaw !== undefined && rateLimit === undefined)
    throw new UsageError(`--rate-limit must be like 100/min, 5/s or 5 (per second), got "${rateRaw}"`);
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
  if (typeof values.capacity === 'string' && typeof values.summary === 'string')
    throw new UsageError('give --capacity or --summary, not both');
  const capacity =
    typeof values.capacity === 'string'
      ? resolve(io.cwd, values.capacity)
      : values.summary === undefined && existsSync(resolve(io.cwd, DEFAULT_CAPACITY))
        ? resolve(io.cwd, DEFAULT_CAPACITY)
        : undefined;
  const html = typeof values.html === 'string' ? values.html : undefined;
  return {
    input: {
      customers,
      ...(deadline !== undefined ? { deadlineSeconds: deadline.seconds } : {}),
      ...(rateLimit !== undefined ? { rateLimitRps: rateLimit } : {}),
      ...(redirectionBatchSize !== undefined ? { redirectionBatchSize } : {}),
      ...(utilisation !== undefined ? { utilisation } : {}),
    },
    from:
      capacity !== undefined
        ? { kind: 'capacity', path: capacity }
        : {
            kind: 'summary',
            path: resolve(io.cwd, (values.summary as string | undefined) ?? DEFAULT_SUMMARY),
          },
    ...(html !== undefined ? { html: { path: resolve(io.cwd, html), shown: html } } : {}),
    json: values.json === true,
  };
}

/** The run's figures: a summary.json, or capacity.json read as one (with what it left out, and its 429 limit). */
async function readFigures(request: PlanRequest): Promise<{ summary: LoadSummary; notes: string[] }> {
  if (request.from.kind === 'summary') {
    const { readSummary } = await import('../../load/summary.js');
    return { summary: readSummary(request.from.path, '--summary'), notes: [] };
  }
  const { capacityAsSummary, readCapacity } = await import('../../capacity/read.js');
  const read = capacityAsSummary(readCapacity(request.from.path, '--capacity'));
  const notes = read.left.map((l) => `left out of the plan: ${l}`);
  if (request.input.rateLimitRps === undefined && read.rateLimitRps !== undefined) {
    request.input.rateLimitRps = read.rateLimitRps;
    notes.push(
      `rate limit ${Number(read.rateLimitRps.toFixed(2))} requests/s seen by the capacity search (429s)`,
    );
  }
  return { summary: read.summary, notes };
}

export const command: Command = {
  name: 'plan',
  summary: 'plan a campaign (batch size, concurrency, duration) from a load run',
  help,
  async run(args, io) {
    const request = settlePlan(args, io);
    const { planCampaign, planLines } = await import('../../load/plan.js');
    const { summary, notes } = await readFigures(request);
    const plan = planCampaign(summary, request.input);
    const customers = request.input.customers;
    if (request.html !== undefined) {
      const { renderReport } = await import('../../load/report.js');
      const page = renderReport(summary, {
        scenario: summary.rate === undefined ? 'throughput' : 'rate',
        plan: [`for ${customers} customers:`, ...planLines(plan)],
        decision: plan,
      });
      try {
        writeFileSafe(request.html.path, page);
      } catch (e) {
        throw new UsageError(
          `--html ${request.html.shown} cannot be written: ${(e as NodeJS.ErrnoException).code ?? e}`,
        );
      }
    }
    if (request.json)
      io.out(
        JSON.stringify(
          { [request.from.kind]: request.from.path, ...plan, notes: [...notes, ...plan.notes] },
          null,
          2,
        ),
      );
    else {
      io.out(
        `plan for ${customers} customers from ${printable(request.from.path)} (run of ${printable(summary.startedAt)})`,
      );
      for (const line of notes) io.out(`note: ${line}`);
      for (const line of planLines(plan)) io.out(line);
    }
    return plan.holds ? 0 : 1;
  },
};
