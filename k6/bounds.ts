// What bounds each k6 request to an untrusted target: k6 has no cap on an answer's size, only a
// timeout. Every request gets the suite's exchange deadline as its timeout; an answer a script reads
// (responseType 'text') goes through the bounded relay Node puts in front of a --target (no redirect
// passed on, a size cap, a deadline); one it does not read ('none') goes straight to the target,
// k6 dropping its bytes as they come.
import { config } from './config.ts';

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
