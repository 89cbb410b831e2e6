// One step of the capacity search: k6 runs load/capacity.ts at one arrival rate and batch size, and
// the step is judged: good when the SLOs hold, no 429 came and k6 sent what it was asked to.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { UserFacingError } from '../errors.js';
import { runK6 } from '../load/k6.js';
import { checkSlos, type Slo } from '../load/slo.js';
import { unquote } from '../load/smoke.js';
import type { BatchFigures, K6SummaryData } from '../load/summary.js';
import { packageRoot } from '../spec/index.js';
import { printable } from '../util/output-path.js';
import type { Judged, Phase, StepVerdict } from './search.js';

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
}

export interface StepSettings {
  k6: string;
  batchSize: number;
  seconds: number;
  maxVus: number;
  slos: Slo[];
  /** The k6 scripts' variables of the run (target, identity, credentials); the step adds its own. */
  vars: Record<string, string>;
  env: NodeJS.ProcessEnv;
  dir: string;
  cwd?: string;
  onLine?: (line: string) => void;
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
  const summaryFile = join(s.dir, 'k6-step-summary.json');
  rmSync(summaryFile, { force: true });
  let insufficientVus = 0;
  const errors: string[] = [];
  const code = await runK6(
    s.k6,
    [
      'run',
      '--no-usage-report',
      '--no-color',
      '--quiet',
      '--address=',
      join(packageRoot, 'load', 'capacity.ts'),
    ],
    {
      ...s.env,
      ...s.vars,
      DIRECTEARN_BATCH_SIZES: String(s.batchSize),
      DIRECTEARN_DURATION: `${s.seconds}s`,
      DIRECTEARN_MAX_VUS: String(s.maxVus),
      DIRECTEARN_STEP_RATE_PER_MIN: String(plan.ratePerMinute),
      DIRECTEARN_STEP_MAX_ITERATIONS: String(maxIterations),
      DIRECTEARN_SUMMARY_FILE: summaryFile,
    },
    (line) => {
      if (/Insufficient VUs/.test(line)) insufficientVus++;
      const error = /level=error msg="((?:[^"\\]|\\.)*)"/.exec(line);
      if (error !== null) errors.push(unquote(error[1] as string));
      else if (/level=(warning|error)/.test(line) && !/Insufficient VUs/.test(line))
        s.onLine?.(printable(line, 500));
    },
    s.cwd,
  );
  if (!existsSync(summaryFile)) {
    throw new UserFacingError(
      `k6 exited with code ${code} before the step's summary${errors.length > 0 ? `: ${printable(errors.at(-1) as string)}` : ''}`,
    );
  }
  const data = JSON.parse(readFileSync(summaryFile, 'utf8')) as K6SummaryData;
  const step = stepFigures(data, s, plan.ratePerMinute / 60, phase, insufficientVus);
  return judge(
    step,
    s.slos,
    Math.min(plan.scheduled, maxIterations > 0 ? maxIterations : Number.POSITIVE_INFINITY),
  );
}

/** A step's figures from k6's summary (load/capacity.ts's metrics of scenario `step`). */
export function stepFigures(
  data: K6SummaryData,
  s: Pick<StepSettings, 'batchSize' | 'seconds' | 'maxVus'>,
  offeredRps: number,
  phase: Phase,
  insufficientVus = 0,
): CapacityStep {
  const v = (metric: string, stat: string, tagged = true) =>
    data.metrics[tagged ? `${metric}{scenario:step}` : metric]?.values[stat] ?? 0;
  const requests = v('http_reqs', 'count');
  const answered = v('directearn_customers_answered', 'count');
  const limited = v('directearn_status_429', 'count');
  const limitHeader = v('directearn_ratelimit_limit', 'max', false);
  const retryAfter = data.metrics.directearn_retry_after_seconds?.values.max;
  // k6 starts the step's first request at 0 s and the last at its end: N + 1 arrivals at 1/rate
  // apart span `seconds + 1/rate`, the time the per-second figures are over.
  const span = s.seconds + (offeredRps > 0 ? 1 / offeredRps : 0);
  const servedCount = v('directearn_requests_served', 'count');
  const at = data.metrics.directearn_answered_after_ms?.values;
  const middle = at === undefined ? 0 : ((at['p(90)'] ?? 0) - (at['p(10)'] ?? 0)) / 1000;
  // Between the 10th and 90th percentile of n answer times lie 80% of their n - 1 intervals.
  const servedRps = Math.min(
    requests / span,
    servedCount >= MIN_REQUESTS_PER_STEP && middle > 0
      ? (0.8 * (servedCount - 1)) / middle
      : servedCount / span,
  );
  const step: CapacityStep = {
    phase,
    verdict: 'good',
    offeredCustomersPerSecond: round(offeredRps * s.batchSize),
    offeredRequestsPerSecond: round(offeredRps),
    achievedRequestsPerSecond: round(requests / span),
    servedRequestsPerSecond: round(servedRps),
    issuedPerSecond: round(
      servedCount > 0 ? (servedRps * v('directearn_customers_issued', 'count')) / servedCount : 0,
    ),
    requests,
    customersSent: v('directearn_customers_sent', 'count'),
    latencyMs: {
      p50: round(v('http_req_duration', 'p(50)')),
      p95: round(v('http_req_duration', 'p(95)')),
      p99: round(v('http_req_duration', 'p(99)')),
    },
    errorShare: round(requests > 0 ? v('directearn_status_error', 'count') / requests : 0, 4),
    rateLimitedShare: round(requests > 0 ? limited / requests : 0, 4),
    warnedShare: round(answered > 0 ? v('directearn_customers_warned', 'count') / answered : 0, 4),
    failedCustomerShare: round(answered > 0 ? v('directearn_customers_failed', 'count') / answered : 0, 4),
    droppedIterations: v('dropped_iterations', 'count'),
    vus: v('directearn_step_vus_max', 'max', false),
    maxVus: s.maxVus,
    ...(limitHeader > 0 ? { rateLimitHeader: limitHeader } : {}),
    ...(retryAfter !== undefined && limited > 0 ? { retryAfterSeconds: retryAfter } : {}),
  };
  if (insufficientVus > 0) step.reason = `k6 ran out of VUs (${s.maxVus}, --max-vus)`;
  return step;
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
