// The variables k6/config.ts reads, built in one place for a local k6 run (src/load/run.ts) and
// for the k6-operator manifests (src/load/k8s.ts), so the two cannot drift apart.

import type { GeneratedToken, OAuthCredential } from '../client/oauth.js';
import {
  DEFAULT_LOAD_OFFERED_CUSTOMERS_PER_S,
  DEFAULT_LOAD_OFFERED_MAX_RPS,
  LOAD_CUSTOMER_COUNT,
  LOAD_CUSTOMER_ID_FIRST,
  loadCustomerEmail,
  loadCustomerMobile,
  OAUTH_TOKEN_PATH,
} from '../config/defaults.js';
import { ENDPOINT_PATH } from '../openapi/index.js';
import { identityVars, type LoadIdentity } from './identity.js';

/** What a run decides; the rest of the variables are the suite's constants. */
export interface ScriptSettings {
  target: string;
  identity: LoadIdentity;
  batchSizes: readonly number[];
  duration: string;
  maxVus: number;
  rateMaxRps: number;
  /** Where k6/summary.ts writes the k6 summary; `-` prints the runner summary as one line. */
  summaryFile: string;
  /** Where k6/summary.ts writes the runner summary (k6/runner-summary.ts); default nowhere. */
  runnerSummaryFile?: string;
  /** Throughput: the arrival rate, requests/s, at every batch size (default the suite's offered rate). */
  arrivalRate?: number;
  /** Go's GC target for the k6 process (k6Gogc). */
  gogc: string;
}

/**
 * k6's GOGC unless the environment sets one: 400, not Go's 100. At saturation k6's garbage
 * collector was a tenth of its CPU per request, more with fresh bodies (a new body string per
 * request); at 400 it collects a quarter as often, for about 60 MB more resident memory
 * (npm run bench:load; README "Load").
 */
export const K6_GOGC = '400';

/** The GOGC k6 runs with: the environment's when set (GOGC=100 is Go's default), else K6_GOGC. */
export const k6Gogc = (env: NodeJS.ProcessEnv): string =>
  env.GOGC !== undefined && env.GOGC.trim() !== '' ? env.GOGC : K6_GOGC;

/** The k6 scripts' variables for `settings` (credentials, CSV, SLOs and smoke cases are the caller's). */
export function scriptVars(settings: ScriptSettings): Record<string, string> {
  return {
    BASE_URL: settings.target,
    DIRECTEARN_ENDPOINT_PATH: ENDPOINT_PATH,
    ...identityVars(settings.identity),
    DIRECTEARN_CUSTOMER_ID_FIRST: String(LOAD_CUSTOMER_ID_FIRST),
    DIRECTEARN_CUSTOMER_COUNT: String(LOAD_CUSTOMER_COUNT),
    // The templates come from the functions of src/config/defaults.ts, applied to a placeholder.
    DIRECTEARN_MOBILE_TEMPLATE: loadCustomerMobile('{id}' as unknown as number),
    DIRECTEARN_EMAIL_TEMPLATE: loadCustomerEmail('{id}' as unknown as number),
    DIRECTEARN_BATCH_SIZES: settings.batchSizes.join(','),
    DIRECTEARN_DURATION: settings.duration,
    DIRECTEARN_MAX_VUS: String(settings.maxVus),
    // A fixed arrival rate is the cap of the offered rate, and customers/s enough to reach it at every size.
    DIRECTEARN_OFFERED_CUSTOMERS_PER_S: String(
      settings.arrivalRate !== undefined
        ? settings.arrivalRate * Math.max(...settings.batchSizes)
        : DEFAULT_LOAD_OFFERED_CUSTOMERS_PER_S,
    ),
    DIRECTEARN_OFFERED_MAX_RPS: String(settings.arrivalRate ?? DEFAULT_LOAD_OFFERED_MAX_RPS),
    DIRECTEARN_RATE_MAX_RPS: String(settings.rateMaxRps),
    DIRECTEARN_RATE_BATCH_SIZE: '1',
    DIRECTEARN_SUMMARY_FILE: settings.summaryFile,
    DIRECTEARN_RUNNER_SUMMARY_FILE: settings.runnerSummaryFile ?? '',
    K6_NO_USAGE_REPORT: 'true',
    GOGC: settings.gogc,
  };
}

/**
 * The variables of OAuth in k6 (k6/oauth.ts): the token generated before the run, when, for how
 * long, and the key and secret each VU renews it with. Passed in k6's environment only, never
 * written to a file (a k6-operator manifest would need a Secret: --emit-k8s refuses OAuth).
 */
export function oauthScriptVars(credential: OAuthCredential, token: GeneratedToken): Record<string, string> {
  return {
    DIRECTEARN_TOKEN: token.accessToken,
    DIRECTEARN_OAUTH_KEY: credential.key,
    DIRECTEARN_OAUTH_SECRET: credential.secret,
    DIRECTEARN_OAUTH_PATH: OAUTH_TOKEN_PATH,
    DIRECTEARN_OAUTH_TTL_SECONDS: String(Math.max(1, Math.floor(token.ttlSeconds))),
    DIRECTEARN_OAUTH_GENERATED_AT: String(token.generatedAt),
  };
}
