// The seam between Node and k6, written once: every variable `directearn load` hands a k6 script
// with its default, and the shapes that cross the seam (smoke cases in; runner summaries and the
// marked lines out). k6 imports this file at run time; Node imports src/config/k6-contract.ts, a copy
// `npm run generate:k6` writes (Node's tsc does not compile k6/), which a test keeps fresh. So: no
// imports, no k6 or Node globals here.

/** Where `directearn serve` listens unless told otherwise, and so where a hand-run script aims. */
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8080;

/** Default credentials the reference provider accepts and the clients (k6 included) send. */
export const DEFAULT_BASIC_USER = 'directearn';
export const DEFAULT_BASIC_PASSWORD = 'directearn';

/**
 * The reference provider's rule-generated customers for load runs (no giant fixtures file): every
 * id in [first, first + count) exists, with mobile `91${id}` and email `c${id}@load.directearn.test`.
 */
export const LOAD_CUSTOMER_ID_FIRST = 500_000_000;
export const LOAD_CUSTOMER_COUNT = 1_000_000;
export const loadCustomerMobile = (id: number | string): string => `91${id}`;
export const loadCustomerEmail = (id: number | string): string => `c${id}@load.directearn.test`;

/** Where OAuth tokens come from (POST {"key","secret"}), and how long one lives unless told (the CRM's 300 s). */
export const OAUTH_TOKEN_PATH = '/v3/oauth/token/generate';
export const DEFAULT_TOKEN_TTL_SECONDS = 300;

/**
 * The default SLOs: k6's thresholds (k6/thresholds.ts) and `directearn load`'s verdicts
 * (src/load/slo.ts DEFAULT_SLO_TEXT) are both written from these.
 */
export const SLO = {
  /** p95 latency per request a campaign tolerates, whatever the batch size, ms. */
  p95Ms: 2000,
  /** Share of HTTP requests that may fail. */
  failedRequestRate: 0.01,
  /** Share of answered customers that may be warned 8890 (not issued): judged by Node, counted by k6. */
  warnedShare: 0.05,
} as const;

/**
 * Largest answer a k6 script reads, bytes (characters in k6, see k6/bounds.ts): 13 times what the
 * embedded provider answers to a batch of 1000 failing every customer (159 KB). The bounded relay
 * before a local --target refuses larger ones (src/load/relay.ts); a script reading straight from a
 * target (capacity, the runner pods of --emit-k8s) checks each answer after reading it.
 */
export const READ_ANSWER_CAP_BYTES = 2 * 1024 * 1024;

/**
 * The counter of answers over READ_ANSWER_CAP_BYTES: a run that counted one was aborted, and its
 * figures are the target's forgery, so it writes no runner summary (a merge names it missing).
 */
export const OVER_CAP_METRIC = 'directearn_answers_over_cap';

/** One row of the contract: the variable's name and what a script uses when it is unset or empty. */
interface K6Var {
  env: string;
  fallback: string | number | readonly number[];
  /** Least value of a whole number. */
  min?: number;
}

/**
 * Every variable a k6 script reads (k6/config.ts), by the name of its setting. Node writes them with
 * k6Env (src/load/script-vars.ts); a hand-run `k6 run -e NAME=value` sets them too (k6/README.md).
 */
