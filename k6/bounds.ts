// What bounds each k6 request to an untrusted target: k6 has no cap on an answer's size, only a
// timeout. Every request gets the suite's exchange deadline as its timeout; an answer a script reads
// (responseType 'text') goes through the bounded relay Node puts in front of a --target (no redirect
// passed on, a size cap, a deadline); one it does not read ('none') goes straight to the target,
// k6 dropping its bytes as they come. Where no relay stands between (capacity, the runner pods of
// --emit-k8s) every answer read is checked against the cap after reading, and one over it aborts the
// run; what k6 holds meanwhile is bounded by its memory ceiling (src/load/k6-memory.ts, the pod's limit).
import exec from 'k6/execution';
import { Counter } from 'k6/metrics';
import { config } from './config.ts';
import { OVER_CAP_METRIC, READ_ANSWER_CAP_BYTES } from './contract.ts';

/** Base URL of the requests whose answers are read: the relay before a --target, else the target. */
export const READ_BASE_URL = config.readBaseUrl === '' ? config.baseUrl : config.readBaseUrl;

/** The endpoint through READ_BASE_URL. */
export const READ_ENDPOINT_URL = `${READ_BASE_URL}${config.endpointPath}`;

/**
 * Margin of a relayed request's timeout over the relay's deadline: the relay ends a stalled exchange
 * first and answers 502 saying why, instead of k6 timing out with no reason from the target.
 */
const RELAY_MARGIN_MS = 2_000;

/**
 * `params` with a `timeout` of the exchange deadline (plus the relay's margin for a relayed request),
 * or `params` itself when no deadline was given (the embedded provider: k6's 60 s default). Call
 * once at init time: k6 reads every key of a request's params on every request.
 */
export function bounded<P extends object>(params: P, relayed = false): P & { timeout?: number } {
  if (config.requestTimeoutMs === 0) return params;
  const relay = relayed && READ_BASE_URL !== config.baseUrl;
  return { ...params, timeout: config.requestTimeoutMs + (relay ? RELAY_MARGIN_MS : 0) };
}

/**
 * Largest answer a script reads, in characters: READ_ANSWER_CAP_BYTES. k6 turns the body into a
 * string before a script sees it, so its length is what is cheap to know: at most the bytes, and
 * at least a third of them (no UTF-8 character takes more than 3 bytes per UTF-16 unit).
 */
export const READ_CAP = READ_ANSWER_CAP_BYTES;

/** Answers over the cap: handleSummary then writes no runner summary (k6/summary-outputs.ts). */
const overCap = new Counter(OVER_CAP_METRIC);

/**
 * Aborts the run for an answer of `length` characters over READ_CAP: its figures (or a step's) are
 * forged or broken, never reported. Callers compare the length themselves (a local binding, no call
 * per answer) and call this only over the cap.
 */
export function abortOverCap(length: number): void {
  overCap.add(1);
  exec.test.abort(
    `the target broke a bound: answer of ${length} characters, over the ${READ_CAP}-character cap of an answer k6 reads`,
  );
}

/** Aborts the run when `body` (an answer read) is over READ_CAP; see abortOverCap. */
export function capAnswer(body: unknown): void {
  if (typeof body === 'string' && body.length > READ_CAP) abortOverCap(body.length);
}
