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
//   batch carries `ambiguousAttempts` (see AmbiguousAttempts in outcomes.ts).
// An outcome is `rejected` only when every request of the batch was proven not processed; once one
// may have issued, giving up means `unknown`.
//
// Here the run as a whole: the input cut into batches, workers sending them at bounded concurrency
// until none is left, and the result. Its options: bulk-options.ts; one batch's life: bulk-batches.ts.
import type { CustomerIdentifier, DirectEarnRequest } from '../openapi/index.js';
import { type Batch, BulkBatches } from './bulk-batches.js';
import { type BulkEarnOptions, type BulkEarnResult, settleBulkOptions } from './bulk-options.js';
import type { DirectEarnClient } from './client.js';
import { type CustomerOutcome, countOutcomes } from './outcomes.js';

export type { BulkEarnOptions, BulkEarnResult, BulkEvent } from './bulk-options.js';
export { classifyFailure, failureDelay, rateLimitDelay, type Verdict } from './retry.js';

/** Issues the promotion to every customer; never throws for a batch failure (it becomes outcomes). */
export async function earnBulk(client: DirectEarnClient, options: BulkEarnOptions): Promise<BulkEarnResult> {
  const settings = settleBulkOptions(options);
  // What every request carries: the caller's promotion and identifier name, a batch's customers.
  const requestOf = (customers: CustomerIdentifier[]): DirectEarnRequest => ({
    type: options.type ?? 'CUSTOMER',
    promotionDetails: options.promotionDetails,
    identifierName: options.identifierName,
    customers,
  });
  const batches = new BulkBatches(client, settings, requestOf, [...options.customers]);
  await sendAll(batches, settings.concurrency);
  return resultOf(batches);
}

/** Workers pull batches until the queue is empty and nobody can add to it (a split adds). */
function sendAll(batches: BulkBatches, concurrency: number): Promise<void> {
  let active = 0;
  return new Promise<void>((resolve, reject) => {
    const pump = (): void => {
      while (active < concurrency && batches.queue.length > 0) {
        const batch = batches.queue.shift() as Batch;
        active++;
        batches
          .run(batch)
          .then(() => {
            active--;
            pump();
          })
          .catch(reject);
      }
      if (active === 0 && batches.queue.length === 0) resolve();
    };
    pump();
  });
}

/** One outcome per input customer, in input order, with the counts; a slot left empty is a bug. */
function resultOf(batches: BulkBatches): BulkEarnResult {
  const missing = batches.outcomes.indexOf(undefined);
  if (missing !== -1) throw new Error(`internal error: customer ${missing} has no outcome`);
  const done = batches.outcomes as CustomerOutcome[];
  const possiblyDuplicated = done.filter(
    (o) => o.kind !== 'unknown' && o.kind !== 'rejected' && (o.ambiguousAttempts ?? 0) > 0,
  ).length;
  return {
    outcomes: done,
    counts: countOutcomes(done),
    possiblyDuplicated,
    requests: batches.requests,
    retries: batches.retries,
    batches: batches.cut,
  };
}
