// Issues one promotion to any number of customers: batches, bounded concurrency, retries with
// backoff that honours Retry-After, and exactly one outcome per input customer in input order.
//
// The endpoint has no idempotency key, so a batch the server has processed must never be sent
// again unless the caller allows it, or its customers would earn twice. The policy (src/client/retry.ts):
// - 429: busy, nothing processed -> wait (jittered, above Retry-After) and re-send; these waits have
//   their own budget (maxRateLimitWaits) and do not use up failure attempts.
// - 503 and a connection never established (ECONNREFUSED, DNS, connect timeout): nothing processed
//   -> re-sent, up to maxAttempts.
// - 413: not processed -> the batch is split in halves (a single customer over the limit is rejected).
// - 400/401/403/415 and other 4xx: not processed, and sending again changes nothing -> `rejected`.
// - A timeout, any other 5xx, a connection lost after sending, an unreadable 200: MAY have issued
//   -> not re-sent; `unknown`, unless a `reconcile` hook answers 'not-processed' (re-sent) or the
//   outcomes. `retryAmbiguous: true` re-sends them (at-least-once), and every later outcome of the
//   batch carries `ambiguousAttempts` (see AmbiguousAttempts in client.ts).
// An outcome is `rejected` only when every request of the batch was proven not processed; once one
// may have issued, giving up means `unknown`.
import {
  DEFAULT_CLIENT_BACKOFF_BASE_MS,
  DEFAULT_CLIENT_BACKOFF_MAX_MS,
  DEFAULT_CLIENT_BATCH_SIZE,
  DEFAULT_CLIENT_CONCURRENCY,
  DEFAULT_CLIENT_MAX_ATTEMPTS,
  DEFAULT_CLIENT_MAX_RATE_LIMIT_WAITS,
  DEFAULT_CLIENT_MAX_RETRY_AFTER_MS,
} from '../config/defaults.js';
import type {
  CustomerIdentifier,
  DirectEarnRequest,
  EntityType,
  IdentifierName,
  PromotionDetails,
} from '../openapi/index.js';
import { type CustomerOutcome, countOutcomes, type DirectEarnClient, type OutcomeCounts } from './client.js';
import { DirectEarnHttpError } from './errors.js';
import { type Backoff, classifyFailure, failureDelay, rateLimitDelay, type Verdict } from './retry.js';

export { classifyFailure, failureDelay, rateLimitDelay, type Verdict } from './retry.js';

export interface BulkEarnOptions {
  type?: EntityType;
  promotionDetails: PromotionDetails;
  identifierName: IdentifierName;
  customers: readonly CustomerIdentifier[];
  /** Customers per request (default DEFAULT_CLIENT_BATCH_SIZE). */
  batchSize?: number;
  /** The host's BULK_API_BATCH_SIZE_FOR_REDIRECTION when redirection is enabled: batches never exceed it. */
  redirectionBatchSize?: number;
  /** Requests in flight at once (default DEFAULT_CLIENT_CONCURRENCY). */
  concurrency?: number;
  /** Failure attempts per batch, first included; 429s do not count (default DEFAULT_CLIENT_MAX_ATTEMPTS). */
  maxAttempts?: number;
  /** 429 answers a batch waits out before giving up (default DEFAULT_CLIENT_MAX_RATE_LIMIT_WAITS). */
  maxRateLimitWaits?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** A Retry-After longer than this fails the batch instead of waiting (default 60 s). */
  maxRetryAfterMs?: number;
  /** Re-send batches that may have been processed (5xx, lost connection). Off by default: see above. */
  retryAmbiguous?: boolean;
  /**
   * Asked after an ambiguous failure (5xx, connection lost after sending): did the server process
   * this request? 'not-processed' makes the batch safe to retry; outcomes (one per customer of the
   * request) settle it; undefined leaves its customers `unknown` (or re-sent under retryAmbiguous).
   */
  reconcile?: (
    request: DirectEarnRequest,
    reason: string,
  ) => Promise<CustomerOutcome[] | 'not-processed' | undefined>;
  /** Called on every retry and final failure, for logs. */
  onEvent?: (event: BulkEvent) => void;
  /** Injected for tests. */
  sleep?: (ms: number) => Promise<void>;
  /** Random source of the jitter (tests inject a seeded one). */
  random?: () => number;
}

export type BulkEvent =
  | {
      type: 'retry';
      batch: number;
      /** Failure attempts so far (429 waits not counted). */
      attempt: number;
      /** 'rate-limit': a 429 wait; 'failure': a failure attempt. */
      cause: 'rate-limit' | 'failure';
      delayMs: number;
      reason: string;
    }
  | { type: 'split'; batch: number; size: number }
  | { type: 'reconciled'; batch: number; processed: boolean; reason: string }
  | { type: 'gave-up'; batch: number; kind: 'rejected' | 'unknown'; reason: string };