export const K6_VARS = {
  baseUrl: { env: 'BASE_URL', fallback: `http://${DEFAULT_HOST}:${DEFAULT_PORT}` },
  /**
   * Base URL of the requests whose answers are read (k6/bounds.ts): the bounded relay Node puts
   * before a --target ("" = baseUrl). k6 has no cap on an answer's size; the relay has.
   */
  readBaseUrl: { env: 'DIRECTEARN_READ_BASE_URL', fallback: '' },
  /** Timeout of every request, ms: the suite's exchange deadline for a --target; 0 = k6's default (60 s). */
  requestTimeoutMs: { env: 'DIRECTEARN_REQUEST_TIMEOUT_MS', fallback: 0, min: 0 },
  endpointPath: { env: 'DIRECTEARN_ENDPOINT_PATH', fallback: '/v2/promotion/bulk/directEarn' },
  /** "user:password" for Basic auth; ignored when a token is given. */
  basic: { env: 'DIRECTEARN_BASIC', fallback: `${DEFAULT_BASIC_USER}:${DEFAULT_BASIC_PASSWORD}` },
  token: { env: 'DIRECTEARN_TOKEN', fallback: '' },
  /** The program and promotion load runs issue by default: the doc's request IDs (active, no earn limit). */
  programId: { env: 'DIRECTEARN_PROGRAM_ID', fallback: 469, min: 0 },
  promotionId: { env: 'DIRECTEARN_PROMOTION_ID', fallback: 56799, min: 0 },
  /** Sent as promotionDetails.promoIdentifier instead of promotionId when not empty. */
  promoIdentifier: { env: 'DIRECTEARN_PROMO_IDENTIFIER', fallback: '' },
  /** id, mobile or email. */
  identifierName: { env: 'DIRECTEARN_IDENTIFIER_NAME', fallback: 'id' },
  source: { env: 'DIRECTEARN_SOURCE', fallback: 'INSTORE' },
  customerIdFirst: { env: 'DIRECTEARN_CUSTOMER_ID_FIRST', fallback: LOAD_CUSTOMER_ID_FIRST, min: 0 },
  customerCount: { env: 'DIRECTEARN_CUSTOMER_COUNT', fallback: LOAD_CUSTOMER_COUNT, min: 1 },
  mobileTemplate: { env: 'DIRECTEARN_MOBILE_TEMPLATE', fallback: loadCustomerMobile('{id}') },
  emailTemplate: { env: 'DIRECTEARN_EMAIL_TEMPLATE', fallback: loadCustomerEmail('{id}') },
  /** A CSV of identifier values (first column, header line skipped) instead of the generated range. */
  customersCsv: { env: 'DIRECTEARN_CUSTOMERS_CSV', fallback: '' },
  /** Throughput: the batch sizes measured, comma-separated. */
  batchSizes: { env: 'DIRECTEARN_BATCH_SIZES', fallback: [1, 10, 50, 100, 500, 1000] },
  /** Each batch size's (or the rate steady window's) duration, a k6 duration: 5s, 500ms, 1m. */
  duration: { env: 'DIRECTEARN_DURATION', fallback: '5s' },
  /** Throughput: customers/s offered to every batch size (the arrival rate is this / batch size). */
  offeredCustomersPerSecond: { env: 'DIRECTEARN_OFFERED_CUSTOMERS_PER_S', fallback: 2_000_000, min: 1 },
  /** Throughput: ceiling of the offered request rate (small batches). */
  offeredMaxRps: { env: 'DIRECTEARN_OFFERED_MAX_RPS', fallback: 5000, min: 1 },
  /** Concurrent requests at most per batch size; past it k6 drops iterations (the target is saturated). */
  maxVus: { env: 'DIRECTEARN_MAX_VUS', fallback: 16, min: 1 },
  /** Customers each VU's reused bodies cover per batch size (0 = a fresh body every request). */
  poolCustomers: { env: 'DIRECTEARN_POOL_CUSTOMERS', fallback: 1000, min: 0 },
  /** k6's p95 threshold, ms (Node passes the p95 bound of the run's SLOs). */
  sloP95Ms: { env: 'DIRECTEARN_SLO_P95_MS', fallback: SLO.p95Ms, min: 1 },
  /** Rate: the arrival rate the ramp climbs to and the steady window holds. */
  rateMaxRps: { env: 'DIRECTEARN_RATE_MAX_RPS', fallback: 400, min: 2 },
  /** Rate: the batch size of the requests the rate scenario sends. */
  rateBatchSize: { env: 'DIRECTEARN_RATE_BATCH_SIZE', fallback: 1, min: 1 },
  /** Where handleSummary writes k6's end-of-test data as JSON ("" = nowhere, "-" = a marked stdout line). */
  summaryFile: { env: 'DIRECTEARN_SUMMARY_FILE', fallback: '' },
  /** Where handleSummary writes this runner's mergeable RunnerSummary ("" = nowhere). */
  runnerSummaryFile: { env: 'DIRECTEARN_RUNNER_SUMMARY_FILE', fallback: '' },
  /**
   * "1": the summary asks k6 for the latency sketch's dense grid of percentiles (k6/sketch.ts), which
   * a merge of runners needs; set only where one merges (runner pods, --runners N > 1, capacity with
   * runners), since the grid costs k6 CPU once per run, at its end (8 µs per request at batch 1 in
   * one whole-run measure, nothing above the noise side by side: docs/benchmarks.md).
   */
  latencySketch: { env: 'DIRECTEARN_LATENCY_SKETCH', fallback: '' },
  /**
   * Throughput: "1" sends each customer (of the CSV or the range) at most once, from index
   * customerSkip on: batch sizes take consecutive slices of rate x duration requests each.
   */
  customersOnce: { env: 'DIRECTEARN_CUSTOMERS_ONCE', fallback: '' },
  /** Customers the once mode leaves out at the start of the list (the preflight's). */
  customerSkip: { env: 'DIRECTEARN_CUSTOMER_SKIP', fallback: 0, min: 0 },
  /** Smoke: the JSON file of SmokeCase values `directearn load` derives from the spec. */
  casesFile: { env: 'DIRECTEARN_CASES_FILE', fallback: '' },
  /**
   * OAuth (k6/oauth.ts): when a key is given, `token` is a generated one sent in
   * X-CAP-API-OAUTH-TOKEN, generated at oauthGeneratedAt (ms) for oauthTtlSeconds, and each VU renews
   * it from oauthPath with the key and secret.
   */
  oauthKey: { env: 'DIRECTEARN_OAUTH_KEY', fallback: '' },
  oauthSecret: { env: 'DIRECTEARN_OAUTH_SECRET', fallback: '' },
  oauthPath: { env: 'DIRECTEARN_OAUTH_PATH', fallback: OAUTH_TOKEN_PATH },
  oauthTtlSeconds: { env: 'DIRECTEARN_OAUTH_TTL_SECONDS', fallback: DEFAULT_TOKEN_TTL_SECONDS, min: 1 },
  oauthGeneratedAt: { env: 'DIRECTEARN_OAUTH_GENERATED_AT', fallback: 0, min: 0 },
  /** Capacity: one step's arrival rate in requests per minute (a whole number k6 takes with timeUnit 1m). */
  stepRatePerMinute: { env: 'DIRECTEARN_STEP_RATE_PER_MIN', fallback: 60, min: 1 },
  /** Capacity: iterations the step may send at most (the customer budget's share), 0 = no cap. */
  stepMaxIterations: { env: 'DIRECTEARN_STEP_MAX_ITERATIONS', fallback: 0, min: 0 },
} as const satisfies Record<string, K6Var>;

