// Load profiles: which executors run, at what rate, for how long. Scripts pick one, never inline their own.
import type { Scenario } from 'k6/options';
import { config } from './config.ts';
import { offeredRpsAt, rateVusAt } from './contract.ts';
import { SKETCH_TREND_STATS } from './sketch.ts';

/** Pause between consecutive batch scenarios: in-flight requests of one finish before the next starts. */
const GRACEFUL_STOP_SECONDS = 1;

/** Scenario name of a batch size in the throughput run (also what the summary reads back). */
export const batchScenarioName = (batchSize: number): string => `batch_${batchSize}`;

/** Per-scenario variable telling the exec function its batch size (a plain lookup, unlike k6/execution). */
export const SCENARIO_BATCH_ENV = 'DIRECTEARN_SCENARIO_BATCH_SIZE';

/** Once mode: index of the scenario's first customer, and the most requests it sends. */
export const SCENARIO_FIRST_CUSTOMER_ENV = 'DIRECTEARN_SCENARIO_FIRST_CUSTOMER';
export const SCENARIO_REQUESTS_ENV = 'DIRECTEARN_SCENARIO_REQUESTS';

/** Arrival rate offered to one batch size: the same customers/s for every size, capped in requests/s. */
export function offeredRps(batchSize: number): number {
  return offeredRpsAt(batchSize, config.offeredCustomersPerSecond, config.offeredMaxRps);
}

/**
 * Throughput: one constant-arrival-rate scenario per batch size, one after another. The offered rate
 * is above what one target usually serves and concurrency is capped at maxVus, so what k6 achieves
 * is the target's capacity at that concurrency; dropped iterations say it was saturated.
 */
export function throughputScenarios(): Record<string, Scenario> {
  const scenarios: Record<string, Scenario> = {};
  // Once mode: batch size after batch size, consecutive slices of the customers, none sent twice.
  let first = config.customerSkip;
  config.batchSizes.forEach((batchSize, index) => {
    const requests = Math.ceil(offeredRps(batchSize) * config.durationSeconds);
    const once: Record<string, string> = config.customersOnce
      ? { [SCENARIO_FIRST_CUSTOMER_ENV]: String(first), [SCENARIO_REQUESTS_ENV]: String(requests) }
      : {};
    first += requests * batchSize;
    scenarios[batchScenarioName(batchSize)] = {
      executor: 'constant-arrival-rate',
      exec: 'issue',
      rate: offeredRps(batchSize),
      timeUnit: '1s',
      duration: config.duration,
      preAllocatedVUs: config.maxVus,
      maxVUs: config.maxVus,
      startTime: `${index * (config.durationSeconds + GRACEFUL_STOP_SECONDS)}s`,
      gracefulStop: `${GRACEFUL_STOP_SECONDS}s`,
      // No tags of its own: every sample already carries the scenario's name (batch_N).
      env: { [SCENARIO_BATCH_ENV]: String(batchSize), ...once },
    };
  });
  return scenarios;
}

/** Rate: ramp, steady window and recovery, named so the summary can read each part. */
export const RATE_SCENARIOS = {
  ramp: 'rate_ramp',
  steady: 'rate_steady',
  recovery: 'rate_recovery',
} as const;

/** The arrival rate the ramp starts from. */
export const rateRampStartRps = (): number => Math.max(1, Math.floor(config.rateMaxRps / 10));

/**
 * Rate: ramp the arrival rate from a tenth of rateMaxRps to rateMaxRps (429s start where the limit
 * is), hold rateMaxRps for a steady window (the token bucket's burst is spent by then, so accepted
 * requests/s there is the limit), then one VU waits as Retry-After says and tries again.
 */
export function rateScenarios(): Record<string, Scenario> {
  const seconds = config.durationSeconds;
  const vus = rateVusAt(config.maxVus, config.rateMaxRps);
  const tags = { batch: String(config.rateBatchSize) };
  return {
    [RATE_SCENARIOS.ramp]: {
      executor: 'ramping-arrival-rate',
      exec: 'probe',
      startRate: rateRampStartRps(),
      timeUnit: '1s',
      stages: [{ target: config.rateMaxRps, duration: config.duration }],
      preAllocatedVUs: vus,
      maxVUs: vus,
      gracefulStop: `${GRACEFUL_STOP_SECONDS}s`,
      tags,
    },
    [RATE_SCENARIOS.steady]: {
      executor: 'constant-arrival-rate',
      exec: 'probe',
      rate: config.rateMaxRps,
      timeUnit: '1s',
      duration: config.duration,
      preAllocatedVUs: vus,
      maxVUs: vus,
      startTime: `${seconds}s`,
      gracefulStop: `${GRACEFUL_STOP_SECONDS}s`,
      tags,
    },
    [RATE_SCENARIOS.recovery]: {
      executor: 'per-vu-iterations',
      exec: 'recover',
      vus: 1,
      iterations: 1,
      startTime: `${2 * seconds}s`,
      maxDuration: '60s',
      tags,
    },
  };
}

/** Smoke: one VU sends every documented case once. */
export const smokeScenarios = (): Record<string, Scenario> => ({
  smoke: { executor: 'per-vu-iterations', exec: 'smoke', vus: 1, iterations: 1, maxDuration: '60s' },
});

/**
 * Trend statistics every script reports: the summary reads p(50), p(95), p(99) and count; a runner
 * whose summary will be merged (DIRECTEARN_LATENCY_SKETCH=1) also the latency sketch's grid of
 * percentiles (k6/sketch.ts). Without it the runner summary's sketch holds these ranks only.
 */
export const SUMMARY_TREND_STATS = [
  ...new Set([
    'avg',
    'min',
    'med',
    'max',
    'p(50)',
    'p(95)',
    'p(99)',
    'count',
    ...(config.latencySketch === '1' ? SKETCH_TREND_STATS : []),
  ]),
];
