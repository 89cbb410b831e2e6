// A campaign plan from a load run's figures: which batch size and concurrency to use, how long
// issuing N customers takes (median and p95), and plain warnings when the deadline or a limit bites.
// The choice itself is `decide` (src/load/batch-decision.ts), which the report's "What to choose"
// shares.
import { decide, type PlanInput, type PlanOption, type RateLimit } from './batch-decision.js';
import type { BatchFigures, LoadSummary } from './summary.js';

export {
  DEFAULT_UTILISATION,
  type Decision,
  decide,
  type PlanInput,
  type PlanOption,
  type RateLimit,
} from './batch-decision.js';

export interface Plan {
  customers: number;
  deadlineSeconds?: number;
  /** The rate limit the plan respects, and where it came from; absent when none is known. */
  rateLimit?: RateLimit;
  redirectionBatchSize?: number;
  /** Share of the lower bound the plan sends (--utilisation). */
  utilisation: number;
  /** The recommendation; absent when no batch size of the summary has figures, or the run did not issue. */
  chosen?: PlanOption;
  /** Why no plan can be made from this run: it mostly did not issue (plan exits 1). */
  refused?: string[];
  /** Deadline minus the p95 duration, seconds (negative: the deadline is missed at p95). */
  headroomSeconds?: number;
  /** Every measured batch size, for comparison. */
  options: PlanOption[];
  /** Plain sentences a person must read before the campaign. */
  warnings: string[];
  /** What the figures mean for the plan, not a problem by themselves. */
  notes: string[];
  /** A batch size was chosen, it meets the deadline at p95 and fits the redirection batch size. */
  holds: boolean;
}

const pct = (share: number): string => `${Number((share * 100).toFixed(1))}%`;

const source = (summary: LoadSummary, o: PlanOption): BatchFigures | undefined =>
  summary.batches.find((b) => b.batchSize === o.batchSize);

/** Seconds as "2 h 5 min", "3 min 20 s" or "12.5 s". */
export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return 'never';
  if (seconds < 60) return `${Number(seconds.toFixed(1))} s`;
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h > 0) return `${h} h ${m} min`;
  return `${m} min ${s % 60} s`;
}

