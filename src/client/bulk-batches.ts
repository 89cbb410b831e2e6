// The batches of one bulk run (bulk.ts) and the life of each: sent, judged by the retry policy
// (retry.ts), reconciled by the caller's hook, split on 413, waited and re-sent within its budgets,
// or given up; every customer of it ends with exactly one outcome in its input slot.
import type { CustomerIdentifier, DirectEarnRequest } from '../openapi/index.js';
import type { BulkSettings } from './bulk-options.js';
import type { DirectEarnClient } from './client.js';
import { DirectEarnHttpError } from './errors.js';
import type { CustomerOutcome } from './outcomes.js';
import { classifyFailure, failureDelay, rateLimitDelay, type Verdict } from './retry.js';

/** A slice of the input sent as one request (a split makes two halves, each a batch of its own). */
export interface Batch {
  id: number;
  start: number;
  customers: CustomerIdentifier[];
  /** Requests for these customers (a parent batch's included) that may have issued. */
  ambiguous: number;
  /** Why the latest of them failed. */
  lastAmbiguous?: string;
}

/** What a batch has used of its two budgets: failure attempts (the first send included) and 429 waits. */
interface Tries {
  attempt: number;
  waits: number;
}

/** Adds the batch's ambiguous count to a 200 outcome (only when some earlier request may have issued). */
function markAmbiguous(o: CustomerOutcome, ambiguous: number): CustomerOutcome {
  if (ambiguous === 0 || o.kind === 'rejected' || o.kind === 'unknown') return o;
  return { ...o, ambiguousAttempts: ambiguous };
}

/** The batches of one run: the queue workers pull from, the outcome of every input slot, and the counts. */
export class BulkBatches {
  /** One slot per input customer, filled once by whichever batch holds the customer. */
  readonly outcomes: (CustomerOutcome | undefined)[];
  /** Batches waiting to be sent (a split adds to it while the run goes on). */
  readonly queue: Batch[] = [];
  /** Batches the input was cut into (splits not counted). */
  readonly cut: number;
  requests = 0;
  retries = 0;
  private nextId = 0;

  constructor(
    private readonly client: DirectEarnClient,
    private readonly settings: BulkSettings,
    /** The request for a batch's customers (everything else comes from the caller's options). */
    private readonly requestOf: (customers: CustomerIdentifier[]) => DirectEarnRequest,
    customers: readonly CustomerIdentifier[],
  ) {
    this.outcomes = new Array(customers.length).fill(undefined);
    const size = settings.batchSize;
    for (let start = 0; start < customers.length; start += size) {
      this.queue.push({
        id: this.nextId++,
        start,
        customers: customers.slice(start, start + size),
        ambiguous: 0,
      });
    }
    this.cut = this.queue.length;
  }

  /** Sends the batch until it has outcomes, is split, or is given up; rejects only on a broken reconcile hook. */
  async run(batch: Batch): Promise<void> {
    const request = this.requestOf(batch.customers);
    const tries: Tries = { attempt: 1, waits: 0 };
    for (;;) {
      const failed = await this.send(batch, request);
      if (failed === undefined) return;
      const verdict = await this.judge(batch, request, failed.error);
      if (verdict === 'settled') return;
      if (verdict.action === 'split' && batch.customers.length > 1) {
        this.split(batch);
        return;
      }
      if (await this.waitToRetry(batch, verdict, tries)) continue;
      this.giveUp(batch, failed.error, verdict);
      return;
    }
  }

  /** One request: its outcomes fill the batch's slots, or the failure comes back to be judged. */
  private async send(batch: Batch, request: DirectEarnRequest): Promise<{ error: unknown } | undefined> {
    this.requests++;
    try {
      const res = await this.client.earn(request);
      this.fill(batch, res.outcomes);
      return undefined;
    } catch (error) {
      return { error };
    }
  }

  /** The policy's verdict on a failure, after the caller's hook had its say on one that may have issued. */
  private async judge(batch: Batch, request: DirectEarnRequest, e: unknown): Promise<'settled' | Verdict> {
    let verdict = classifyFailure(e, this.settings.retryAmbiguous);
    if (verdict.maybeProcessed) {
      const asked = await this.askReconcile(batch, request, e, verdict);
      if (asked === 'settled') return 'settled';
      verdict = asked;
    }
    if (verdict.maybeProcessed) {
      batch.ambiguous++;
      batch.lastAmbiguous = verdict.reason;
    }
    return verdict;
  }

