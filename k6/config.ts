// Run configuration of every k6 script, read from __ENV with each default written here once.
// `directearn load` passes all of these (from src/config/defaults.ts and its flags); the defaults
// below only matter when k6 runs a script by hand, and a test keeps them equal to the CLI's.

/** k6 exposes the environment as __ENV; outside k6 (a unit test importing this file) it is absent. */
const env: Record<string, string | undefined> = typeof __ENV === 'undefined' ? {} : __ENV;

export const DEFAULTS = {
  baseUrl: 'http://127.0.0.1:8080',
  endpointPath: '/v2/promotion/bulk/directEarn',
  basic: 'directearn:directearn',
  programId: 469,
  promotionId: 56799,
  identifierName: 'id',
  source: 'INSTORE',
  customerIdFirst: 500_000_000,
  customerCount: 1_000_000,
  mobileTemplate: '91{id}',
  emailTemplate: 'c{id}@load.directearn.test',
  batchSizes: [1, 10, 50, 100, 500, 1000],
  duration: '5s',
  /** Throughput: customers/s offered to every batch size (the arrival rate is this / batch size). */
  offeredCustomersPerSecond: 2_000_000,
  /** Throughput: ceiling of the offered request rate (small batches). */
  offeredMaxRps: 5000,
  /** Throughput: concurrent requests at most; past it k6 drops iterations (the target is saturated). */
  maxVus: 16,
  /** Customers each VU's reused bodies cover per batch size (0 = a fresh body every request). */
  poolCustomers: 1000,
  /** SLO: p95 latency per request a campaign tolerates, whatever the batch size. */
  sloP95Ms: 2000,
  /** Rate: the arrival rate the ramp climbs to and the steady window holds. */
  rateMaxRps: 400,
  /** Rate: the batch size of the requests the rate scenario sends. */
  rateBatchSize: 1,
} as const;

export type IdentifierName = 'id' | 'mobile' | 'email';

function text(name: string, fallback: string): string {
  const v = env[name];
  return v === undefined || v === '' ? fallback : v;
}

function whole(name: string, fallback: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min)
    throw new Error(`${name} must be a whole number >= ${min}, got "${raw}"`);
  return n;
}

function durationSeconds(name: string, raw: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(raw);
  if (m === null) throw new Error(`${name} must be a duration like 5s, 500ms or 1m, got "${raw}"`);
  const scale: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };
  return Number(m[1]) * (scale[m[2] as string] as number);
}

function batchSizes(raw: string | undefined): number[] {
  if (raw === undefined || raw === '') return [...DEFAULTS.batchSizes];
  return raw.split(',').map((part) => {
    const n = Number(part.trim());
    if (!Number.isInteger(n) || n < 1)
      throw new Error(`DIRECTEARN_BATCH_SIZES has "${part}", not a batch size`);
    return n;
  });
}

function identifierName(raw: string): IdentifierName {
  if (raw === 'id' || raw === 'mobile' || raw === 'email') return raw;
  throw new Error(`DIRECTEARN_IDENTIFIER_NAME must be id, mobile or email, got "${raw}"`);
}

const duration = text('DIRECTEARN_DURATION', DEFAULTS.duration);