export interface BulkEarnResult {
  /** Exactly one outcome per input customer, in input order. */
  outcomes: CustomerOutcome[];
  counts: OutcomeCounts;
  /** `earned`, `warned` or `failed` outcomes with ambiguousAttempts > 0 (retryAmbiguous only). */
  possiblyDuplicated: number;
  /** Requests sent, retries among them, and batches the input was cut into. */
  requests: number;
  retries: number;
  batches: number;
}

interface Batch {
  id: number;
  start: number;
  customers: CustomerIdentifier[];
  /** Requests for these customers (a parent batch's included) that may have issued. */
  ambiguous: number;
  /** Why the latest of them failed. */
  lastAmbiguous?: string;
}

function positiveInt(v: number | undefined, name: string, fallback: number): number {
  if (v === undefined) return fallback;
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a whole number >= 1, got ${v}`);
  return v;
}

function nonNegativeInt(v: number | undefined, name: string, fallback: number): number {
  if (v === undefined) return fallback;
  if (!Number.isInteger(v) || v < 0) throw new Error(`${name} must be a whole number >= 0, got ${v}`);
  return v;
}

/** Adds the batch's ambiguous count to a 200 outcome (only when some earlier request may have issued). */
function markAmbiguous(o: CustomerOutcome, ambiguous: number): CustomerOutcome {
  if (ambiguous === 0 || o.kind === 'rejected' || o.kind === 'unknown') return o;
  return { ...o, ambiguousAttempts: ambiguous };
}

/** Issues the promotion to every customer; never throws for a batch failure (it becomes outcomes). */
export async function earnBulk(client: DirectEarnClient, options: BulkEarnOptions): Promise<BulkEarnResult> {
  const requested = positiveInt(options.batchSize, 'batchSize', DEFAULT_CLIENT_BATCH_SIZE);
  const redirection =
    options.redirectionBatchSize === undefined
      ? undefined
      : positiveInt(options.redirectionBatchSize, 'redirectionBatchSize', 1);
  const batchSize = redirection === undefined ? requested : Math.min(requested, redirection);
  const concurrency = positiveInt(options.concurrency, 'concurrency', DEFAULT_CLIENT_CONCURRENCY);
  const maxAttempts = positiveInt(options.maxAttempts, 'maxAttempts', DEFAULT_CLIENT_MAX_ATTEMPTS);
  const maxWaits = nonNegativeInt(
    options.maxRateLimitWaits,
    'maxRateLimitWaits',
    DEFAULT_CLIENT_MAX_RATE_LIMIT_WAITS,
  );
  const backoff: Backoff = {
    baseMs: options.backoffBaseMs ?? DEFAULT_CLIENT_BACKOFF_BASE_MS,
    maxMs: options.backoffMaxMs ?? DEFAULT_CLIENT_BACKOFF_MAX_MS,
    random: options.random ?? Math.random,
  };
  const maxRetryAfterMs = options.maxRetryAfterMs ?? DEFAULT_CLIENT_MAX_RETRY_AFTER_MS;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const emit = options.onEvent ?? (() => {});

  const customers = [...options.customers];
  const outcomes: (CustomerOutcome | undefined)[] = new Array(customers.length).fill(undefined);
  const queue: Batch[] = [];
  let nextId = 0;
  for (let start = 0; start < customers.length; start += batchSize) {
    queue.push({ id: nextId++, start, customers: customers.slice(start, start + batchSize), ambiguous: 0 });
  }
  const batches = queue.length;
  let requests = 0;
  let retries = 0;

  const settle = (batch: Batch, make: (c: CustomerIdentifier) => CustomerOutcome): void => {
    batch.customers.forEach((c, i) => {
      outcomes[batch.start + i] = make(c);
    });
  };

  /** Ends a batch that will not be sent again: `rejected` only if no request of it may have issued. */
  const giveUp = (batch: Batch, e: unknown, verdict: Verdict): void => {
    if (batch.ambiguous > 0) {
      const why = verdict.maybeProcessed
        ? verdict.reason
        : `${verdict.reason}; an earlier request may have issued (${batch.lastAmbiguous})`;
      emit({ type: 'gave-up', batch: batch.id, kind: 'unknown', reason: why });
      settle(batch, (customer) => ({
        kind: 'unknown',
        customer,
        reason: why,
        ambiguousAttempts: batch.ambiguous,
      }));
      return;
    }
    const status =
      verdict.action === 'reject' ? verdict.status : e instanceof DirectEarnHttpError ? e.status : null;
    emit({ type: 'gave-up', batch: batch.id, kind: 'rejected', reason: verdict.reason });
    settle(batch, (customer) => ({ kind: 'rejected', customer, status, message: verdict.reason }));
  };

  /** After an ambiguous failure: the caller's hook may settle the batch or prove it unprocessed. */
  const askReconcile = async (
    batch: Batch,
    request: DirectEarnRequest,
    e: unknown,
    verdict: Verdict,
  ): Promise<'settled' | Verdict> => {
    if (options.reconcile === undefined || (e instanceof Error && e.name === 'DirectEarnResponseError')) {
      return verdict;
    }
    // A failing hook leaves the verdict as it was rather than failing the whole run.
    const answer = await options.reconcile(request, verdict.reason).catch(() => undefined);
    if (answer === 'not-processed') {
      emit({ type: 'reconciled', batch: batch.id, processed: false, reason: verdict.reason });
      const delayMs = (e as { retryAfterMs?: number }).retryAfterMs;
      return { action: 'retry', delayMs, reason: verdict.reason, maybeProcessed: false };
    }
    if (Array.isArray(answer)) {
      if (answer.length !== batch.customers.length) {
        throw new Error(
          `reconcile returned ${answer.length} outcomes for a batch of ${batch.customers.length}`,
        );
      }
      emit({ type: 'reconciled', batch: batch.id, processed: true, reason: verdict.reason });
      answer.forEach((o, i) => {
        outcomes[batch.start + i] = markAmbiguous(o, batch.ambiguous);
      });
      return 'settled';
    }
    return verdict;
  };

  const runBatch = async (batch: Batch): Promise<void> => {
    const request: DirectEarnRequest = {
      type: options.type ?? 'CUSTOMER',
      promotionDetails: options.promotionDetails,
      identifierName: options.identifierName,
      customers: batch.customers,
    };
    let attempt = 1;
    let waits = 0;
    for (;;) {
      requests++;
      let e: unknown;
      try {
        const res = await client.earn(request);
        res.outcomes.forEach((o, i) => {
          outcomes[batch.start + i] = markAmbiguous(o, batch.ambiguous);
        });
        return;
      } catch (caught) {
        e = caught;
      }
      let verdict = classifyFailure(e, options.retryAmbiguous);
      if (verdict.maybeProcessed) {
        const asked = await askReconcile(batch, request, e, verdict);
        if (asked === 'settled') return;
        verdict = asked;
      }
      if (verdict.maybeProcessed) {
        batch.ambiguous++;
        batch.lastAmbiguous = verdict.reason;
      }
      if (verdict.action === 'split' && batch.customers.length > 1) {
        const half = Math.ceil(batch.customers.length / 2);
        emit({ type: 'split', batch: batch.id, size: half });
        const { ambiguous, lastAmbiguous } = batch;
        const child = (start: number, part: CustomerIdentifier[]): Batch =>
          lastAmbiguous === undefined
            ? { id: nextId++, start, customers: part, ambiguous }
            : { id: nextId++, start, customers: part, ambiguous, lastAmbiguous };
        queue.push(
          child(batch.start, batch.customers.slice(0, half)),
          child(batch.start + half, batch.customers.slice(half)),
        );
        return;
      }
      if (verdict.action === 'wait' || verdict.action === 'retry') {
        const rateLimited = verdict.action === 'wait';
        const delayMs = rateLimited
          ? rateLimitDelay(verdict.delayMs, waits + 1, backoff)
          : failureDelay(verdict.delayMs, attempt, backoff);
        const budgetLeft = rateLimited ? waits < maxWaits : attempt < maxAttempts;
        if (budgetLeft && (verdict.delayMs ?? 0) <= maxRetryAfterMs) {
          if (rateLimited) waits++;
          else attempt++;
          retries++;
          emit({
            type: 'retry',
            batch: batch.id,
            attempt,
            cause: rateLimited ? 'rate-limit' : 'failure',
            delayMs,
            reason: verdict.reason,
          });
          await sleep(delayMs);
          continue;
        }
      }
      giveUp(batch, e, verdict);
      return;
    }
  };

  // Workers pull batches until the queue is empty and nobody can add to it (a split adds).
  let active = 0;
  await new Promise<void>((resolve, reject) => {
    const pump = (): void => {
      while (active < concurrency && queue.length > 0) {
        const batch = queue.shift() as Batch;
        active++;
        runBatch(batch)
          .then(() => {
            active--;
            pump();
          })
          .catch(reject);
      }
      if (active === 0 && queue.length === 0) resolve();
    };
    pump();
  });

  const missing = outcomes.indexOf(undefined);
  if (missing !== -1) throw new Error(`internal error: customer ${missing} has no outcome`);
  const done = outcomes as CustomerOutcome[];
  const possiblyDuplicated = done.filter(
    (o) => o.kind !== 'unknown' && o.kind !== 'rejected' && (o.ambiguousAttempts ?? 0) > 0,
  ).length;
  return { outcomes: done, counts: countOutcomes(done), possiblyDuplicated, requests, retries, batches };
}
