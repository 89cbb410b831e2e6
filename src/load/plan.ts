// A campaign plan from a load run's figures: which batch size and concurrency to use, how long
// issuing N customers takes (median and p95), and plain warnings when the deadline or a limit bites.
import type { BatchFigures, LoadSummary } from './summary.js';

/** Share of the rate limit a campaign plans for: the rest absorbs bursts, retries and other clients. */
export const RATE_LIMIT_SHARE = 0.9;

export interface PlanInput {
  /** Customers the campaign issues the promotion to. */
  customers: number;
  /** Seconds the campaign may take, when it has a deadline. */
  deadlineSeconds?: number;
  /** The host's rate limit in requests/s, as declared by the user (wins over the summary's). */
  rateLimitRps?: number;
  /** BULK_API_BATCH_SIZE_FOR_REDIRECTION when the host has redirection enabled. */
  redirectionBatchSize?: number;
}

/** What one batch size would give the campaign. */
export interface PlanOption {
  batchSize: number;
  /** Requests/s the campaign should send: the measured rate, capped under the rate limit. */
  requestsPerSecond: number;
  customersPerSecond: number;
  /** Concurrent requests that hold that rate at the p95 latency, at most the run's VUs. */
  concurrency: number;
  /** Seconds to issue every customer at that rate. */
  expectedSeconds: number;
  /** Seconds when every request takes the p95 latency at that concurrency. */
  p95Seconds: number;
  /** The run had failed requests or failed customers at this batch size. */
  flawed: string[];
  /** Iterations k6 dropped: the target was saturated, the rate is its capacity at that concurrency. */
  droppedIterations: number;
  /** The run's concurrency cap (schemaVersion 2), when known. */
  measuredVus?: number;
}

