// The bounded relay between k6 and a --target: k6 has no cap on the size of an answer it reads, only
// a timeout. The answers a script reads (every smoke answer, one in N of the throughput's, the rate's
// and the OAuth renewals) go through the recording proxy (no redirect passed on, a size cap, a
// deadline per exchange); the others k6 sends straight to the target with `responseType: 'none'`,
// dropping their bytes as they come. Every k6 request has the exchange deadline as its timeout, and
// the first bound the target breaks stops k6, that bound being the run's one-line reason.

import { k6Env, READ_ANSWER_CAP_BYTES } from '../config/k6-contract.js';
import { type RecordingProxy, startRecordingProxy } from '../contracts/recording-proxy.js';
import { exchangeDeadlineMs } from '../util/bounded-http.js';
import type { LoadScenario } from './options.js';

/**
 * Largest answer the smoke takes from a --target: its requests are the doc's examples (a few
 * customers, answers of a few KB), and k6 holds every answer it reads several times over.
 */
export const SMOKE_ANSWER_CAP_BYTES = 1024 * 1024;

/**
 * Largest answer a throughput or rate run reads from a --target: the k6 scripts' own cap
 * (READ_ANSWER_CAP_BYTES of k6/contract.ts), which they check where no relay stands between.
 */
export const LOAD_ANSWER_CAP_BYTES = READ_ANSWER_CAP_BYTES;

/** How often the relay is asked whether the target broke a bound (then k6 is stopped). */
const WATCH_MS = 200;

export interface TargetRelay {
  relay: RecordingProxy;
  /** BASE_URL for k6: the relay for the smoke (it reads every answer), the target otherwise. */
  baseUrl: string;
  /** The k6 variables of the bounds (k6/bounds.ts). */
  vars: Record<string, string>;
  /** Aborted once the target broke a bound: k6 is stopped then. */
  stop: AbortSignal;
  close(): Promise<void>;
}

/** Starts the relay in front of `target` (a --target URL) for a run of `scenario`. */
export async function startTargetRelay(
  scenario: LoadScenario,
  target: string,
  env: NodeJS.ProcessEnv,
): Promise<TargetRelay> {
  const url = new URL(target);
  const deadlineMs = exchangeDeadlineMs(env);
  const relay = await startRecordingProxy(url.origin, {
    keepBodies: false,
    // k6 leaves the requests in flight when a run ends: their answers are judged by the deadline.
    clientLeaves: 'finish',
    deadlineMs,
    capBytes: scenario === 'smoke' ? SMOKE_ANSWER_CAP_BYTES : LOAD_ANSWER_CAP_BYTES,
  });
  const relayed = `${relay.url}${url.pathname.replace(/\/+$/, '')}`;
  const stopper = new AbortController();
  const watch = setInterval(() => {
    if (relay.tripped() !== undefined) stopper.abort();
  }, WATCH_MS);
  watch.unref();
  return {
    relay,
    baseUrl: scenario === 'smoke' ? relayed : target,
    vars: k6Env({ readBaseUrl: relayed, requestTimeoutMs: deadlineMs }),
    stop: stopper.signal,
    close: async () => {
      clearInterval(watch);
      await relay.close();
    },
  };
}

/**
 * When the target broke a bound: one line saying so, and the bound added last to `k6Errors` (the
 * line `load` prints as the reason the run did not complete). Whether it did.
 */
export function noteTrip(
  relay: RecordingProxy | undefined,
  scenario: LoadScenario,
  say: (line: string) => void,
  k6Errors: string[],
): boolean {
  const tripped = relay?.tripped();
  if (tripped === undefined) return false;
  say(`${scenario}: ${tripped}; k6 was stopped, nothing more was sent through the relay`);
  k6Errors.push(tripped);
  return true;
}