export const config = {
  baseUrl: text('BASE_URL', DEFAULTS.baseUrl).replace(/\/+$/, ''),
  endpointPath: text('DIRECTEARN_ENDPOINT_PATH', DEFAULTS.endpointPath),
  /** "user:password" for Basic auth; ignored when a token is given. */
  basic: text('DIRECTEARN_BASIC', DEFAULTS.basic),
  token: env.DIRECTEARN_TOKEN ?? '',
  programId: whole('DIRECTEARN_PROGRAM_ID', DEFAULTS.programId),
  promotionId: whole('DIRECTEARN_PROMOTION_ID', DEFAULTS.promotionId),
  /** Sent as promotionDetails.promoIdentifier instead of promotionId when not empty. */
  promoIdentifier: env.DIRECTEARN_PROMO_IDENTIFIER ?? '',
  identifierName: identifierName(text('DIRECTEARN_IDENTIFIER_NAME', DEFAULTS.identifierName)),
  source: text('DIRECTEARN_SOURCE', DEFAULTS.source),
  customerIdFirst: whole('DIRECTEARN_CUSTOMER_ID_FIRST', DEFAULTS.customerIdFirst),
  customerCount: whole('DIRECTEARN_CUSTOMER_COUNT', DEFAULTS.customerCount, 1),
  mobileTemplate: text('DIRECTEARN_MOBILE_TEMPLATE', DEFAULTS.mobileTemplate),
  emailTemplate: text('DIRECTEARN_EMAIL_TEMPLATE', DEFAULTS.emailTemplate),
  /** A CSV of identifier values (first column, header line skipped) instead of the generated range. */
  customersCsv: env.DIRECTEARN_CUSTOMERS_CSV ?? '',
  batchSizes: batchSizes(env.DIRECTEARN_BATCH_SIZES),
  duration,
  durationSeconds: durationSeconds('DIRECTEARN_DURATION', duration),
  offeredCustomersPerSecond: whole(
    'DIRECTEARN_OFFERED_CUSTOMERS_PER_S',
    DEFAULTS.offeredCustomersPerSecond,
    1,
  ),
  offeredMaxRps: whole('DIRECTEARN_OFFERED_MAX_RPS', DEFAULTS.offeredMaxRps, 1),
  maxVus: whole('DIRECTEARN_MAX_VUS', DEFAULTS.maxVus, 1),
  poolCustomers: whole('DIRECTEARN_POOL_CUSTOMERS', DEFAULTS.poolCustomers),
  sloP95Ms: whole('DIRECTEARN_SLO_P95_MS', DEFAULTS.sloP95Ms, 1),
  rateMaxRps: whole('DIRECTEARN_RATE_MAX_RPS', DEFAULTS.rateMaxRps, 2),
  rateBatchSize: whole('DIRECTEARN_RATE_BATCH_SIZE', DEFAULTS.rateBatchSize, 1),
  /** Where handleSummary writes k6's end-of-test data as JSON ("" = nowhere). */
  summaryFile: env.DIRECTEARN_SUMMARY_FILE ?? '',
  /** Where handleSummary writes this runner's mergeable summary (k6/runner-summary.ts; "" = nowhere). */
  runnerSummaryFile: env.DIRECTEARN_RUNNER_SUMMARY_FILE ?? '',
  /**
   * Throughput: "1" sends each customer (of the CSV or the range) at most once, from index
   * customerSkip on: batch sizes take consecutive slices of rate x duration requests each.
   */
  customersOnce: env.DIRECTEARN_CUSTOMERS_ONCE === '1',
  /** Customers the once mode leaves out at the start of the list (the preflight's). */
  customerSkip: whole('DIRECTEARN_CUSTOMER_SKIP', 0),
  /** Smoke: the JSON file of documented cases `directearn load` derives from the spec. */
  casesFile: env.DIRECTEARN_CASES_FILE ?? '',
  /**
   * OAuth (k6/oauth.ts): when a key is given, `token` is a generated one sent in
   * X-CAP-API-OAUTH-TOKEN, generated at oauthGeneratedAt (ms) for oauthTtlSeconds, and each VU renews
   * it from oauthPath with the key and secret.
   */
  oauthKey: env.DIRECTEARN_OAUTH_KEY ?? '',
  oauthSecret: env.DIRECTEARN_OAUTH_SECRET ?? '',
  oauthPath: text('DIRECTEARN_OAUTH_PATH', '/v3/oauth/token/generate'),
  oauthTtlSeconds: whole('DIRECTEARN_OAUTH_TTL_SECONDS', 300, 1),
  oauthGeneratedAt: whole('DIRECTEARN_OAUTH_GENERATED_AT', 0),
  /** Capacity: one step's arrival rate in requests per minute (a whole number k6 takes with timeUnit 1m). */
  stepRatePerMinute: whole('DIRECTEARN_STEP_RATE_PER_MIN', 60, 1),
  /** Capacity: iterations the step may send at most (the customer budget's share), 0 = no cap. */
  stepMaxIterations: whole('DIRECTEARN_STEP_MAX_ITERATIONS', 0),
};
