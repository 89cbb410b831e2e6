// Capacity: one step of `directearn capacity`'s search. An open model (constant arrival rate, k6
// starts requests on schedule whether or not earlier ones answered) at one batch size, every answer
// read: issued (earned with ids), warned (8890, not issued) and failed customers, 429s apart from
// other errors, and what the generator itself could not send (dropped iterations, VUs at the cap).
import exec from 'k6/execution';
import http from 'k6/http';
import { Counter, Gauge, Trend } from 'k6/metrics';
import type { Options } from 'k6/options';
import { abortOverCap, bounded, READ_CAP } from './bounds.ts';
import { config } from './config.ts';
import { answerFigures } from './figures.ts';
import { keepTokenFresh, OAUTH } from './oauth.ts';
import { buildPools, ENDPOINT_URL, JSON_HEADERS, pooledBody } from './payload.ts';
import { SUMMARY_TREND_STATS } from './profiles.ts';
import { summaryOutputs } from './summary-outputs.ts';
import { assertTargetUp } from './target.ts';

/** The step's scenario; the summary reads its metrics by this tag. */
export const STEP_SCENARIO = 'step';
const selector = `scenario:${STEP_SCENARIO}`;
const batchSize = config.batchSizes[0] as number;

export const options: Options = {
  // A target's redirect is never followed: it would take our credentials to another host.
  maxRedirects: 0,
  scenarios: {
    [STEP_SCENARIO]: {
      executor: 'constant-arrival-rate',
      exec: 'step',
      rate: config.stepRatePerMinute,
      timeUnit: '1m',
      duration: config.duration,
      // Two seconds' worth of requests ready before the step (VUs made during it make k6 drop
      // iterations while they start); more, up to the cap, as the target slows.
      preAllocatedVUs: Math.min(config.maxVus, Math.max(2, Math.ceil(config.stepRatePerMinute / 30))),
      maxVUs: config.maxVus,
      gracefulStop: '10s',
    },
  },
  // k6 reports a tagged sub-metric only when a threshold names it: these are all always true.
  thresholds: Object.fromEntries(
    [
      'http_reqs',
      'http_req_duration',
      'http_req_failed',
      'dropped_iterations',
      'directearn_customers_answered',
      'directearn_customers_issued',
      'directearn_requests_served',
      'directearn_customers_failed',
      'directearn_customers_warned',
      'directearn_customers_sent',
      'directearn_status_429',
      'directearn_status_error',
    ].map((m) => [
      `${m}{${selector}}`,
      [m === 'http_req_duration' ? 'p(95)>=0' : m === 'http_req_failed' ? 'rate>=0' : 'count>=0'],
    ]),
  ),
  summaryTrendStats: [...SUMMARY_TREND_STATS, 'p(10)', 'p(90)'],
  systemTags: ['scenario', 'status'],
};

const answered = new Counter('directearn_customers_answered');
/**
 * Issued customers, 200 answers, and when each 200 came (ms after the step started): the rate the
 * host answered at is the middle 80% of the answers over the time between their 10th and 90th
 * percentiles, whatever the rate it was offered (past the knee its queue holds the rest) and
 * however late a busy machine delivers the first or the last.
 */
const issued = new Counter('directearn_customers_issued');
const served = new Counter('directearn_requests_served');
const answeredAfter = new Trend('directearn_answered_after_ms');
const failures = new Counter('directearn_customers_failed');
const warnings = new Counter('directearn_customers_warned');
const sent = new Counter('directearn_customers_sent');
const limited = new Counter('directearn_status_429');
const errors = new Counter('directearn_status_error');
/** The most VUs the step had at once (k6's vus_max is the run's, this the step's own). */
const vusMax = new Gauge('directearn_step_vus_max');
/** Of the 429s: the X-RateLimit-Limit and Retry-After the target sent (the largest). */
const limitHeader = new Gauge('directearn_ratelimit_limit');
const retryAfter = new Gauge('directearn_retry_after_seconds');

// 429 is counted apart (a rate limit is not an error of the host), so it is an expected status.
// Before a --target, the exchange deadline is the timeout (k6/bounds.ts): an answer that takes
// longer is an error of the step.
const params = bounded({ headers: JSON_HEADERS, responseCallback: http.expectedStatuses(200, 429) });

export function setup(): void {
  assertTargetUp();
}

buildPools(__VU);

let iteration = 0;
/** Local bindings of the answer cap (k6/bounds.ts): an imported one is a lookup by name per read. */
const cap = READ_CAP;
const overCap = abortOverCap;

export function step(): void {
  // The customer budget: never more iterations than the step was given, whatever k6 schedules.
  // iterationInTest numbers the iterations of all execution segments together (runner 1 of 2 gets
  // 0, 2, 4, ...), so with `capacity --runners N` each runner keeps to its share of the step's cap.
  if (config.stepMaxIterations > 0 && exec.scenario.iterationInTest >= config.stepMaxIterations) return;
  if (OAUTH) keepTokenFresh();
  const body = pooledBody(batchSize, __VU, iteration++);
  sent.add(batchSize);
  vusMax.add(exec.instance.vusInitialized);
  const res = http.post(ENDPOINT_URL, body, params);
  // Every answer is read, straight from the target (no relay: it would be measured with the host).
  // One over the cap aborts the step: its figures are never reported as the host's capacity.
  const text = res.body;
  if (typeof text === 'string' && text.length > cap) overCap(text.length);
  if (res.status === 429) {
    limited.add(1);
    const limit = Number(res.headers['X-Ratelimit-Limit']);
    if (limit > 0) limitHeader.add(limit);
    const wait = Number(res.headers['Retry-After']);
    if (wait >= 0) retryAfter.add(wait);
    return;
  }
  if (res.status !== 200) {
    errors.add(1);
    return;
  }
  served.add(1);
  answeredAfter.add(Date.now() - exec.scenario.startTime);
  const figures = typeof text === 'string' ? answerFigures(text) : undefined;
  if (figures === undefined) return;
  answered.add(figures.total);
  failures.add(figures.failed);
  warnings.add(figures.warned);
  // A customer warned 8890 was not issued; a failed one neither.
  issued.add(Math.max(0, figures.total - figures.failed - figures.warned));
}

export function handleSummary(data: unknown): Record<string, string> {
  return summaryOutputs('capacity', data);
}