export type K6Setting = keyof typeof K6_VARS;

/**
 * Throughput: the arrival rate offered to one batch size, requests/s: the same customers/s for every
 * size, capped in requests/s (k6/profiles.ts schedules it; Node reports it as offered).
 */
export const offeredRpsAt = (batchSize: number, customersPerSecond: number, maxRps: number): number =>
  Math.max(1, Math.min(maxRps, Math.ceil(customersPerSecond / batchSize)));

/** Rate: the VUs of the ramp and steady window: maxVus, or one per 10 requests/s of the top rate. */
export const rateVusAt = (maxVus: number, rateMaxRps: number): number =>
  Math.max(maxVus, Math.ceil(rateMaxRps / 10));

/** Settings as Node hands them over: each one's value as k6/config.ts reads its text. */
export type K6Settings = { [K in K6Setting]?: string | number };

/** The environment of a k6 process for `settings`: each setting under its variable's name. */
export function k6Env(settings: K6Settings): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(settings)) {
    if (value !== undefined) env[K6_VARS[key as K6Setting].env] = String(value);
  }
  return env;
}

export type IdentifierName = 'id' | 'mobile' | 'email';

/** One request of the smoke and what must come back, as `directearn load` derives it from the spec. */
export interface SmokeCase {
  /** Catalogue case id the request is about ("8892", "earned", "http-401"). */
  case: string;
  /** Where the request comes from (the spec example's name, or the HTTP case probed). */
  name: string;
  method: string;
  /** JSON body to send, or null for none. */
  request: unknown;
  /** Bytes of padding added to the JSON body (a body over the size limit). */
  padBytes?: number;
  contentType: string;
  /** Whether to send the configured credentials. */
  auth: boolean;
  /** Authorization header to send instead of the configured credentials (the 403 probe). */
  authorization?: string;
  expectedStatus: number;
  /** Per-customer expectations of a 200 answer, in request order. */
  entries?: { case: string; code: number | null; message: string | null }[];
  expectedTotalCount?: number;
  expectedFailureCount?: number;
  /** Code and message of a non-200 error body. */
  expectedCode?: number;
  expectedMessage?: string | null;
}

