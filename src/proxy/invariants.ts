// The facts the public doc states about one answer that no schema can, for the proxy: the doc's
// invariants of src/contracts/invariants.ts (the same checks `verify` runs on the answers it
// receives), each given the JSON pointer of the field at fault, plus the request-level cases the
// request alone decides (8899, 8881).
import { checkInvariants, INVARIANTS } from '../contracts/invariants.js';
import { messageFor } from '../openapi/index.js';
import type { DirectEarnRequest, DirectEarnResponse } from '../openapi/types.js';

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

/** The proxy's rule name of each invariant of src/contracts/invariants.ts. */
const RULE_OF: Record<string, (typeof INVARIANT_RULES)[number]> = {
  [INVARIANTS.oneEntryPerCustomer]: 'one-entry-per-customer',
  [INVARIANTS.entityId]: 'entity-id-is-customer',
  [INVARIANTS.earnedIdsUnique]: 'earned-ids-unique',
  [INVARIANTS.warnedNotIssued]: 'warned-8890-issues-nothing',
  [INVARIANTS.counts]: 'counts-agree',
};

/** The field a line of checkInvariants is about: the entry it names, or the count. */
function fieldOf(rule: string, detail: string): string {
  const entries = /^entries \d+ and (\d+)/.exec(detail) ?? /^entry (\d+)/.exec(detail);
  const at = entries === null ? '' : `/response/${entries[1]}`;
  switch (rule) {
    case 'entity-id-is-customer':
      return `${at}/result/entityId`;
    case 'earned-ids-unique':
      return `${at}/result/earnedId`;
    case 'warned-8890-issues-nothing':
      return `${at}/result/${/carries (issualId|earnedId)/.exec(detail)?.[1] ?? 'earnedId'}`;
    case 'counts-agree':
      return detail.startsWith('failureCount') ? '/failureCount' : '/totalCount';
    default:
      return '/response';
  }
}

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
  for (const line of checkInvariants(request, answer)) {
    // A line is `invariant "<name>": <detail>`; names may hold quotes, so match them whole.
    const name = Object.keys(RULE_OF).find((n) => line.startsWith(`invariant "${n}": `));
    const detail = name === undefined ? line : line.slice(`invariant "${name}": `.length);
    const named = name === undefined ? 'one-entry-per-customer' : (RULE_OF[name] as string);
    const field = fieldOf(named, detail);
    out.push({ rule: named, field, message: `${field}: ${detail}` });
  }
  const forced = requestLevelCode(request);
  if (forced !== undefined) {
    answer.response.forEach((entry, i) => {
      if (entry.errors.some((x) => x.code === forced)) return;
      out.push({
        rule: 'request-level-case',
        field: `/response/${i}/errors`,
        message: `/response/${i}/errors lacks ${forced} ("${messageFor(forced, 'error')}"), which the request itself calls for`,
      });
    });
  }
  return out;
}
