// Run configuration of every k6 script, read from __ENV once at init: the names and defaults are
// k6/contract.ts's (the one table Node writes from too); here each is parsed and checked.
import { type IdentifierName, K6_VARS, type K6Setting } from './contract.ts';

export type { IdentifierName } from './contract.ts';

/** k6 exposes the environment as __ENV; outside k6 (a unit test importing this file) it is absent. */
const env: Record<string, string | undefined> = typeof __ENV === 'undefined' ? {} : __ENV;

/** The settings of each kind of default, so each reader takes only its own. */
type SettingOf<T> = { [K in K6Setting]: (typeof K6_VARS)[K]['fallback'] extends T ? K : never }[K6Setting];

function text(key: SettingOf<string>): string {
  const v = env[K6_VARS[key].env];
  return v === undefined || v === '' ? K6_VARS[key].fallback : v;
}

function whole(key: SettingOf<number>): number {
  const { env: name, fallback, min } = K6_VARS[key];
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

function batchSizes(): number[] {
  const { env: name, fallback } = K6_VARS.batchSizes;
  const raw = env[name];
  if (raw === undefined || raw === '') return [...fallback];
  return raw.split(',').map((part) => {
    const n = Number(part.trim());
    if (!Number.isInteger(n) || n < 1) throw new Error(`${name} has "${part}", not a batch size`);
    return n;
  });
}

function identifierName(raw: string): IdentifierName {
  if (raw === 'id' || raw === 'mobile' || raw === 'email') return raw;
  throw new Error(`${K6_VARS.identifierName.env} must be id, mobile or email, got "${raw}"`);
}

const duration = text('duration');
const baseUrl = text('baseUrl').replace(/\/+$/, '');

/** Every setting of k6/contract.ts, parsed (its comments there say what each one is for). */
export const config = {
  baseUrl,
  // The bounds of a --target (k6/bounds.ts): "" = the target itself, 0 = k6's default timeout.
  readBaseUrl: text('readBaseUrl').replace(/\/+$/, ''),
  requestTimeoutMs: whole('requestTimeoutMs'),
  endpointPath: text('endpointPath'),
  basic: text('basic'),
  token: text('token'),
  programId: whole('programId'),
  promotionId: whole('promotionId'),
  promoIdentifier: text('promoIdentifier'),
  identifierName: identifierName(text('identifierName')),
  source: text('source'),
  customerIdFirst: whole('customerIdFirst'),
  customerCount: whole('customerCount'),
  mobileTemplate: text('mobileTemplate'),
  emailTemplate: text('emailTemplate'),
  customersCsv: text('customersCsv'),
  batchSizes: batchSizes(),
  duration,
  durationSeconds: durationSeconds(K6_VARS.duration.env, duration),
  offeredCustomersPerSecond: whole('offeredCustomersPerSecond'),
  offeredMaxRps: whole('offeredMaxRps'),
  maxVus: whole('maxVus'),
  poolCustomers: whole('poolCustomers'),
  sloP95Ms: whole('sloP95Ms'),
  rateMaxRps: whole('rateMaxRps'),
  rateBatchSize: whole('rateBatchSize'),
  summaryFile: text('summaryFile'),
  runnerSummaryFile: text('runnerSummaryFile'),
  /** "1" asks for the dense latency grid (k6/profiles.ts, k6/runner-summary.ts). */
  latencySketch: text('latencySketch'),
  customersOnce: text('customersOnce') === '1',
  customerSkip: whole('customerSkip'),
  casesFile: text('casesFile'),
  oauthKey: text('oauthKey'),
  oauthSecret: text('oauthSecret'),
  oauthPath: text('oauthPath'),
  oauthTtlSeconds: whole('oauthTtlSeconds'),
  oauthGeneratedAt: whole('oauthGeneratedAt'),
  stepRatePerMinute: whole('stepRatePerMinute'),
  stepMaxIterations: whole('stepMaxIterations'),
};
