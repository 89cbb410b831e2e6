// What a request did to each of its customers: the typed outcome the client and the bulk helper
// hand back, what `ambiguousAttempts` promises about the ledger, and the counts of a list of them.
import type { CustomerIdentifier, EarnResult } from '../openapi/index.js';

/** What happened to one customer of a request. */
export type CustomerOutcome =
  | {
      kind: 'earned';
      customer: CustomerIdentifier;
      entityId: number;
      /** Unique ID of this earn (the spec allows integer or numeric string; always a string here). */
      earnedId: string;
      issualId: string | undefined;
      programId: number;
      promotionId: number | undefined;
      promoIdentifier: string | undefined;
      ambiguousAttempts?: number;
    }
  | {
      kind: 'failed';
      customer: CustomerIdentifier;
      code: number;
      message: string;
      case: string;
      ambiguousAttempts?: number;
    }
  | {
      kind: 'warned';
      customer: CustomerIdentifier;
      code: number;
      message: string;
      case: string;
      result: EarnResultFields | undefined;
      ambiguousAttempts?: number;
    }
  /**
   * Bulk helper only: the provider proved, for every request of this customer's batch, that it
   * processed nothing (400/401/403/413/415/429/503, connection never established): nothing was issued.
   */
  | { kind: 'rejected'; customer: CustomerIdentifier; status: number | null; message: string }
  /**
   * Bulk helper only: the server may or may not have issued (timeout, 5xx other than 503, connection
   * lost after sending), on the last request or an earlier one. `ambiguousAttempts` requests may have
   * issued: the customer is in the ledger between 0 and that many times.
   */
  | { kind: 'unknown'; customer: CustomerIdentifier; reason: string; ambiguousAttempts?: number };

/**
 * What `ambiguousAttempts` (k) on an outcome of the bulk helper promises about the ledger (the
 * number of earns this run added for the customer); absent means k = 0. On `earned`, `failed` and
 * `warned` it counts earlier requests of the customer's batch that failed ambiguously and were
 * re-sent (`retryAmbiguous`); k > 0 marks the outcome *possibly duplicated*.
 *
 * | outcome  | earns in the ledger |
 * |----------|---------------------|
 * | earned   | 1 .. 1 + k          |
 * | failed   | 0 .. k              |
 * | warned   | 0 .. k (8890: the limit was reached, nothing issued by this request) |
 * | rejected | 0 (k is never set)  |
 * | unknown  | 0 .. k, k >= 1      |
 */
export type AmbiguousAttempts = number | undefined;

/** The fields of a result entry, as the spec types them. */
export type EarnResultFields = EarnResult;

export type OutcomeKind = CustomerOutcome['kind'];

export interface OutcomeCounts {
  total: number;
  earned: number;
  failed: number;
  warned: number;
  rejected: number;
  unknown: number;
}

export function countOutcomes(outcomes: readonly CustomerOutcome[]): OutcomeCounts {
  const counts: OutcomeCounts = { total: 0, earned: 0, failed: 0, warned: 0, rejected: 0, unknown: 0 };
  for (const o of outcomes) {
    counts.total++;
    counts[o.kind]++;
  }
  return counts;
}
