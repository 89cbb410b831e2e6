// Rate: where do 429s start, what request rate does the target then accept, and is Retry-After honoured.
import { check, sleep } from 'k6';
import exec from 'k6/execution';
import http, { type RefinedResponse, type ResponseType } from 'k6/http';
import { Counter, Gauge, Trend } from 'k6/metrics';
import type { Options } from 'k6/options';
import { recordAnswer } from './answers.ts';
import { bounded, capAnswer, READ_ENDPOINT_URL } from './bounds.ts';
import { config } from './config.ts';
import { keepTokenFresh, OAUTH } from './oauth.ts';
import { directEarnBody, ENDPOINT_URL, JSON_HEADERS } from './payload.ts';
import { RATE_SCENARIOS, rateRampStartRps, rateScenarios, SUMMARY_TREND_STATS } from './profiles.ts';
import { summaryOutputs } from './summary-outputs.ts';
import { assertTargetUp } from './target.ts';
import { rateThresholds } from './thresholds.ts';

export const options: Options = {
  // A target's redirect is never followed: it would take our credentials to another host.
  maxRedirects: 0,
  // An answer is read only where a request asks for it (responseType 'text', send() below).
  discardResponseBodies: true,
  scenarios: rateScenarios(),
  thresholds: rateThresholds(),
  summaryTrendStats: SUMMARY_TREND_STATS,
};

/**
 * Requests accepted in the measured part of the steady window: divided by its length (reported as
 * directearn_rate_window_seconds), the detected limit. The first part of the window is left out:
 * the token bucket may still hold part of its burst when the steady rate starts.
 */
const accepted = new Counter('directearn_rate_accepted');
const windowSeconds = new Gauge('directearn_rate_window_seconds');
const SETTLE_MS = (config.durationSeconds * 1000) / 3;
const limited = new Counter('directearn_rate_limited');
/** Offered arrival rate when a 429 came back during the ramp; its min is where limiting starts. */
const rateAt429 = new Trend('directearn_rate_onset_rps');
const retryAfterSeconds = new Gauge('directearn_retry_after_seconds');
/** The X-RateLimit-Limit of the 429s (the largest): with a per-minute window, the quota per minute. */
const limitHeader = new Gauge('directearn_ratelimit_limit');

function noteLimit(res: RefinedResponse<ResponseType | undefined>): void {
  const limit = Number(res.headers['X-Ratelimit-Limit']);
  if (limit > 0) limitHeader.add(limit);
}
/** 1 when the target accepted again after waiting Retry-After, 0 when not, absent when no 429 came. */
const retryAfterHonoured = new Gauge('directearn_retry_after_honoured');

/** A 429 is an answer this run looks for, not a failed request. */
const expected = http.expectedStatuses(200, 429);

export function setup(): void {
  assertTargetUp();
  windowSeconds.add(config.durationSeconds - SETTLE_MS / 1000);
}

/** Every answer of the probe is read: before a --target, through the bounded relay (k6/bounds.ts). */
const SEND_PARAMS = bounded(
  {
    headers: JSON_HEADERS,
    tags: { name: 'directEarn' },
    responseCallback: expected,
    responseType: 'text' as const,
  },
  true,
);

function send(): RefinedResponse<ResponseType | undefined> {
  if (OAUTH) keepTokenFresh();
  const batch = config.rateBatchSize;
  const body = directEarnBody(batch, exec.scenario.iterationInTest * batch);
  const res = http.post(READ_ENDPOINT_URL, body, SEND_PARAMS);
  capAnswer(res.body);
  return res;
}

export function probe(): void {
  const res = send();
  const steady = exec.scenario.name === RATE_SCENARIOS.steady;
  if (res.status === 429) {
    limited.add(1);
    noteLimit(res);
    if (!steady) {
      const progress = Math.min(1, (Date.now() - exec.scenario.startTime) / (config.durationSeconds * 1000));
      const start = rateRampStartRps();
      rateAt429.add(start + (config.rateMaxRps - start) * progress);
    }
    return;
  }
  if (steady && res.status === 200 && Date.now() - exec.scenario.startTime >= SETTLE_MS) accepted.add(1);
  recordAnswer(res);
}

/** Seconds a Retry-After header asks for (delta-seconds or an HTTP date), or undefined when absent/bad. */
function retryAfter(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, (at - Date.now()) / 1000);
}

/** Drains the limit with parallel requests until a 429, waits Retry-After, then expects acceptance. */
export function recover(): void {
  const batch = Array.from({ length: 20 }, () => ({
    method: 'POST',
    url: ENDPOINT_URL,
    body: directEarnBody(config.rateBatchSize, 0),
    // Bodies not read (discardResponseBodies): straight to the target, within the deadline.
    params: bounded({ headers: JSON_HEADERS, tags: { name: 'directEarn' }, responseCallback: expected }),
  }));
  let limitedResponse: RefinedResponse<ResponseType | undefined> | undefined;
  const deadline = Date.now() + 10_000;
  while (limitedResponse === undefined && Date.now() < deadline) {
    limitedResponse = http.batch(batch).find((r) => r.status === 429);
  }
  if (limitedResponse === undefined) {
    console.warn(`rate: no 429 within 10 s of bursts: no limit to honour at ${config.baseUrl}`);
    return;
  }
  noteLimit(limitedResponse);
  const wait = retryAfter(limitedResponse.headers['Retry-After']);
  check(limitedResponse, { 'rate: a 429 carries Retry-After': () => wait !== undefined });
  if (wait === undefined) {
    retryAfterHonoured.add(0);
    return;
  }
  retryAfterSeconds.add(wait);
  sleep(wait);
  const again = send();
  const ok = check(again, {
    'rate: the target accepts again after waiting Retry-After': (r) => r.status === 200,
  });
  retryAfterHonoured.add(ok ? 1 : 0);
}

export function handleSummary(data: unknown): Record<string, string> {
  return summaryOutputs('rate', data);
}