/** What k6/smoke.ts logs before the JSON {check, expected, received} of a failed check. */
export const SMOKE_FAIL_MARK = 'DIRECTEARN_SMOKE_FAIL ';
/** What starts the stdout line carrying k6's whole summary when summaryFile is "-". */
export const SUMMARY_LINE_MARK = 'directearn-k6-summary ';
/** What starts the stdout line carrying a runner summary (a k6-operator pod prints one each). */
export const RUNNER_LINE_MARK = 'directearn-runner-summary ';
/** `kind` of every runner summary, so merge tells one from any other JSON. */
export const RUNNER_SUMMARY_KIND = 'directearn-runner-summary';
export const RUNNER_SUMMARY_VERSION = 1;

/** Latency figures of one trend, mergeable: exact count, sum (for the mean) and the grid's values (k6/sketch.ts). */
export interface LatencySketch {
  count: number;
  /** Sum of every sample, ms: sums add up, means do not. */
  sum: number;
  /** k6's percentile at each rank of the runner summary's `sketchRanks`, ms, rounded to 0.1 µs. */
  values: number[];
}

/** One batch size (throughput) or the rate run's steady window, as one runner measured it. */
export interface RunnerBatch {
  batchSize: number;
  scenario: string;
  /** Seconds the scenario offered load. */
  seconds: number;
  requests: number;
  /** Requests that failed (non-2xx, or no answer). */
  failedRequests: number;
  /** 429 answers among the requests. */
  limited: number;
  droppedIterations: number;
  /** This runner's share of the arrival rate (k6 splits it by execution segment), requests/s. */
  offeredRequestsPerSecond: number;
  /** requests / seconds. */
  achievedRequestsPerSecond: number;
  /** Customers of the answers read (one in readEvery): issued + warned + failed. */
  answered: number;
  issued: number;
  /** 8890: NOT issued. */
  warned: number;
  failed: number;
  readEvery: number;
  latencyMs: LatencySketch;
}

/**
 * The runner summary: what one k6 process of a run (a local runner or a k6-operator pod) measured,
 * in figures that add up over runners (k6/runner-summary.ts writes it, src/load/merge.ts merges).
 */
export interface RunnerSummary {
  kind: typeof RUNNER_SUMMARY_KIND;
  version: typeof RUNNER_SUMMARY_VERSION;
  scenario: 'throughput' | 'rate';
  /** k6's --execution-segment ("1/4:2/4"), "0:1" when the runner ran the whole test. */
  segment: string;
  /** k6's --execution-segment-sequence, "" when none was given. */
  sequence: string;
  startedAt: string;
  /** What the runners of one run share; merge refuses runners that differ here. */
  run: {
    target: string;
    batchSizes: number[];
    durationSeconds: number;
    /** Concurrency of the whole test (k6 gives each runner its segment of it). */
    maxVus: number;
    identity: string;
  };
  /** Ranks (percent) of every latency sketch's values. */
  sketchRanks: number[];
  batches: RunnerBatch[];
  rate?: {
    /** Requests accepted in the measured part of the steady window. */
    accepted: number;
    windowSeconds: number;
    /** Every 429 of this runner's part of the run. */
    limited: number;
    /** true/false when this runner waited Retry-After and tried again; null when it did not. */
    retryAfterHonoured: boolean | null;
    /** Lowest offered rate at which a 429 came back during the ramp; null when none did. */
    onsetRps: number | null;
  };
}
