// Reading the figures of a 200 answer without JSON.parse: parsing a 1000-customer answer costs k6
// about 8 ms of CPU, which on one machine is taken from the target (npm run bench:load measures it).
// Exact anyway: a quote inside a JSON string is escaped, so `"failureCount":` and `"warnings":[{`
// can only match the answer's own keys.

import type { RefinedResponse, ResponseType } from 'k6/http';
import { Counter } from 'k6/metrics';

const customersAnswered = new Counter('directearn_customers_answered');
const entityFailures = new Counter('directearn_entity_failures');
const entityWarnings = new Counter('directearn_entity_warnings');

const TOTAL = /"totalCount"\s*:\s*(\d+)/;
const FAILURES = /"failureCount"\s*:\s*(\d+)/;
const WARNED = /"warnings"\s*:\s*\[\s*\{/g;

export interface AnswerFigures {
  /** Customers answered (totalCount). */
  total: number;
  /** Customers with an error (failureCount). */
  failed: number;
  /** Customers whose entry has at least one warning. */
  warned: number;
}

/** The figures of a directEarn 200 body, or undefined when it has no totalCount (not an answer). */
export function answerFigures(body: string): AnswerFigures | undefined {
  // The counts close the body: search its tail first, the whole body if the tail misses.
  const tail = body.length > 256 ? body.slice(-256) : body;
  const total = TOTAL.exec(tail) ?? TOTAL.exec(body);
  if (total === null) return undefined;
  const failed = FAILURES.exec(tail) ?? FAILURES.exec(body);
  return {
    total: Number(total[1]),
    failed: failed === null ? 0 : Number(failed[1]),
    warned: body.match(WARNED)?.length ?? 0,
  };
}

/** Adds a 200 answer's customers, failures and warnings to the directearn_* counters. */
export function recordAnswer(res: RefinedResponse<ResponseType | undefined>): void {
  if (res.status !== 200 || typeof res.body !== 'string') return;
  const figures = answerFigures(res.body);
  if (figures === undefined) return;
  customersAnswered.add(figures.total);
  entityFailures.add(figures.failed);
  entityWarnings.add(figures.warned);
}
