// Throughput: customers/s, requests/s and latency per batch size, one arrival-rate scenario per size.
import exec from 'k6/execution';
import http from 'k6/http';
import type { Options } from 'k6/options';
import { answerReadEvery, recordAnswer, recordReadEvery } from './answers.ts';
import { bounded, READ_ENDPOINT_URL } from './bounds.ts';
import { keepTokenFresh, OAUTH } from './oauth.ts';
import { bodyPool, buildPools, directEarnBody, ENDPOINT_URL, JSON_HEADERS, pooledBody } from './payload.ts';
import {
  SCENARIO_BATCH_ENV,
  SCENARIO_FIRST_CUSTOMER_ENV,
  SCENARIO_REQUESTS_ENV,
  SUMMARY_TREND_STATS,
  throughputScenarios,
} from './profiles.ts';
import { summaryOutputs } from './summary-outputs.ts';
import { assertTargetUp } from './target.ts';
import { throughputThresholds } from './thresholds.ts';

export const options: Options = {
  // A target's redirect is never followed: it would take our credentials to another host.
  maxRedirects: 0,
  // An answer is read only where a request asks for it (responseType 'text'): the others are
  // dropped as they come, whatever their size.
  discardResponseBodies: true,
  scenarios: throughputScenarios(),
  thresholds: throughputThresholds(),
  summaryTrendStats: SUMMARY_TREND_STATS,
  // Every sample of every request carries these tags, and k6 builds and matches each tag set: the
  // summary selects by scenario only; status and error_code say what failed in an --out stream.
  systemTags: ['scenario', 'status', 'error_code'],
};

export function setup(): void {
  assertTargetUp();
}

// The bodies this VU reuses are built now, in its init code, not while the run is measured.
buildPools(__VU);

/** This VU's iteration count: cheaper than k6/execution, which builds an object per read. */
let iteration = 0;
/** __VU is this VU's for its whole life: read once, not per request (a global read is a lookup by name). */
const vu = __VU;

// The request path reads only this module's own bindings: in k6 (sobek) every read of an imported
// binding is a lookup by name, and they added up to a tenth of k6's CPU per request (pprof).
const post = http.post;
const url = ENDPOINT_URL;
/** The answers read come through the bounded relay before a --target (k6/bounds.ts). */
const readUrl = READ_ENDPOINT_URL;
const bodyOf = pooledBody;
const poolOf = bodyPool;
const record = recordAnswer;
const oauth = OAUTH;
const renew = keepTokenFresh;
/**
 * The same objects every request: k6 reads params on every call, so nothing is built per request.
 * No `name` tag: the URL is constant, so k6's default name (the URL) groups the same requests. One
 * answer in answerReadEvery(batch) is read as text; the others are not read at all ('none'). Before
 * a --target both carry the exchange deadline as their timeout (k6/bounds.ts).
 */
const read = bounded({ headers: JSON_HEADERS, responseType: 'text' as const }, true);
const unread = bounded({ headers: JSON_HEADERS, responseType: 'none' as const });

/**
 * The scenario's settings, read again only when __ENV is a new object: k6 sets __ENV to a fresh Go
 * map on every VU activation (a VU may move to the next batch scenario), and a property read of
 * that map goes through reflection, a tenth of k6's CPU per request at batch 1.
 */
let env: Record<string, string | undefined> | undefined;
let batchSize = 0;
/** Read one answer in n; `unreadLeft` more requests go unread before the next read. */
let n = 1;
let unreadLeft = 0;
/** This VU's pooled bodies at the scenario's batch size; undefined: fresh bodies or once mode. */
let pool: readonly string[] | undefined;
let poolSize = 1;
/** Once mode (DIRECTEARN_CUSTOMERS_ONCE): the scenario's first customer index, -1 otherwise. */
let first = -1;
let requests = 0;

/** Takes the settings of the scenario this VU now runs (its first iteration there). */
function activate(): void {
  env = __ENV;
  batchSize = Number(env[SCENARIO_BATCH_ENV]);
  n = answerReadEvery(batchSize);
  unreadLeft = 0;
  const from = env[SCENARIO_FIRST_CUSTOMER_ENV];
  first = from === undefined ? -1 : Number(from);
  requests = Number(env[SCENARIO_REQUESTS_ENV] ?? 0);
  pool = first < 0 ? poolOf(batchSize, vu) : undefined;
  poolSize = pool === undefined ? 1 : pool.length;
  // The gauge is the scenario's constant: one sample per VU and scenario, not one per read.
  recordReadEvery(n);
}

export function issue(): void {
  if (__ENV !== env) activate();
  let body: string;
  if (pool !== undefined) body = pool[iteration % poolSize] as string;
  else if (first < 0) body = bodyOf(batchSize, vu, iteration);
  else {
    // Once mode: the scenario's iteration number across all VUs (and runners) names its slice of
    // customers, so no customer is sent twice whichever VU sends it.
    const i = exec.scenario.iterationInTest;
    if (i >= requests) return;
    body = directEarnBody(batchSize, first + i * batchSize);
  }
  iteration++;
  // With OAuth, the token in JSON_HEADERS (which `read` and `unread` share) is renewed in place.
  if (oauth) renew();
  if (unreadLeft > 0) {
    unreadLeft--;
    post(url, body, unread);
  } else {
    unreadLeft = n - 1;
    record(post(readUrl, body, read));
  }
}

export function handleSummary(data: unknown): Record<string, string> {
  return summaryOutputs('throughput', data);
}
