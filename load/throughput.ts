// Throughput: customers/s, requests/s and latency per batch size, one arrival-rate scenario per size.
import http from 'k6/http';
import type { Options } from 'k6/options';
import { recordAnswer } from './answers.ts';
import { ENDPOINT_URL, JSON_HEADERS, pooledBody } from './payload.ts';
import { SCENARIO_BATCH_ENV, SUMMARY_TREND_STATS, throughputScenarios } from './profiles.ts';
import { summaryOutputs } from './summary.ts';
import { assertTargetUp } from './target.ts';
import { throughputThresholds } from './thresholds.ts';

export const options: Options = {
  scenarios: throughputScenarios(),
  thresholds: throughputThresholds(),
  summaryTrendStats: SUMMARY_TREND_STATS,
};

export function setup(): void {
  assertTargetUp();
}

/** This VU's iteration count: cheaper than k6/execution, which builds an object per read. */
let iteration = 0;

/**
 * The same object every request: k6 reads params on every call, so nothing is built per request.
 * No `name` tag: the URL is constant, so k6's default name (the URL) groups the same requests.
 */
const PARAMS = { headers: JSON_HEADERS };

export function issue(): void {
  const batchSize = Number(__ENV[SCENARIO_BATCH_ENV]);
  recordAnswer(http.post(ENDPOINT_URL, pooledBody(batchSize, __VU, iteration++), PARAMS));
}

export function handleSummary(data: unknown): Record<string, string> {
  return summaryOutputs('throughput', data);
}
