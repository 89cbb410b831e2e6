// The variables one load run hands k6 (k6/contract.ts names them): src/load/script-vars.ts's, plus
// the run's credentials, customers CSV, p95 bound, the once mode's, and the smoke's cases file.
import { join } from 'node:path';
import {
  DEFAULT_READONLY_BASIC_PASSWORD,
  DEFAULT_READONLY_BASIC_USER,
  LOAD_CUSTOMER_COUNT,
} from '../config/defaults.js';
import { k6Env } from '../config/k6-contract.js';
import { UserFacingError } from '../errors.js';
import { writeFileSafe } from '../util/safe-write.js';
import { type SkippedCase, smokeCases } from './cases.js';
import { firstCustomers, PREFLIGHT_CUSTOMERS } from './identity.js';
import type { LoadOptions, Run } from './options.js';
import { RUNNER_SUMMARY_FILE } from './runner-summaries.js';
import { k6Gogc, oauthScriptVars, scriptVars } from './script-vars.js';
import { p95Bound } from './slo.js';
import { mapSmokeCases } from './smoke-target.js';

/** The embedded provider of a run, when it has one. */
export type Embedded = Awaited<ReturnType<typeof import('../provider/server.js').startProvider>>;

/** The variables of k6/contract.ts for this run; smoke also gets its cases file. */
export async function k6Vars(
  run: Run,
  target: string,
  embedded: Embedded | undefined,
): Promise<{ vars: Record<string, string>; skipped: SkippedCase[] }> {
  const p95 = p95Bound(run.slos);
  const vars: Record<string, string> = {
    ...scriptVars({
      target,
      identity: run.identity,
      batchSizes: run.batchSizes,
      duration: run.duration,
      maxVus: run.maxVus,
      rateMaxRps: run.rateMaxRps,
      summaryFile: run.files.summary,
      runnerSummaryFile: join(run.out, RUNNER_SUMMARY_FILE),
      // Only runners that will be merged pay for the dense latency grid (k6/sketch.ts).
      latencySketch: (run.options.runners ?? 1) > 1,
      ...(run.options.arrivalRate !== undefined ? { arrivalRate: run.options.arrivalRate } : {}),
      gogc: k6Gogc(run.env),
    }),
    ...k6Env({ basic: run.basic, token: run.options.token ?? '', customersCsv: run.csv ?? '' }),
    ...(run.options.oauth !== undefined && run.oauthToken !== undefined
      ? oauthScriptVars(run.options.oauth, run.oauthToken)
      : {}),
    ...(p95 !== undefined ? k6Env({ sloP95Ms: p95 }) : {}),
  };
  if (run.scenario !== 'smoke') return { vars: { ...vars, ...onceVars(run) }, skipped: [] };
  const spec = smokeCases(
    embedded !== undefined
      ? {
          bodyLimit: embedded.provider.options.bodyLimit,
          readOnlyAuthorization: `Basic ${Buffer.from(`${DEFAULT_READONLY_BASIC_USER}:${DEFAULT_READONLY_BASIC_PASSWORD}`).toString('base64')}`,
        }
      : {},
  );
  // A target has its own IDs and error wording: map the examples and judge inferred bodies leniently.
  const derived =
    embedded !== undefined
      ? spec
      : await mapSmokeCases(spec, {
          ...(run.options.states !== undefined ? { states: run.options.states } : {}),
          ...(identityGiven(run.options) ? { identity: run.identity } : {}),
          strict: run.options.strict === true,
        });
  const casesFile = join(run.out, 'smoke-cases.json');
  writeFileSafe(casesFile, JSON.stringify(derived.cases, null, 2));
  return { vars: { ...vars, ...k6Env({ casesFile }) }, skipped: derived.skipped };
}

/** Whether the caller named the program or promotion (not the embedded provider's defaults). */
const identityGiven = (o: LoadOptions): boolean =>
  o.programId !== undefined || o.promotionId !== undefined || o.promoIdentifier !== undefined;

/**
 * Throughput with `customersOnce`: every customer of the CSV (or the generated range) sent at most
 * once, after the preflight's; every batch size gets the same arrival rate (requests/s), the
 * highest the customers allow over its duration, and a slice of customers of its own
 * (k6/profiles.ts), so a host with earn limits answers them as fresh customers.
 */
function onceVars(run: Run): Record<string, string> {
  if (run.scenario !== 'throughput' || run.options.customersOnce !== true) return {};
  return k6Env({ customersOnce: '1', customerSkip: preflightSkip(run), poolCustomers: 0 });
}

const preflightSkip = (run: Run): number => (run.options.skipPreflight === true ? 0 : PREFLIGHT_CUSTOMERS);

/**
 * The arrival rate of a `customersOnce` run: the customers after the preflight's, shared evenly by
 * the batch sizes (each request of batch size b takes b), over each one's duration; at most
 * --arrival-rate when that is given. A UserFacingError when not even 1 request/s fits.
 */
export function onceRate(run: Run): number {
  const skip = preflightSkip(run);
  const total =
    run.csv !== undefined
      ? firstCustomers(run.identity, Number.MAX_SAFE_INTEGER, run.csv).length
      : LOAD_CUSTOMER_COUNT;
  const perSecond = run.batchSizes.reduce((n, b) => n + b, 0) * Math.ceil(run.seconds);
  const rate = Math.floor((total - skip) / perSecond);
  if (rate < 1) {
    throw new UserFacingError(
      `${run.csv ?? 'the customer range'} has ${total} customers: sending each once for ${run.duration} per batch size (${run.batchSizes.join(', ')}) needs at least ${perSecond + skip}, after the preflight's ${skip}`,
    );
  }
  return Math.min(rate, run.options.arrivalRate ?? rate);
}