export interface Plan {
  customers: number;
  deadlineSeconds?: number;
  /** The rate limit the plan respects, and where it came from; absent when none is known. */
  rateLimit?: { rps: number; source: 'declared' | 'detected' | 'configured' };
  redirectionBatchSize?: number;
  /** The recommendation; absent when no batch size of the summary has figures. */
  chosen?: PlanOption;
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

/** Failures of a batch size's run: its figures are not a base for a campaign. */
function flaws(b: BatchFigures): string[] {
  const out: string[] = [];
  if (b.failedRequestRate > 0) out.push(`${(b.failedRequestRate * 100).toFixed(2)}% of requests failed`);
  if (b.entityFailureRate > 0) out.push(`${(b.entityFailureRate * 100).toFixed(2)}% of customers failed`);
  return out;
}

/**
 * A batch size's plan: the measured rate (capped under the rate limit), the concurrency that holds
 * it even when every request takes the p95 latency, within the run's concurrency (beyond it there
 * are no figures), and the duration at that rate and at the rate that concurrency carries at p95.
 */
function option(b: BatchFigures, customers: number, cap: number | undefined): PlanOption {
  const rps = cap === undefined ? b.requestsPerSecond : Math.min(b.requestsPerSecond, cap);
  const p95 = b.latencyMs.p95 / 1000;
  const wanted = Math.max(1, Math.ceil(rps * p95));
  const concurrency = b.maxVus === undefined ? wanted : Math.min(wanted, b.maxVus);
  const requests = Math.ceil(customers / b.batchSize);
  const expectedSeconds = rps > 0 ? requests / rps : Number.POSITIVE_INFINITY;
  const p95Rps = p95 > 0 ? Math.min(rps, concurrency / p95) : rps;
  const p95Seconds = p95Rps > 0 ? requests / p95Rps : Number.POSITIVE_INFINITY;
  return {
    batchSize: b.batchSize,
    requestsPerSecond: rps,
    customersPerSecond: rps * b.batchSize,
    concurrency,
    expectedSeconds,
    p95Seconds,
    flawed: flaws(b),
    droppedIterations: b.droppedIterations,
    ...(b.maxVus !== undefined ? { measuredVus: b.maxVus } : {}),
  };
}

/** The rate limit the plan respects: declared, else what a rate run detected or was configured with. */
function rateLimitOf(summary: LoadSummary, input: PlanInput): Plan['rateLimit'] {
  if (input.rateLimitRps !== undefined) return { rps: input.rateLimitRps, source: 'declared' };
  const r = summary.rate;
  if (r?.detectedLimitRps !== undefined && r.detectedLimitRps !== null)
    return { rps: r.detectedLimitRps, source: 'detected' };
  if (r?.configuredLimitRps !== undefined) return { rps: r.configuredLimitRps, source: 'configured' };
  return undefined;
}

/**
 * Picks the batch size: among runs without failed requests or customers (all runs when none is
 * clean) and within the redirection batch size when one is declared, the smallest batch size that
 * meets the deadline at p95; without a deadline, or when none meets it, the fastest.
 */
function choose(options: PlanOption[], input: PlanInput): PlanOption | undefined {
  const clean = options.filter((o) => o.flawed.length === 0 && o.requestsPerSecond > 0);
  let pool = clean.length > 0 ? clean : options.filter((o) => o.requestsPerSecond > 0);
  const redirection = input.redirectionBatchSize;
  if (redirection !== undefined && pool.some((o) => o.batchSize <= redirection))
    pool = pool.filter((o) => o.batchSize <= redirection);
  if (pool.length === 0) return undefined;
  const deadline = input.deadlineSeconds;
  if (deadline !== undefined) {
    const meeting = pool.filter((o) => o.p95Seconds <= deadline).sort((a, b) => a.batchSize - b.batchSize);
    if (meeting[0] !== undefined) return meeting[0];
  }
  return pool.reduce((a, b) => (b.customersPerSecond > a.customersPerSecond ? b : a));
}

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
  const rateLimit = rateLimitOf(summary, input);
  const cap = rateLimit === undefined ? undefined : rateLimit.rps * RATE_LIMIT_SHARE;
  const measured = summary.rate === undefined ? summary.batches : [];
  const options = measured.map((b) => option(b, input.customers, cap));
  const chosen = choose(options, input);
  const warnings: string[] = [];
  const plan: Plan = {
    customers: input.customers,
    ...(input.deadlineSeconds !== undefined ? { deadlineSeconds: input.deadlineSeconds } : {}),
    ...(rateLimit !== undefined ? { rateLimit } : {}),
    ...(input.redirectionBatchSize !== undefined ? { redirectionBatchSize: input.redirectionBatchSize } : {}),
    options,
    warnings,
    notes: [],
    holds: false,
  };
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
        `the rate limit (${rateLimit.rps} requests/s, ${rateLimit.source}) is below the rate the run offered at batch size ${chosen.batchSize} (${Number(offered.toFixed(1))} requests/s): the plan sends ${Number(chosen.requestsPerSecond.toFixed(1))} requests/s (${RATE_LIMIT_SHARE * 100}% of the limit), not what the run measured`,
      );
    }
  }
  if (input.deadlineSeconds !== undefined) {
    plan.headroomSeconds = input.deadlineSeconds - chosen.p95Seconds;
    const needed = input.customers / input.deadlineSeconds;
    if (chosen.expectedSeconds > input.deadlineSeconds) {
      warnings.push(
        `the deadline (${formatSeconds(input.deadlineSeconds)}) cannot be met: it needs ${Math.ceil(needed)} customers/s, the best measured batch size (${chosen.batchSize}) gives ${Math.floor(chosen.customersPerSecond)} customers/s and takes ${formatSeconds(chosen.expectedSeconds)}`,
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
  if (
    chosen.droppedIterations > 0 &&
    chosen.requestsPerSecond >= (source(summary, chosen)?.requestsPerSecond ?? 0)
  ) {
    plan.notes.push(
      `the run at batch size ${chosen.batchSize} was saturated (k6 dropped ${chosen.droppedIterations} iterations at ${chosen.measuredVus ?? 'its'} VUs): ${Math.floor(chosen.customersPerSecond)} customers/s is the target's capacity, the campaign leaves it no spare capacity`,
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
      `batch size ${c.batchSize}, concurrency ${c.concurrency}: ${Number(c.requestsPerSecond.toFixed(1))} requests/s, ${Math.floor(c.customersPerSecond)} customers/s`,
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
        : `rate limit: ${plan.rateLimit.rps} requests/s (${plan.rateLimit.source}); the plan stays at ${RATE_LIMIT_SHARE * 100}% of it`,
    );
  }
  for (const n of plan.notes) lines.push(`note: ${n}`);
  for (const w of plan.warnings) lines.push(`WARNING: ${w}`);
  return lines;
}
