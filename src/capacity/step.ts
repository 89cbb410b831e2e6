// One step of the capacity search: k6 runs k6/capacity.ts at one arrival rate and batch size (as
// one process, or as N runners with the k6-operator's execution segments whose figures are merged),
// and the step is judged: good when the SLOs hold, no 429 came and k6 sent what it was asked to.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { UserFacingError } from '../errors.js';
import { mergedPercentile, mergedRankBound, type RankedSketch } from '../load/merge-sketches.js';
import type { K6SummaryData } from '../load/read-k6-summary.js';
import { checkSlos, type Slo } from '../load/slo.js';
import type { BatchFigures } from '../load/summary.js';
import { printable } from '../util/output-path.js';
import type { Judged, Phase, StepVerdict } from './search.js';
import { runStepK6, type StepSettings } from './step-k6.js';

export type { StepSettings } from './step-k6.js';

const K6_ABORTED = 108; // k6's exit code when the script called exec.test.abort()

/** Requests a step sends at least, so its percentiles and shares mean something. */
export const MIN_REQUESTS_PER_STEP = 10;
/** k6 must send this share of what it was asked to, or the step is the generator's limit. */
export const GENERATOR_MIN_SHARE = 0.99;

export interface CapacityStep extends Judged {
  phase: Phase;
  /** Offered arrival rate, requests/s (what k6 was asked to start). */
  offeredRequestsPerSecond: number;
  /** Requests k6 sent per second of the step. */
  achievedRequestsPerSecond: number;
  /**
   * 200 answers per second over the span from the first to the last one: the request rate the host
   * sustained (past the knee, less than offered: its queue holds the rest), at most what k6 sent.
   */
  servedRequestsPerSecond: number;
  /** Issued customers (earned with ids, neither warned nor failed) per second at that rate. */
  issuedPerSecond: number;
  requests: number;
  customersSent: number;
  latencyMs: { p50: number; p95: number; p99: number };
  /** Shares of requests: errors (non-200 other than 429, or no answer) and 429s. */
  errorShare: number;
  rateLimitedShare: number;
  /** Shares of answered customers: warned (8890, not issued) and failed. */
  warnedShare: number;
  failedCustomerShare: number;
  droppedIterations: number;
  /** Most VUs k6 had at once, and its cap. */
  vus: number;
  maxVus: number;
  /** From the 429s: the largest X-RateLimit-Limit and Retry-After the target sent. */
  rateLimitHeader?: number;
  retryAfterSeconds?: number;
  /** Why the step is not good, in words (the SLO crossed, the 429s, what k6 could not send). */
  reason?: string;
  /** With --runners N > 1: N, and the merged percentiles' rank error in percentile points. */
  runners?: number;
  rankBoundPoints?: number;
}

