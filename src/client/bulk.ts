// Issues one promotion to any number of customers: batches, bounded concurrency, retries with
// backoff that honours Retry-After, and exactly one outcome per input customer in input order.
//
// Which failures are retried (the endpoint has no idempotency key, so a batch the server has
// processed must never be sent again, or its customers would earn twice):
// - 429, and 503 (the server says it is unavailable): refused before processing -> retried after
//   Retry-After, or backoff when there is none.
// - A connection that was never established (ECONNREFUSED, DNS, connect timeout): the server never
//   saw it -> retried.
// - 413: not processed -> the batch is split in halves and those are sent (a single customer over
//   the limit is rejected).
// - 400/401/403/415 and other 4xx: not processed, and sending again changes nothing -> every
//   customer of the batch is `rejected`.
// - Any other 5xx (500, 502, 504...), a connection lost after the request was sent, a timeout, or
//   an unreadable 200: the server MAY have issued -> NOT retried; every customer of the batch is
//   `unknown`, unless a `reconcile` hook (the caller's way to ask the CRM what happened, e.g. the
//   customer's promotions) answers: 'not-processed' -> retried; outcomes -> taken as the batch's
//   answer. `retryAmbiguous: true` re-sends them without asking
//   (at-least-once: a customer may earn twice; safe only when the promotion's earn limit per
//   customer turns a repeat into warning 8890).
import {
  DEFAULT_CLIENT_BACKOFF_BASE_MS,
  DEFAULT_CLIENT_BACKOFF_MAX_MS,
  DEFAULT_CLIENT_BATCH_SIZE,
  DEFAULT_CLIENT_CONCURRENCY,
  DEFAULT_CLIENT_MAX_ATTEMPTS,
  DEFAULT_CLIENT_MAX_RETRY_AFTER_MS,
} from '../config/defaults.js';
import type {
  CustomerIdentifier,
  DirectEarnRequest,
  EntityType,
  IdentifierName,
  PromotionDetails,
} from '../spec/index.js';
import { type CustomerOutcome, countOutcomes, type DirectEarnClient, type OutcomeCounts } from './client.js';
import { DirectEarnHttpError, DirectEarnNetworkError } from './errors.js';

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
  /** Attempts per batch, first included (default DEFAULT_CLIENT_MAX_ATTEMPTS). */
  maxAttempts?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** A Retry-After longer than this fails the batch instead of waiting (default 60 s). */
  maxRetryAfterMs?: number;
  /** Re-send batches that may have been processed (5xx, lost connection). Off by default: see above. */
  retryAmbiguous?: boolean;
  /**
   * Asked after an ambiguous failure (5xx, connection lost after sending): did the server process
   * this request? 'not-processed' makes the batch safe to retry; outcomes (one per customer of the
   * request) settle it; undefined leaves its customers `unknown`.
   */
  reconcile?: (
    request: DirectEarnRequest,
    reason: string,
  ) => Promise<CustomerOutcome[] | 'not-processed' | undefined>;
  /** Called on every retry and final failure, for logs. */
  onEvent?: (event: BulkEvent) => void;
  /** Injected for tests. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export type BulkEvent =
  | { type: 'retry'; batch: number; attempt: number; delayMs: number; reason: string }
  | { type: 'split'; batch: number; size: number }
  | { type: 'reconciled'; batch: number; processed: boolean; reason: string }
  | { type: 'gave-up'; batch: number; kind: 'rejected' | 'unknown'; reason: string };

export interface BulkEarnResult {
  /** Exactly one outcome per input customer, in input order. */
  outcomes: CustomerOutcome[];
  counts: OutcomeCounts;
  /** Requests sent, retries among them, and batches the input was cut into. */
  requests: number;
  retries: number;
  batches: number;
}

interface Batch {
  id: number;
  start: number;
  customers: CustomerIdentifier[];
}

type Verdict =
  | { action: 'retry'; delayMs: number | undefined; reason: string }
  | { action: 'split'; reason: string }
  | { action: 'reject'; status: number | null; reason: string }
  | { action: 'unknown'; reason: string };

/** How a failed request is handled; exported so the policy is tested on its own. */
export function classifyFailure(e: unknown, retryAmbiguous = false): Verdict {
  if (e instanceof DirectEarnHttpError) {
    const reason = `HTTP ${e.status}: ${e.serverMessage}`;
    if (e.status === 429 || e.status === 503) return { action: 'retry', delayMs: e.retryAfterMs, reason };
    if (e.status === 413) return { action: 'split', reason };
    if (e.status >= 500) {
      return retryAmbiguous
        ? { action: 'retry', delayMs: e.retryAfterMs, reason }
        : { action: 'unknown', reason };
    }
    return { action: 'reject', status: e.status, reason };
  }
  if (e instanceof DirectEarnNetworkError) {
    if (!e.maybeProcessed || retryAmbiguous)
      return { action: 'retry', delayMs: undefined, reason: e.message };
    return { action: 'unknown', reason: e.message };
  }
  return { action: 'unknown', reason: e instanceof Error ? e.message : String(e) };
}

