// The facts the public doc states about one answer that no schema can: one entry per customer in
// request order, counts that agree, entityId = the answered customer, unique earnedIds, nothing
// issued under warning 8890, and the request-level cases the request alone decides.
// (Written here for the proxy; helper "verify" is writing the same facts in
// src/contracts/invariants.ts for verified answers: the two should become one module.)
import { catalogue, messageFor } from '../spec/index.js';
import type { DirectEarnRequest, DirectEarnResponse } from '../spec/types.js';

/** One broken fact: the rule's name, the JSON pointer in the answer, and what is wrong. */
export interface InvariantViolation {
  rule: string;
  field: string;
  message: string;
}

/** Every invariant's rule name, for reports that list what was checked. */
export const INVARIANT_RULES = [
  'one-entry-per-customer',
  'counts-agree',
  'entity-id-is-customer',
  'earned-ids-unique',
  'warned-8890-issues-nothing',
  'request-level-case',
] as const;

const failureCodes = (): Set<number> =>
  new Set(catalogue().flatMap((c) => (c.kind === 'error' && c.failure && c.code !== null ? [c.code] : [])));

/** The code every entry must carry when the request alone decides it (8899, 8881), else undefined. */
function requestLevelCode(request: DirectEarnRequest): number | undefined {
  if ((request.type as string) === 'USERGROUP2') return 8899;
  const details = (request as { promotionDetails?: Record<string, unknown> }).promotionDetails;
  const hasPromotion = details?.promotionId !== undefined || details?.promoIdentifier !== undefined;
  if (details?.programId === undefined || !hasPromotion) return 8881;
  return undefined;
}

/** Checks a schema-valid 200 answer against the schema-valid request it answers. */
export function invariantViolations(
  request: DirectEarnRequest,
  answer: DirectEarnResponse,
): InvariantViolation[] {
  const out: InvariantViolation[] = [];
  const entries = answer.response;
  const customers = request.customers;
  if (entries.length !== customers.length) {
    out.push({
      rule: 'one-entry-per-customer',
      field: '/response',
      message: `/response has ${entries.length} entries for ${customers.length} customer(s) in the request`,
    });
  }
  if (answer.totalCount !== entries.length) {
    out.push({
      rule: 'counts-agree',
      field: '/totalCount',
      message: `/totalCount is ${answer.totalCount} but /response has ${entries.length} entries`,
    });
  }
  const failing = failureCodes();
  const failed = entries.filter((e) => e.errors.some((x) => failing.has(x.code))).length;
  if (answer.failureCount !== failed) {
    out.push({
      rule: 'counts-agree',
      field: '/failureCount',
      message: `/failureCount is ${answer.failureCount} but ${failed} entr${failed === 1 ? 'y has' : 'ies have'} an error`,
    });
  }
  const seen = new Map<string, number>();
  const forced = requestLevelCode(request);
  entries.forEach((entry, i) => {
    const result = entry.result as (Record<string, unknown> & { entityId?: unknown }) | undefined;
    const customer = customers[i];
    if (request.identifierName === 'id' && result !== undefined && customer !== undefined) {
      if (String(result.entityId) !== customer.identifierValue) {
        out.push({
          rule: 'entity-id-is-customer',
          field: `/response/${i}/result/entityId`,
          message: `/response/${i}/result/entityId is ${String(result.entityId)} but customer ${i} of the request is id ${customer.identifierValue}`,
        });
      }
    }
    if (result?.earnedId !== undefined) {
      const id = String(result.earnedId);
      const first = seen.get(id);
      if (first !== undefined) {
        out.push({
          rule: 'earned-ids-unique',
          field: `/response/${i}/result/earnedId`,
          message: `/response/${i}/result/earnedId ${id} repeats /response/${first}/result/earnedId`,
        });
      } else seen.set(id, i);
    }
    if (entry.warnings.some((w) => w.code === 8890) && result !== undefined) {
      for (const key of ['issualId', 'earnedId'] as const) {
        if (result[key] !== undefined) {
          out.push({
            rule: 'warned-8890-issues-nothing',
            field: `/response/${i}/result/${key}`,
            message: `/response/${i}/result/${key} is present although the entry is warned 8890 (nothing was issued)`,
          });
        }
      }
    }
    if (forced !== undefined && !entry.errors.some((x) => x.code === forced)) {
      out.push({
        rule: 'request-level-case',
        field: `/response/${i}/errors`,
        message: `/response/${i}/errors lacks ${forced} ("${messageFor(forced, 'error')}"), which the request itself calls for`,
      });
    }
  });
  return out;
}