/** The requests a step at `customersPerSecond` sends: at least MIN_REQUESTS_PER_STEP, as a rate per minute k6 takes. */
export function stepPlan(customersPerSecond: number, batchSize: number, seconds: number) {
  const requests = Math.max(MIN_REQUESTS_PER_STEP, Math.round((customersPerSecond / batchSize) * seconds));
  const ratePerMinute = Math.max(1, Math.round((requests * 60) / seconds));
  const scheduled = Math.floor((ratePerMinute * seconds) / 60);
  return { ratePerMinute, scheduled, customers: scheduled * batchSize };
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Runs one step with k6 and judges it. `maxIterations` caps what it may send (the budget). */
export async function runStep(
  s: StepSettings,
  customersPerSecond: number,
  phase: Phase,
  maxIterations: number,
): Promise<CapacityStep> {
  const plan = stepPlan(customersPerSecond, s.batchSize, s.seconds);
  const count = s.runners ?? 1;
  const summaryFiles = Array.from({ length: count }, (_, i) =>
    join(s.dir, count === 1 ? 'k6-step-summary.json' : `k6-step-summary-${i + 1}.json`),
  );
  for (const f of summaryFiles) rmSync(f, { force: true });
  const { codes, errors, insufficientVus } = await runStepK6(
    s,
    plan.ratePerMinute,
    maxIterations,
    summaryFiles,
  );
  const missing = summaryFiles.findIndex((f) => !existsSync(f));
  if (missing >= 0) {
    throw new UserFacingError(
      `k6${count > 1 ? ` (runner ${missing + 1} of ${count})` : ''} exited with code ${codes[missing]} before the step's summary${errors.length > 0 ? `: ${printable(errors.at(-1) as string)}` : ''}`,
    );
  }
  // Setup aborted (target down, refused): the summary has nothing sent; not the generator's limit.
  const aborted = codes.indexOf(K6_ABORTED);
  if (aborted >= 0)
    throw new UserFacingError(
      `k6${count > 1 ? ` (runner ${aborted + 1} of ${count})` : ''} stopped the step: ${printable(errors.at(-1) ?? 'the script aborted the test')}`,
    );
  const data = summaryFiles.map((f) => JSON.parse(readFileSync(f, 'utf8')) as K6SummaryData);
  const step = stepFigures(data, s, plan.ratePerMinute / 60, phase, insufficientVus);
  return judge(
    step,
    s.slos,
    Math.min(plan.scheduled, maxIterations > 0 ? maxIterations : Number.POSITIVE_INFINITY),
  );
}

/**
 * A step's figures from k6's summary (k6/capacity.ts's metrics of scenario `step`), or from the
 * summaries of its runners merged: counts summed; percentiles through the runners' latency sketches
 * (src/load/merge-sketches.ts, within rankBoundPoints); the generator guard on the whole (dropped
 * iterations and VUs summed, requests against the whole step's schedule).
 */
export function stepFigures(
  summaries: K6SummaryData | readonly K6SummaryData[],
  s: Pick<StepSettings, 'batchSize' | 'seconds' | 'maxVus'>,
  offeredRps: number,
  phase: Phase,
  insufficientVus = 0,
): CapacityStep {
  const all = Array.isArray(summaries) ? summaries : [summaries as K6SummaryData];
  const at = (data: K6SummaryData, metric: string, stat: string, tagged = true) =>
    data.metrics[tagged ? `${metric}{scenario:step}` : metric]?.values[stat] ?? 0;
  const sum = (metric: string, tagged = true) => all.reduce((n, d) => n + at(d, metric, 'count', tagged), 0);
  const max = (metric: string, stat = 'max') => Math.max(0, ...all.map((d) => at(d, metric, stat, false)));
  const requests = sum('http_reqs');
  const answered = sum('directearn_customers_answered');
  const limited = sum('directearn_status_429');
  const limitHeader = max('directearn_ratelimit_limit');
  const retryAfters = all.flatMap((d) => d.metrics.directearn_retry_after_seconds?.values.max ?? []);
  const retryAfter = retryAfters.length > 0 ? Math.max(...retryAfters) : undefined;
  // k6 starts the step's first request at 0 s and the last at its end: N + 1 arrivals at 1/rate
  // apart span `seconds + 1/rate`, the time the per-second figures are over.
  const span = s.seconds + (offeredRps > 0 ? 1 / offeredRps : 0);
  // The served rate of each runner over its own answers' span; the runners run at the same time
  // over the same step (started together, each at its share of the arrivals), so their rates add.
  // Their answer times are not pooled: each is measured from its own process's start, and those
  // starts differ by the processes' start-up. The sum is capped at what k6 sent over the step.
  const servedCount = sum('directearn_requests_served');
  const served = all.reduce((total, d) => {
    const n = at(d, 'directearn_requests_served', 'count');
    const when = d.metrics.directearn_answered_after_ms?.values;
    const middle = when === undefined ? 0 : ((when['p(90)'] ?? 0) - (when['p(10)'] ?? 0)) / 1000;
    // Between the 10th and 90th percentile of n answer times lie 80% of their n - 1 intervals.
    return total + (n >= MIN_REQUESTS_PER_STEP && middle > 0 ? (0.8 * (n - 1)) / middle : n / span);
  }, 0);
  const servedRps = Math.min(requests / span, served);
  const sketches = all.map((d) => sketchOf(d, at(d, 'http_reqs', 'count')));
  // One process: k6's own percentiles; several: merged from their sketches.
  const percentile = (rank: number) =>
    all.length === 1
      ? at(all[0] as K6SummaryData, 'http_req_duration', `p(${rank})`)
      : mergedPercentile(sketches, rank);
  const step: CapacityStep = {
    phase,
    verdict: 'good',
    offeredCustomersPerSecond: round(offeredRps * s.batchSize),
    offeredRequestsPerSecond: round(offeredRps),
    achievedRequestsPerSecond: round(requests / span),
    servedRequestsPerSecond: round(servedRps),
    issuedPerSecond: round(
      servedCount > 0 ? (servedRps * sum('directearn_customers_issued')) / servedCount : 0,
    ),
    requests,
    customersSent: sum('directearn_customers_sent'),
    latencyMs: { p50: round(percentile(50)), p95: round(percentile(95)), p99: round(percentile(99)) },
    errorShare: round(requests > 0 ? sum('directearn_status_error') / requests : 0, 4),
    rateLimitedShare: round(requests > 0 ? limited / requests : 0, 4),
    warnedShare: round(answered > 0 ? sum('directearn_customers_warned') / answered : 0, 4),
    failedCustomerShare: round(answered > 0 ? sum('directearn_customers_failed') / answered : 0, 4),
    droppedIterations: sum('dropped_iterations'),
    // Each runner's most VUs at once, added: at most what the runners had together.
    vus: all.reduce((n, d) => n + at(d, 'directearn_step_vus_max', 'max', false), 0),
    maxVus: s.maxVus,
    ...(limitHeader > 0 ? { rateLimitHeader: limitHeader } : {}),
    ...(retryAfter !== undefined && limited > 0 ? { retryAfterSeconds: retryAfter } : {}),
    ...(all.length > 1 ? { runners: all.length, rankBoundPoints: round(mergedRankBound(sketches), 3) } : {}),
  };
  if (insufficientVus > 0) step.reason = `k6 ran out of VUs (${s.maxVus}, --max-vus)`;
  return step;
}

/**
 * A runner's latency sketch: every percentile k6 reported for the step's http_req_duration (its
 * summaryTrendStats ask for k6/sketch.ts's dense grid), with min and max as ranks 0 and 100.
 */
function sketchOf(data: K6SummaryData, count: number): RankedSketch {
  const values = data.metrics['http_req_duration{scenario:step}']?.values ?? {};
  const points = Object.entries(values)
    .map(([stat, value]) => {
      const p = /^p\((\d+(?:\.\d+)?)\)$/.exec(stat);
      const rank = stat === 'min' ? 0 : stat === 'max' ? 100 : p !== null ? Number(p[1]) : Number.NaN;
      return [rank, value] as const;
    })
    .filter(([rank]) => rank >= 0 && rank <= 100)
    .sort((a, b) => a[0] - b[0]);
  return { count, ranks: points.map((x) => x[0]), values: points.map((x) => x[1]) };
}

/** The step's figures as a batch size's, so `--slo` means the same here as for `load`. */
export function asBatchFigures(step: CapacityStep, batchSize: number): BatchFigures {
  return {
    batchSize,
    requests: step.requests,
    requestsPerSecond: step.achievedRequestsPerSecond,
    customersPerSecond: round(step.achievedRequestsPerSecond * batchSize),
    issuedPerSecond: step.issuedPerSecond,
    issuedRate: round(Math.max(0, 1 - step.warnedShare - step.failedCustomerShare), 4),
    latencyMs: step.latencyMs,
    failedRequestRate: step.errorShare,
    entityFailureRate: step.failedCustomerShare,
    warningRate: step.warnedShare,
    droppedIterations: step.droppedIterations,
  };
}

/**
 * The verdict: a 429 makes it `rate-limit`; a crossed SLO `latency` (a p50/p95/p99 SLO) or
 * `errors` (any other); when both hold but k6 did not send what was scheduled (dropped iterations,
 * fewer than GENERATOR_MIN_SHARE of the requests, VUs at the cap) it is the generator's limit.
 */
export function judge(step: CapacityStep, slos: Slo[], scheduled: number): CapacityStep {
  const set = (verdict: StepVerdict, reason: string): CapacityStep => ({ ...step, verdict, reason });
  if (step.rateLimitedShare > 0)
    return set('rate-limit', `${Math.round(step.rateLimitedShare * step.requests)} request(s) answered 429`);
  const crossed = checkSlos(
    [asBatchFigures(step, step.customersSent / Math.max(1, step.requests))],
    slos,
  ).filter((r) => !r.ok);
  const latency = crossed.find((r) => /^p\d+_ms/.test(r.slo));
  if (latency !== undefined)
    return set('latency', `SLO ${latency.slo} crossed (measured ${latency.measured})`);
  if (crossed.length > 0)
    return set('errors', `SLO ${crossed[0]?.slo} crossed (measured ${crossed[0]?.measured})`);
  const short = step.requests < GENERATOR_MIN_SHARE * scheduled - 1;
  if (step.droppedIterations > 0 || short || step.reason !== undefined) {
    const why = [
      step.droppedIterations > 0 ? `${step.droppedIterations} dropped iteration(s)` : '',
      short ? `sent ${step.requests} of ${scheduled} requests` : '',
      step.reason ?? '',
    ].filter((x) => x !== '');
    return set('generator', `k6 could not send the offered rate: ${why.join(', ')}`);
  }
  return step;
}