/** The plan for `input.customers` customers from a summary's throughput figures. */
export function planCampaign(summary: LoadSummary, input: PlanInput): Plan {
  const { rateLimit, utilisation, options, chosen, refused } = decide(summary, input);
  const warnings: string[] = [];
  const plan: Plan = {
    customers: input.customers,
    ...(input.deadlineSeconds !== undefined ? { deadlineSeconds: input.deadlineSeconds } : {}),
    ...(rateLimit !== undefined ? { rateLimit } : {}),
    ...(input.redirectionBatchSize !== undefined ? { redirectionBatchSize: input.redirectionBatchSize } : {}),
    utilisation,
    options,
    warnings,
    notes: [],
    holds: false,
  };
  if (refused !== undefined) {
    plan.refused = refused;
    warnings.push(
      `no plan from this run: it mostly did not issue (${refused.join('; ') || 'no customer was issued'}); re-run directearn load with fresh customers or a promotion that issues`,
    );
    return plan;
  }
  if (chosen === undefined) {
    warnings.push(
      summary.rate !== undefined
        ? 'this summary is from a rate run: plan from a throughput run (directearn load) and pass its limit with --rate-limit'
        : 'no batch size of this summary has figures: run directearn load first',
    );
    return plan;
  }
  plan.chosen = chosen;
  if (rateLimit !== undefined) {
    const measured = source(summary, chosen);
    const offered = measured?.offeredRequestsPerSecond ?? measured?.requestsPerSecond ?? 0;
    if (rateLimit.rps < offered) {
      warnings.push(
        `the rate limit (${rateLimit.rps} requests/s, ${rateLimit.source}) is below the rate the run offered at batch size ${chosen.batchSize} (${Number(offered.toFixed(1))} requests/s): the plan sends ${Number(chosen.requestsPerSecond.toFixed(1))} requests/s (${pct(utilisation)} of ${chosen.bound.kind === 'rate limit' ? 'the limit' : 'the measured capacity, below the limit'}), not what the run measured`,
      );
    }
  }
  if (input.deadlineSeconds !== undefined) {
    plan.headroomSeconds = input.deadlineSeconds - chosen.p95Seconds;
    const needed = input.customers / input.deadlineSeconds;
    if (chosen.expectedSeconds > input.deadlineSeconds) {
      warnings.push(
        `the deadline (${formatSeconds(input.deadlineSeconds)}) cannot be met: it needs ${Math.ceil(needed)} customers/s, the best measured batch size (${chosen.batchSize}) gives ${Math.floor(chosen.customersPerSecond)} customers/s at ${pct(utilisation)} utilisation and takes ${formatSeconds(chosen.expectedSeconds)}`,
      );
    } else if (chosen.p95Seconds > input.deadlineSeconds) {
      warnings.push(
        `the deadline (${formatSeconds(input.deadlineSeconds)}) holds only at median latency: at p95 latency the campaign takes ${formatSeconds(chosen.p95Seconds)}`,
      );
    }
  }
  if (input.redirectionBatchSize !== undefined && chosen.batchSize > input.redirectionBatchSize) {
    warnings.push(
      `batch size ${chosen.batchSize} exceeds the redirection batch size ${input.redirectionBatchSize} (BULK_API_BATCH_SIZE_FOR_REDIRECTION): the host refuses larger requests; measure batch sizes up to ${input.redirectionBatchSize}`,
    );
  }
  if (chosen.flawed.length > 0) {
    warnings.push(`no batch size ran cleanly; batch size ${chosen.batchSize}: ${chosen.flawed.join(', ')}`);
  }
  if (chosen.droppedIterations > 0) {
    plan.notes.push(
      `the run at batch size ${chosen.batchSize} was saturated (k6 dropped ${chosen.droppedIterations} iterations at ${chosen.measuredVus ?? 'its'} VUs): its ${Math.floor((source(summary, chosen)?.requestsPerSecond ?? 0) * chosen.batchSize)} customers/s are the target's capacity; the plan uses ${pct(utilisation)} of ${chosen.bound.kind === 'measured capacity' ? 'it' : 'the rate limit, which is lower'}`,
    );
  }
  plan.holds =
    (plan.headroomSeconds === undefined || plan.headroomSeconds >= 0) &&
    (input.redirectionBatchSize === undefined || chosen.batchSize <= input.redirectionBatchSize);
  return plan;
}

/** The plan as lines for a terminal (also the HTML report's wording). */
export function planLines(plan: Plan): string[] {
  const lines: string[] = [];
  const c = plan.chosen;
  if (c !== undefined) {
    lines.push(
      `batch size ${c.batchSize}, concurrency ${c.concurrency}: ${Number(c.requestsPerSecond.toFixed(1))} requests/s, ${Math.floor(c.customersPerSecond)} customers/s (${Math.floor(c.issuedPerSecond)} issued/s)`,
      `utilisation: ${pct(plan.utilisation)} of the ${c.bound.kind} (${Number(c.bound.rps.toFixed(1))} requests/s${c.bound.kind === 'rate limit' ? `, ${plan.rateLimit?.source}` : ''}), the lower bound${plan.rateLimit === undefined ? ' (no rate limit known)' : ''}`,
      `${plan.customers} customers take ${formatSeconds(c.expectedSeconds)} (p95: ${formatSeconds(c.p95Seconds)})`,
    );
    if (plan.headroomSeconds !== undefined && plan.deadlineSeconds !== undefined) {
      const pct = Math.round((100 * plan.headroomSeconds) / plan.deadlineSeconds);
      lines.push(
        plan.headroomSeconds >= 0
          ? `headroom: ${formatSeconds(plan.headroomSeconds)} (${pct}% of the ${formatSeconds(plan.deadlineSeconds)} deadline) at p95`
          : `headroom: none, ${formatSeconds(-plan.headroomSeconds)} past the ${formatSeconds(plan.deadlineSeconds)} deadline at p95`,
      );
    }
    lines.push(
      plan.rateLimit === undefined
        ? 'rate limit: none known (declare it with --rate-limit, or plan from a rate run)'
        : `rate limit: ${plan.rateLimit.rps} requests/s (${plan.rateLimit.source})`,
    );
  }
  for (const n of plan.notes) lines.push(`note: ${n}`);
  for (const w of plan.warnings) lines.push(`WARNING: ${w}`);
  return lines;
}