function positiveInt(v: number | undefined, name: string, fallback: number): number {
  if (v === undefined) return fallback;
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a whole number >= 1, got ${v}`);
  return v;
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
  const baseMs = options.backoffBaseMs ?? DEFAULT_CLIENT_BACKOFF_BASE_MS;
  const maxMs = options.backoffMaxMs ?? DEFAULT_CLIENT_BACKOFF_MAX_MS;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? DEFAULT_CLIENT_MAX_RETRY_AFTER_MS;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const random = options.random ?? Math.random;
  const emit = options.onEvent ?? (() => {});

  const customers = [...options.customers];
  const outcomes: (CustomerOutcome | undefined)[] = new Array(customers.length).fill(undefined);
  const queue: Batch[] = [];
  let nextId = 0;
  for (let start = 0; start < customers.length; start += batchSize) {
    queue.push({ id: nextId++, start, customers: customers.slice(start, start + batchSize) });
  }
  const batches = queue.length;
  let requests = 0;
  let retries = 0;

  const settle = (batch: Batch, make: (c: CustomerIdentifier) => CustomerOutcome): void => {
    batch.customers.forEach((c, i) => {
      outcomes[batch.start + i] = make(c);
    });
  };

  const runBatch = async (batch: Batch): Promise<void> => {
    const request: DirectEarnRequest = {
      type: options.type ?? 'CUSTOMER',
      promotionDetails: options.promotionDetails,
      identifierName: options.identifierName,
      customers: batch.customers,
    };
    for (let attempt = 1; ; attempt++) {
      requests++;
      try {
        const res = await client.earn(request);
        res.outcomes.forEach((o, i) => {
          outcomes[batch.start + i] = o;
        });
        return;
      } catch (e) {
        let verdict = classifyFailure(e, options.retryAmbiguous);
        if (
          verdict.action === 'unknown' &&
          options.reconcile !== undefined &&
          !(e instanceof Error && e.name === 'DirectEarnResponseError')
        ) {
          // A failing hook leaves the batch unknown rather than failing the whole run.
          const answer = await options.reconcile(request, verdict.reason).catch(() => undefined);
          if (answer === 'not-processed') {
            emit({ type: 'reconciled', batch: batch.id, processed: false, reason: verdict.reason });
            verdict = {
              action: 'retry',
              delayMs: (e as { retryAfterMs?: number }).retryAfterMs,
              reason: verdict.reason,
            };
          } else if (Array.isArray(answer)) {
            if (answer.length !== batch.customers.length) {
              throw new Error(
                `reconcile returned ${answer.length} outcomes for a batch of ${batch.customers.length}`,
              );
            }
            emit({ type: 'reconciled', batch: batch.id, processed: true, reason: verdict.reason });
            answer.forEach((o, i) => {
              outcomes[batch.start + i] = o;
            });
            return;
          }
        }
        if (verdict.action === 'split' && batch.customers.length > 1) {
          const half = Math.ceil(batch.customers.length / 2);
          emit({ type: 'split', batch: batch.id, size: half });
          queue.push(
            { id: nextId++, start: batch.start, customers: batch.customers.slice(0, half) },
            { id: nextId++, start: batch.start + half, customers: batch.customers.slice(half) },
          );
          return;
        }
        if (verdict.action === 'retry') {
          const backoff = Math.min(maxMs, baseMs * 2 ** (attempt - 1)) * (0.5 + random() / 2);
          const delayMs = verdict.delayMs ?? backoff;
          if (attempt < maxAttempts && delayMs <= maxRetryAfterMs) {
            retries++;
            emit({ type: 'retry', batch: batch.id, attempt, delayMs, reason: verdict.reason });
            await sleep(delayMs);
            continue;
          }
          // Retries exhausted on failures that were never processed: nothing was issued.
          const status = e instanceof DirectEarnHttpError ? e.status : null;
          emit({ type: 'gave-up', batch: batch.id, kind: 'rejected', reason: verdict.reason });
          settle(batch, (customer) => ({ kind: 'rejected', customer, status, message: verdict.reason }));
          return;
        }
        if (verdict.action === 'unknown') {
          emit({ type: 'gave-up', batch: batch.id, kind: 'unknown', reason: verdict.reason });
          settle(batch, (customer) => ({ kind: 'unknown', customer, reason: verdict.reason }));
          return;
        }
        const status = verdict.action === 'reject' ? verdict.status : 413;
        emit({ type: 'gave-up', batch: batch.id, kind: 'rejected', reason: verdict.reason });
        settle(batch, (customer) => ({ kind: 'rejected', customer, status, message: verdict.reason }));
        return;
      }
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
  return { outcomes: done, counts: countOutcomes(done), requests, retries, batches };
}
