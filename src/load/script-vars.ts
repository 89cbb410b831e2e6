// The variables of k6/contract.ts a run hands its k6 scripts, built in one place for a local k6 run
// (src/load/run-load.ts) and for the k6-operator manifests (src/load/k8s.ts), so the two cannot drift
// apart; k6Env names each one as the contract does.

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
import { k6Env } from '../config/k6-contract.js';
import { ENDPOINT_PATH } from '../openapi/index.js';
import { identityVars, type LoadIdentity } from './identity.js';

export { K6_VARS, k6Env } from '../config/k6-contract.js';

/** What a run decides; the rest of the variables are the suite's constants. */
export interface ScriptSettings {
  target: string;
  identity: LoadIdentity;
  batchSizes: readonly number[];
  duration: string;
  maxVus: number;
  rateMaxRps: number;
  /** Where k6/summary-outputs.ts writes the k6 summary; `-` prints the runner summary as one line. */
  summaryFile: string;
  /** Where k6/summary-outputs.ts writes the runner summary (k6/runner-summary.ts); default nowhere. */
  runnerSummaryFile?: string;
  /** Throughput: the arrival rate, requests/s, at every batch size (default the suite's offered rate). */
  arrivalRate?: number;
  /** Go's GC target for the k6 process (k6Gogc). */
  gogc: string;
  /**
   * Ask k6 for the latency sketch's dense grid (k6/sketch.ts): only where runner summaries are
   * merged (runner pods, --runners N > 1), as it costs k6 CPU per request. Default false.
   */
  latencySketch?: boolean;
}

/**
 * k6's GOGC unless the environment sets one: 400, not Go's 100. At saturation k6's garbage
 * collector was a tenth of its CPU per request, more with fresh bodies (a new body string per
 * request); at 400 it collects a quarter as often, for about 60 MB more resident memory
 * (npm run bench:load; docs/benchmarks.md "Load").
 */
export const K6_GOGC = '400';

/** The GOGC k6 runs with: the environment's when set (GOGC=100 is Go's default), else K6_GOGC. */
export const k6Gogc = (env: NodeJS.ProcessEnv): string =>
  env.GOGC !== undefined && env.GOGC.trim() !== '' ? env.GOGC : K6_GOGC;

/** The k6 scripts' variables for `settings` (credentials, CSV, SLOs and smoke cases are the caller's). */
export function scriptVars(settings: ScriptSettings): Record<string, string> {
  return {
    ...k6Env({
      baseUrl: settings.target,
      endpointPath: ENDPOINT_PATH,
    }),
    ...identityVars(settings.identity),
    ...k6Env({
      customerIdFirst: LOAD_CUSTOMER_ID_FIRST,
      customerCount: LOAD_CUSTOMER_COUNT,
      // The templates come from the functions of src/config/defaults.ts, applied to a placeholder.
      mobileTemplate: loadCustomerMobile('{id}'),
      emailTemplate: loadCustomerEmail('{id}'),
      batchSizes: settings.batchSizes.join(','),
      duration: settings.duration,
      maxVus: settings.maxVus,
      // A fixed arrival rate is the cap of the offered rate, and customers/s enough to reach it at every size.
      offeredCustomersPerSecond:
        settings.arrivalRate !== undefined
          ? settings.arrivalRate * Math.max(...settings.batchSizes)
          : DEFAULT_LOAD_OFFERED_CUSTOMERS_PER_S,
      offeredMaxRps: settings.arrivalRate ?? DEFAULT_LOAD_OFFERED_MAX_RPS,
      rateMaxRps: settings.rateMaxRps,
      rateBatchSize: 1,
      summaryFile: settings.summaryFile,
      runnerSummaryFile: settings.runnerSummaryFile ?? '',
      latencySketch: settings.latencySketch === true ? '1' : '0',
    }),
    // k6's own variables, not the scripts'.
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
  return k6Env({
    token: token.accessToken,
    oauthKey: credential.key,
    oauthSecret: credential.secret,
    oauthPath: OAUTH_TOKEN_PATH,
    oauthTtlSeconds: Math.max(1, Math.floor(token.ttlSeconds)),
    oauthGeneratedAt: token.generatedAt,
  });
}
