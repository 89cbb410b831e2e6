// Every script's thresholds, from the SLO of k6/contract.ts (which `directearn load` judges by too).
import { config } from './config.ts';
import { SLO } from './contract.ts';
import { batchScenarioName, RATE_SCENARIOS } from './profiles.ts';

/** p95 latency a campaign tolerates per request, whatever the batch size (DIRECTEARN_SLO_P95_MS). */
export const SLO_P95_MS = config.sloP95Ms;
/** Share of HTTP requests that may fail. */
export const SLO_FAILED_REQUEST_RATE = SLO.failedRequestRate;
/** A gauge's always-true threshold: like `count>=0`, only there to make k6 report the figure. */
const ALWAYS_TRUE_VALUE = 'value>=0';

/**
 * Thresholds per selector (a batch size's tag). Besides the SLO they name every figure the summary
 * reads: k6 only reports a tagged sub-metric that some threshold names, so figures without an SLO
 * carry an always-true `count>=0`.
 */
export function measuredThresholds(selector: string): Record<string, string[]> {
  return {
    [`http_req_duration{${selector}}`]: [`p(95)<${SLO_P95_MS}`],
    [`http_req_failed{${selector}}`]: [`rate<${SLO_FAILED_REQUEST_RATE}`],
    // The load data (generated customers, active unlimited promotion) must never fail a customer.
    [`directearn_customers_failed{${selector}}`]: ['count==0'],
    [`http_reqs{${selector}}`]: ['count>=0'],
    // 429s, exact, for the runner summary (k6/runner-summary.ts): status is a system tag of every sample.
    [`http_reqs{${selector},status:429}`]: ['count>=0'],
    [`directearn_customers_answered{${selector}}`]: ['count>=0'],
    // Warned (8890) customers were not issued; their share is judged by the warned_customers SLO.
    [`directearn_customers_warned{${selector}}`]: ['count>=0'],
    [`dropped_iterations{${selector}}`]: ['count>=0'],
    [`directearn_answers_read_every{${selector}}`]: [ALWAYS_TRUE_VALUE],
  };
}

export const batchSelector = (batchSize: number): string => `scenario:${batchScenarioName(batchSize)}`;

export function throughputThresholds(): Record<string, string[]> {
  return Object.assign({}, ...config.batchSizes.map((b) => measuredThresholds(batchSelector(b))));
}

export const rateSelector = `scenario:${RATE_SCENARIOS.steady}`;

export function rateThresholds(): Record<string, string[]> {
  return {
    ...measuredThresholds(rateSelector),
    // 429s are the point of this run (rate.ts counts them as expected); Retry-After must be honoured.
    [`checks{scenario:${RATE_SCENARIOS.recovery}}`]: ['rate==1'],
    directearn_rate_accepted: ['count>=0'],
    directearn_rate_limited: ['count>=0'],
  };
}

/** Smoke: every documented case answers as documented. */
export const smokeThresholds = (): Record<string, string[]> => ({ checks: ['rate==1'] });
