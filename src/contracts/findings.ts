// What the doc's invariants found in one answer, as data ({rule, entry, field, expected, received})
// rather than text, and the one table that renders each rule: `verify` and `check` print the
// `invariant "<title>": <detail>` line, the proxy the `<field>: <detail>` one. A rule missing here
// is a type error, and test/contracts/invariants.test.ts breaks every rule of INVARIANT_RULES once.
import { messageFor } from '../openapi/index.js';

/** Every invariant's rule name, in the order reports list them. */
export const INVARIANT_RULES = [
  'one-entry-per-customer',
  'counts-agree',
  'entity-id-is-customer',
  'earned-ids-unique',
  'warned-8890-issues-nothing',
  'request-level-case',
] as const;

export type InvariantRule = (typeof INVARIANT_RULES)[number];

/** One broken invariant in one answer. */
export interface Finding {
  rule: InvariantRule;
  /** The index in `response` of the entry at fault; absent when the answer as a whole is. */
  entry?: number;
  /** JSON pointer of the field at fault in the answer. */
  field: string;
  /** What the doc calls for there (a value, or a count). */
  expected: unknown;
  /** What the answer holds there. */
  received: unknown;
  /**
   * Facts of the request or of another entry that the rendering names: the identifier the entry
   * answers (entity-id-is-customer), the entry with the same earnedId (earned-ids-unique), the
   * warning code (warned-8890-issues-nothing).
   */
  context?: { identifier?: string; sameAs?: number; warning?: string };
}

interface RuleText {
  /** The invariant as verify's report names it. */
  title: string;
  /** What is wrong, in one line, from the finding alone. */
  detail(f: Finding): string;
  /** The proxy's message, when it is not `<field>: <detail>`. */
  proxy?(f: Finding): string;
}

/** The rendering of every rule. */
export const RULE_TEXT: Record<InvariantRule, RuleText> = {
  'one-entry-per-customer': {
    title: 'one entry per customer, in request order',
    detail: (f) => `${String(f.expected)} customer(s) sent, ${String(f.received)} entries answered`,
  },
  'entity-id-is-customer': {
    title: 'entityId is the id of the customer the entry answers',
    detail: (f) =>
      `entry ${f.entry} answers ${f.context?.identifier} (customer ${String(f.expected)}) with entityId ${String(f.received)}`,
  },
  'earned-ids-unique': {
    title: 'earnedIds are unique within an answer',
    detail: (f) => `entries ${f.context?.sameAs} and ${f.entry} both carry earnedId ${String(f.received)}`,
  },
  'warned-8890-issues-nothing': {
    title: 'an entry warned "not issued" carries no issualId/earnedId',
    detail: (f) =>
      `entry ${f.entry} is warned ${f.context?.warning} yet carries ${Object.keys(f.received as object).join(' and ')}`,
  },
  'counts-agree': {
    title: 'totalCount and failureCount agree with the entries',
    detail: (f) =>
      f.field === '/failureCount'
        ? `failureCount is ${JSON.stringify(f.received)} while ${String(f.expected)} entries carry errors (warnings are not failures)`
        : `totalCount is ${JSON.stringify(f.received)} for ${String(f.expected)} entries`,
  },
  'request-level-case': {
    title: 'every entry carries the error its request alone calls for (8899, 8881)',
    detail: (f) =>
      `lacks ${String(f.expected)} ("${messageFor(f.expected as number, 'error')}"), which the request itself calls for`,
    proxy: (f) => `${f.field} ${RULE_TEXT['request-level-case'].detail(f)}`,
  },
};

/** A finding as verify and check print it: `invariant "<title>": <detail>`. */
export function invariantLine(f: Finding): string {
  const text = RULE_TEXT[f.rule];
  return `invariant "${text.title}": ${text.detail(f)}`;
}

/** A finding as the proxy words it: the field at fault, then what is wrong. */
export function invariantMessage(f: Finding): string {
  const text = RULE_TEXT[f.rule];
  return text.proxy?.(f) ?? `${f.field}: ${text.detail(f)}`;
}
