// The batch size to choose from a load run's figures: each batch size's option (rate, concurrency,
// durations) and `decide`, the one decision that `plan` (src/load/plan.ts) and the report's
// "What to choose" both come from.
import { notIssuedReason } from './issued.js';
import type { BatchFigures, LoadSummary } from './summary.js';

/**
 * Share of the host a campaign plans to use by default: of its measured capacity or of its rate
 * limit, whichever is lower; the rest absorbs bursts, retries and other clients.
 */
export const DEFAULT_UTILISATION = 0.7;

export interface PlanInput {
  /** Customers the campaign issues the promotion to (the report's decision has none: durations 0). */
  customers: number;
  /** Seconds the campaign may take, when it has a deadline. */
  deadlineSeconds?: number;
  /** The host's rate limit in requests/s, as declared by the user (wins over the summary's). */
  rateLimitRps?: number;
  /** BULK_API_BATCH_SIZE_FOR_REDIRECTION when the host has redirection enabled. */
  redirectionBatchSize?: number;
  /** Share of min(measured capacity, rate limit) the plan sends (default DEFAULT_UTILISATION). */
  utilisation?: number;
}

/** What one batch size would give the campaign. */
export interface PlanOption {
  batchSize: number;
  /** Requests/s the campaign should send: the utilisation share of the lower bound. */
  requestsPerSecond: number;
  /** Customers sent per second at that rate. */
  customersPerSecond: number;
  /** Customers issued per second at that rate (the run's issued share; 8890-warned are not issued). */
  issuedPerSecond: number;
  /** Which bound the rate is a share of: the run's measured requests/s, or the host's rate limit. */
  bound: { kind: 'measured capacity' | 'rate limit'; rps: number };
  /** Concurrent requests that hold that rate at the p95 latency, at most the run's VUs. */
  concurrency: number;
  /** Seconds to issue every customer at that rate. */
  expectedSeconds: number;
  /** Seconds when every request takes the p95 latency at that concurrency. */
  p95Seconds: number;
  /** The run had failed requests or failed customers at this batch size. */
  flawed: string[];
  /** Why this batch size's run mostly did not issue (src/load/issued.ts): it is never chosen. */
  notIssued?: string;
  /** Iterations k6 dropped: the target was saturated, the rate is its capacity at that concurrency. */
  droppedIterations: number;
  /** The run's concurrency cap (schemaVersion 2), when known. */
  measuredVus?: number;
}

/** The rate limit a plan respects, and where it came from. */
export interface RateLimit {
  rps: number;
  source: 'declared' | 'detected' | 'configured';
}

/** Failures of a batch size's run: its figures are not a base for a campaign. */
function flaws(b: BatchFigures): string[] {
  const out: string[] = [];
  if (b.failedRequestRate > 0) out.push(`${(b.failedRequestRate * 100).toFixed(2)}% of requests failed`);
  if (b.entityFailureRate > 0) out.push(`${(b.entityFailureRate * 100).toFixed(2)}% of customers failed`);
  return out;
}

/**
 * A batch size's plan: `utilisation` of the lower of its measured requests/s (its capacity when the
 * run was saturated; at least that when not) and the rate limit; the concurrency that holds it even
 * when every request takes the p95 latency, within the run's concurrency (beyond it there are no
 * figures), and the duration at that rate and at the rate that concurrency carries at p95.
 */
function option(
  b: BatchFigures,
  customers: number,
  limit: number | undefined,
  utilisation: number,
): PlanOption {
  const bound: PlanOption['bound'] =
    limit !== undefined && limit < b.requestsPerSecond
      ? { kind: 'rate limit', rps: limit }
      : { kind: 'measured capacity', rps: b.requestsPerSecond };
  const rps = bound.rps * utilisation;
  const p95 = b.latencyMs.p95 / 1000;
  const wanted = Math.max(1, Math.ceil(rps * p95));
  const concurrency = b.maxVus === undefined ? wanted : Math.min(wanted, b.maxVus);
  const requests = Math.ceil(customers / b.batchSize);
  const expectedSeconds = rps > 0 ? requests / rps : Number.POSITIVE_INFINITY;
  const p95Rps = p95 > 0 ? Math.min(rps, concurrency / p95) : rps;
  const p95Seconds = p95Rps > 0 ? requests / p95Rps : Number.POSITIVE_INFINITY;
  const notIssued = notIssuedReason(b);
  return {
    batchSize: b.batchSize,
    requestsPerSecond: rps,
    customersPerSecond: rps * b.batchSize,
    issuedPerSecond: rps * b.batchSize * (1 - b.failedRequestRate) * b.issuedRate,
    bound,
    concurrency,
    expectedSeconds,
    p95Seconds,
    flawed: flaws(b),
    ...(notIssued !== undefined ? { notIssued } : {}),
    droppedIterations: b.droppedIterations,
    ...(b.maxVus !== undefined ? { measuredVus: b.maxVus } : {}),
  };
}