  /** After an ambiguous failure: the caller's hook may settle the batch or prove it unprocessed. */
  private async askReconcile(
    batch: Batch,
    request: DirectEarnRequest,
    e: unknown,
    verdict: Verdict,
  ): Promise<'settled' | Verdict> {
    const reconcile = this.settings.reconcile;
    if (reconcile === undefined || (e instanceof Error && e.name === 'DirectEarnResponseError')) {
      return verdict;
    }
    // A failing hook leaves the verdict as it was rather than failing the whole run.
    const answer = await reconcile(request, verdict.reason).catch(() => undefined);
    if (answer === 'not-processed') {
      this.settings.emit({ type: 'reconciled', batch: batch.id, processed: false, reason: verdict.reason });
      const delayMs = (e as { retryAfterMs?: number }).retryAfterMs;
      return { action: 'retry', delayMs, reason: verdict.reason, maybeProcessed: false };
    }
    if (Array.isArray(answer)) {
      if (answer.length !== batch.customers.length) {
        throw new Error(
          `reconcile returned ${answer.length} outcomes for a batch of ${batch.customers.length}`,
        );
      }
      this.settings.emit({ type: 'reconciled', batch: batch.id, processed: true, reason: verdict.reason });
      this.fill(batch, answer);
      return 'settled';
    }
    return verdict;
  }

  /** 413: each half goes back on the queue as a batch of its own, carrying what may have issued. */
  private split(batch: Batch): void {
    const half = Math.ceil(batch.customers.length / 2);
    this.settings.emit({ type: 'split', batch: batch.id, size: half });
    const { ambiguous, lastAmbiguous } = batch;
    const child = (start: number, part: CustomerIdentifier[]): Batch =>
      lastAmbiguous === undefined
        ? { id: this.nextId++, start, customers: part, ambiguous }
        : { id: this.nextId++, start, customers: part, ambiguous, lastAmbiguous };
    this.queue.push(
      child(batch.start, batch.customers.slice(0, half)),
      child(batch.start + half, batch.customers.slice(half)),
    );
  }

  /**
   * Waits before a re-send when the verdict allows one and its budget is left (429 waits and failure
   * attempts each have their own) and the server's Retry-After is not too long; false to give up.
   */
  private async waitToRetry(batch: Batch, verdict: Verdict, tries: Tries): Promise<boolean> {
    if (verdict.action !== 'wait' && verdict.action !== 'retry') return false;
    const { backoff, maxAttempts, maxWaits, maxRetryAfterMs } = this.settings;
    const rateLimited = verdict.action === 'wait';
    // Drawn before the budget is checked, so a seeded jitter gives the same delays whatever the budgets.
    const delayMs = rateLimited
      ? rateLimitDelay(verdict.delayMs, tries.waits + 1, backoff)
      : failureDelay(verdict.delayMs, tries.attempt, backoff);
    const budgetLeft = rateLimited ? tries.waits < maxWaits : tries.attempt < maxAttempts;
    if (!budgetLeft || !((verdict.delayMs ?? 0) <= maxRetryAfterMs)) return false;
    if (rateLimited) tries.waits++;
    else tries.attempt++;
    this.retries++;
    this.settings.emit({
      type: 'retry',
      batch: batch.id,
      attempt: tries.attempt,
      cause: rateLimited ? 'rate-limit' : 'failure',
      delayMs,
      reason: verdict.reason,
    });
    await this.settings.sleep(delayMs);
    return true;
  }

  /** Ends a batch that will not be sent again: `rejected` only if no request of it may have issued. */
  private giveUp(batch: Batch, e: unknown, verdict: Verdict): void {
    const emit = this.settings.emit;
    if (batch.ambiguous > 0) {
      const why = verdict.maybeProcessed
        ? verdict.reason
        : `${verdict.reason}; an earlier request may have issued (${batch.lastAmbiguous})`;
      emit({ type: 'gave-up', batch: batch.id, kind: 'unknown', reason: why });
      this.settle(batch, (customer) => ({
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
    this.settle(batch, (customer) => ({ kind: 'rejected', customer, status, message: verdict.reason }));
  }

  /** The answered outcomes of the batch's customers, marked when an earlier request may have issued. */
  private fill(batch: Batch, answered: readonly CustomerOutcome[]): void {
    answered.forEach((o, i) => {
      this.outcomes[batch.start + i] = markAmbiguous(o, batch.ambiguous);
    });
  }

  private settle(batch: Batch, make: (c: CustomerIdentifier) => CustomerOutcome): void {
    batch.customers.forEach((c, i) => {
      this.outcomes[batch.start + i] = make(c);
    });
  }
}
