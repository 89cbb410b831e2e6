// Throughput: customers/s, requests/s and latency per batch size, one arrival-rate scenario per size.
import exec from 'k6/execution';
import http from 'k6/http';
import { Counter } from 'k6/metrics';
import type { Options } from 'k6/options';
import { directEarnBody, ENDPOINT_URL, JSON_HEADERS } from './payload.ts';
import { SUMMARY_TREND_STATS, throughputScenarios } from './profiles.ts';
import { summaryOutputs } from './summary.ts';
import { assertTargetUp } from './target.ts';
import { throughputThresholds } from './thresholds.ts';

export const options: Options = {
  scenarios: throughputScenarios(),
  thresholds: throughputThresholds(),
  summaryTrendStats: SUMMARY_TREND_STATS,
};

const customersAnswered = new Counter('directearn_customers_answered');
const entityFailures = new Counter('directearn_entity_failures');
const entityWarnings = new Counter('directearn_entity_warnings');

interface EntryShape {
  warnings?: unknown[];
}

export function setup(): void {
  assertTargetUp();
}

export function issue(): void {
  const batchSize = Number(exec.scenario.name.slice('batch_'.length));
  const body = directEarnBody(batchSize, exec.scenario.iterationInTest * batchSize);
  const res = http.post(ENDPOINT_URL, body, { headers: JSON_HEADERS, tags: { name: 'directEarn' } });
  if (res.status !== 200 || typeof res.body !== 'string') return;
  const answer = JSON.parse(res.body) as {
    response?: EntryShape[];
    totalCount?: number;
    failureCount?: number;
  };
  customersAnswered.add(answer.totalCount ?? 0);
  entityFailures.add(answer.failureCount ?? 0);
  let warned = 0;
  for (const entry of answer.response ?? []) if ((entry.warnings?.length ?? 0) > 0) warned++;
  entityWarnings.add(warned);
}

export function handleSummary(data: unknown): Record<string, string> {
  return summaryOutputs('throughput', data);
}