/** The rate limit the plan respects: declared, else what a rate run detected or was configured with. */
function rateLimitOf(summary: LoadSummary, input: PlanInput): RateLimit | undefined {
  if (input.rateLimitRps !== undefined) return { rps: input.rateLimitRps, source: 'declared' };
  const r = summary.rate;
  if (r?.detectedLimitRps !== undefined && r.detectedLimitRps !== null)
    return { rps: r.detectedLimitRps, source: 'detected' };
  if (r?.configuredLimitRps !== undefined) return { rps: r.configuredLimitRps, source: 'configured' };
  return undefined;
}

/**
 * Picks the batch size: among runs that mostly issued, without failed requests or customers (all
 * that issued when none is clean) and within the redirection batch size when one is declared, the
 * smallest batch size that meets the deadline at p95; without a deadline, or when none meets it,
 * the one that issues most customers per second at the planned rate.
 */
function choose(options: PlanOption[], input: PlanInput): PlanOption | undefined {
  const issuing = options.filter((o) => o.notIssued === undefined && o.issuedPerSecond > 0);
  const clean = issuing.filter((o) => o.flawed.length === 0);
  let pool = clean.length > 0 ? clean : issuing;
  const redirection = input.redirectionBatchSize;
  if (redirection !== undefined && pool.some((o) => o.batchSize <= redirection))
    pool = pool.filter((o) => o.batchSize <= redirection);
  if (pool.length === 0) return undefined;
  const deadline = input.deadlineSeconds;
  if (deadline !== undefined) {
    const meeting = pool.filter((o) => o.p95Seconds <= deadline).sort((a, b) => a.batchSize - b.batchSize);
    if (meeting[0] !== undefined) return meeting[0];
  }
  return pool.reduce((a, b) => (b.issuedPerSecond > a.issuedPerSecond ? b : a));
}

/** What `decide` settles: every batch size's option, the rate limit and the choice. */
export interface Decision {
  /** The deadline the choice had to meet, when one was given. */
  deadlineSeconds?: number;
  rateLimit?: RateLimit;
  utilisation: number;
  options: PlanOption[];
  chosen?: PlanOption;
  /** The run mostly did not issue: one line per batch size that did not (no plan from it). */
  refused?: string[];
}

/**
 * The one decision from a throughput run: `plan` and the report's "What to choose" call it with the
 * same inputs, so they name the same batch size. A run where most answered customers were not
 * issued (8890 or errors, over all its batch sizes), or where no batch size issued, is refused.
 */
export function decide(summary: LoadSummary, input: PlanInput): Decision {
  const rateLimit = rateLimitOf(summary, input);
  const utilisation = input.utilisation ?? DEFAULT_UTILISATION;
  const measured = summary.rate === undefined ? summary.batches : [];
  const options = measured.map((b) => option(b, input.customers, rateLimit?.rps, utilisation));
  const answered = measured.reduce((n, b) => n + b.requests * (1 - b.failedRequestRate), 0);
  const issued = measured.reduce((n, b) => n + b.requests * (1 - b.failedRequestRate) * b.issuedRate, 0);
  const notIssued = options.flatMap((o) => o.notIssued ?? []);
  const mostlyNot = measured.length > 0 && (answered === 0 || issued / answered < 0.5);
  const chosen = mostlyNot ? undefined : choose(options, input);
  const refused = mostlyNot || (chosen === undefined && notIssued.length > 0) ? notIssued : undefined;
  return {
    ...(input.deadlineSeconds !== undefined ? { deadlineSeconds: input.deadlineSeconds } : {}),
    ...(rateLimit !== undefined ? { rateLimit } : {}),
    utilisation,
    options,
    ...(chosen !== undefined ? { chosen } : {}),
    ...(refused !== undefined ? { refused } : {}),
  };
}
