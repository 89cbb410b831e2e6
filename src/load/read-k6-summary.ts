// The Node side reading k6's end-of-test data (what k6/summary-outputs.ts writes from handleSummary):
// a batch size's figures, the rate verdict, the thresholds and the checks of a run.
import type { BatchFigures, RateFigures, ThresholdResult } from './summary.js';

/** The part of k6's handleSummary data read here. */
export interface K6SummaryData {
  metrics: Record<
    string,
    { type: string; values: Record<string, number>; thresholds?: Record<string, { ok: boolean }> }
  >;
  root_group?: K6Group;
}

export interface K6Group {
  name: string;
  groups?: K6Group[];
  checks?: { name: string; passes: number; fails: number }[];
}

const round = (n: number, digits = 2): number => {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
};

function value(data: K6SummaryData, metric: string, stat: string): number {
  return data.metrics[metric]?.values[stat] ?? 0;
}

/**
 * The customers of one batch size's answers read: the counts and their shares (issued = earned with
 * ids; warned = 8890, not issued; failed = errors). One definition for a run's figures and a merged
 * run's (src/load/merge.ts).
 */
export function customerShares(answered: number, issued: number, warned: number, failed: number) {
  return {
    entityFailureRate: round(answered > 0 ? failed / answered : 0, 4),
    warningRate: round(answered > 0 ? warned / answered : 0, 4),
    issuedRate: round(answered > 0 ? issued / answered : 0, 4),
    issued,
    warned,
    failed,
  };
}

/**
 * Figures of one batch size from the k6 metrics tagged `selector` (e.g. `scenario:batch_100`), over
 * the `seconds` its scenario offered load.
 */
export function batchFigures(
  data: K6SummaryData,
  batchSize: number,
  selector: string,
  seconds: number,
): BatchFigures {
  const m = (name: string) => `${name}{${selector}}`;
  const requests = value(data, m('http_reqs'), 'count');
  const answered = value(data, m('directearn_customers_answered'), 'count');
  const failed = value(data, m('directearn_customers_failed'), 'count');
  const warned = value(data, m('directearn_customers_warned'), 'count');
  // A host could answer an entry both failed and warned: it is counted failed, never issued.
  const issued = Math.max(0, answered - failed - warned);
  const requestsPerSecond = round(seconds > 0 ? requests / seconds : 0);
  const every = value(data, m('directearn_answers_read_every'), 'value');
  const failedRequestRate = round(value(data, m('http_req_failed'), 'rate'), 4);
  const issuedRate = answered > 0 ? issued / answered : 0;
  return {
    batchSize,
    requests,
    requestsPerSecond,
    customersPerSecond: round(requestsPerSecond * batchSize),
    issuedPerSecond: round(requestsPerSecond * batchSize * (1 - failedRequestRate) * issuedRate),
    latencyMs: {
      p50: round(value(data, m('http_req_duration'), 'p(50)')),
      p95: round(value(data, m('http_req_duration'), 'p(95)')),
      p99: round(value(data, m('http_req_duration'), 'p(99)')),
    },
    failedRequestRate,
    ...customerShares(answered, issued, warned, failed),
    droppedIterations: value(data, m('dropped_iterations'), 'count'),
    ...(every > 1 ? { sampled: { every } } : {}),
  };
}

/** The rate scenario's verdict from k6/rate.ts's metrics. */
export function rateFigures(data: K6SummaryData, configuredLimitRps: number | undefined): RateFigures {
  const limited = value(data, 'directearn_rate_limited', 'count');
  const window = value(data, 'directearn_rate_window_seconds', 'value');
  const honoured = data.metrics.directearn_retry_after_honoured;
  const retryAfter = value(data, 'directearn_retry_after_seconds', 'value');
  const header = data.metrics.directearn_ratelimit_limit?.values.max;
  const perMinute = limited > 0 && retryAfter > 1;
  return {
    ...(configuredLimitRps !== undefined ? { configuredLimitRps } : {}),
    detectedLimitRps:
      limited > 0 && window > 0 ? round(value(data, 'directearn_rate_accepted', 'count') / window, 1) : null,
    retryAfterHonoured: honoured === undefined ? null : honoured.values.value === 1,
    ...(limited > 0 ? { window: perMinute ? ('minute' as const) : ('second' as const) } : {}),
    ...(perMinute && header !== undefined && header > 0 ? { limitPerMinute: header } : {}),
  };
}

/** Every threshold k6 evaluated, except the always-true ones (count>=0, value>=0) that only make k6 report a figure. */
export function thresholdResults(data: K6SummaryData): ThresholdResult[] {
  const results: ThresholdResult[] = [];
  for (const [metric, m] of Object.entries(data.metrics)) {
    for (const [expression, r] of Object.entries(m.thresholds ?? {})) {
      if (expression !== 'count>=0' && expression !== 'value>=0')
        results.push({ metric, expression, ok: r.ok });
    }
  }
  return results.sort((a, b) => a.metric.localeCompare(b.metric));
}

/** Every check in the run, groups included. */
export function allChecks(group: K6Group | undefined): { name: string; passes: number; fails: number }[] {
  if (group === undefined) return [];
  return [...(group.checks ?? []), ...(group.groups ?? []).flatMap((g) => allChecks(g))];
}
