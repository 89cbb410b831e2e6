// The retry policy of the bulk helper on its own: which failures may be re-sent, which may have
// issued, and how long to wait (jittered, so many workers told the same Retry-After do not retry
// in lockstep).
import { DirectEarnHttpError, DirectEarnNetworkError } from './errors.js';

/**
 * What to do after a failed request.
 * - `wait`: 429, the server is busy and processed nothing; waits have their own budget.
 * - `retry`: a failure attempt that may be re-sent (503, a connection never established, or an
 *   ambiguous failure under `retryAmbiguous`).
 * - `split`: 413, send each half.
 * - `reject`: a 4xx that processed nothing and would answer the same again.
 * - `unknown`: may have issued and must not be re-sent.
 *
 * `maybeProcessed` says whether this request may have issued (timeout, 5xx other than 503, a
 * connection lost after sending, an unreadable 200).
 */
export type Verdict =
  | { action: 'wait'; delayMs: number | undefined; reason: string; maybeProcessed: false }
  | { action: 'retry'; delayMs: number | undefined; reason: string; maybeProcessed: boolean }
  | { action: 'split'; reason: string; maybeProcessed: false }
  | { action: 'reject'; status: number | null; reason: string; maybeProcessed: false }
  | { action: 'unknown'; reason: string; maybeProcessed: true };

/** How a failed request is handled; exported so the policy is tested on its own. */
export function classifyFailure(e: unknown, retryAmbiguous = false): Verdict {
  if (e instanceof DirectEarnHttpError) {
    const reason = `HTTP ${e.status}: ${e.serverMessage}`;
    if (e.status === 429) return { action: 'wait', delayMs: e.retryAfterMs, reason, maybeProcessed: false };
    if (e.status === 503) return { action: 'retry', delayMs: e.retryAfterMs, reason, maybeProcessed: false };
    if (e.status === 413) return { action: 'split', reason, maybeProcessed: false };
    // A redirect proves nothing about what the host did with the request, and is never followed.
    if (e.status >= 300 && e.status < 400) return { action: 'unknown', reason, maybeProcessed: true };
    if (e.status >= 500) {
      return retryAmbiguous
        ? { action: 'retry', delayMs: e.retryAfterMs, reason, maybeProcessed: true }
        : { action: 'unknown', reason, maybeProcessed: true };
    }
    return { action: 'reject', status: e.status, reason, maybeProcessed: false };
  }
  if (e instanceof DirectEarnNetworkError) {
    if (!e.maybeProcessed)
      return { action: 'retry', delayMs: undefined, reason: e.message, maybeProcessed: false };
    return retryAmbiguous
      ? { action: 'retry', delayMs: undefined, reason: e.message, maybeProcessed: true }
      : { action: 'unknown', reason: e.message, maybeProcessed: true };
  }
  // An unreadable 200 (DirectEarnResponseError) or anything else: the server may have issued, and a
  // re-send would most likely get the same unreadable answer.
  return { action: 'unknown', reason: e instanceof Error ? e.message : String(e), maybeProcessed: true };
}

/** Backoff and jitter settings of one bulk run. */
export interface Backoff {
  baseMs: number;
  maxMs: number;
  random: () => number;
}

/**
 * Delay before failure attempt `attempt + 1`: the server's Retry-After when it sent one (503), or
 * exponential backoff with equal jitter (between half and all of base * 2^(attempt-1), capped).
 */
export function failureDelay(retryAfterMs: number | undefined, attempt: number, b: Backoff): number {
  if (retryAfterMs !== undefined) return retryAfterMs + b.random() * Math.min(b.maxMs, retryAfterMs);
  return Math.min(b.maxMs, b.baseMs * 2 ** (attempt - 1)) * (0.5 + b.random() / 2);
}

/**
 * Delay before re-sending after the `wait`-th 429 in a row. Retry-After is a floor (the server
 * asked for at least that), and full jitter spreads workers over a window above it: the window is
 * at least Retry-After wide and doubles with each consecutive 429 (capped at maxMs), so workers
 * told "1 s" at the same moment come back spread over 1..2 s, not all at once. Without
 * Retry-After: full jitter over base * 2^(wait-1).
 */
export function rateLimitDelay(retryAfterMs: number | undefined, wait: number, b: Backoff): number {
  const exp = Math.min(b.maxMs, b.baseMs * 2 ** (wait - 1));
  if (retryAfterMs === undefined) return b.random() * exp;
  return retryAfterMs + b.random() * Math.max(exp, Math.min(b.maxMs, retryAfterMs));
}
