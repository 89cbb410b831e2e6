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

export function issue(): void {
  const batchSize = Number(__ENV[SCENARIO_BATCH_ENV]);
  const body = pooledBody(batchSize, __VU, iteration++);
  const res = http.post(ENDPOINT_URL, body, { headers: JSON_HEADERS, tags: { name: 'directEarn' } });
  recordAnswer(res);
}

export function handleSummary(data: unknown): Record<string, string> {
  return summaryOutputs('throughput', data);
}
