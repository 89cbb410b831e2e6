// Whether a batch size's run issued: the one rule `load` (its exit line), the report and `plan` use
// to tell a run that measured a campaign from one that measured the 8890 warning path.
import type { BatchFigures } from './summary.js';

/** A run whose issued share of answered customers is below this mostly did not issue. */
export const MOSTLY_ISSUED = 0.5;

const pct = (share: number): string =>
  `${(share * 100).toLocaleString('en-US', { maximumFractionDigits: 1 })}%`;

/**
 * Why a batch size's figures are not a campaign's, when they are not: nothing answered, or most
 * customers warned 8890 (not issued) or failed. Undefined when most customers were issued.
 */
export function notIssuedReason(b: BatchFigures): string | undefined {
  if (b.requests === 0) return `batch ${b.batchSize}: no request was sent`;
  if (b.issuedRate >= MOSTLY_ISSUED) return undefined;
  if (b.warningRate > 0 && b.warningRate >= b.entityFailureRate) {
    return `batch ${b.batchSize}: the promotion did not issue: ${pct(b.warningRate)} of customers were warned 8890 (not issued: a customer's earn limit used up, or the promotion misconfigured), ${pct(b.issuedRate)} issued; use fresh customers (--customers-csv) or a promotion with a higher earn limit`;
  }
  if (b.entityFailureRate > 0) {
    return `batch ${b.batchSize}: the promotion did not issue: ${pct(b.entityFailureRate)} of customers failed with an error, ${pct(b.issuedRate)} issued`;
  }
  return `batch ${b.batchSize}: no customer was issued (${pct(b.failedRequestRate)} of requests failed)`;
}
