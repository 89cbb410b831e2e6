// Provider states: present-tense sentences about data, with parameters, shared by the Pact consumer
// tests (given) and every provider side (in-process handlers, the admin route, `verify` states files).
// A name is a template; `params` carry the values, so a real host's states file can map a name to
// the real IDs of its organisation.

export const STATES = {
  /** A program with an active promotion; optional promoIdentifier and earnLimitPerCustomer. */
  promotionActive: 'program {programId} has active promotion {promotionId}',
  /** The promotion exists in the program but is not active (8892). */
  promotionInactive: 'promotion {promotionId} of program {programId} is inactive',
  /** The promotion exists and can never be issued (earn limit 0, warning 8890). */
  promotionNeverIssued: 'promotion {promotionId} of program {programId} can never be issued',
  /** No program has this ID (1101). */
  programMissing: 'program {programId} does not exist',
  /** The program exists without a promotion of this ID or identifier (8874). */
  promotionMissing: 'program {programId} has no promotion {promotion}',
  /** A customer with these identifiers exists (id, and optionally mobile and email). */
  customerExists: 'customer {customerId} exists',
  /** No customer has this identifier value (8015). */
  customerMissing: 'no customer has {identifierName} {identifierValue}',
  /** The customer has earned the promotion as often as its limit allows (warning 8890). */
  customerExhausted:
    'customer {customerId} has exhausted the earn limit of promotion {promotion} of program {programId}',
} as const;

export type StateKey = keyof typeof STATES;
export type StateName = (typeof STATES)[StateKey];
export type StateParams = Record<string, string | number | boolean | null>;

/** Every state name, for "every state has a handler" checks. */
export const STATE_NAMES: readonly StateName[] = Object.values(STATES);

/** The placeholders a state name needs, e.g. ["promotionId", "programId"]. */
export function placeholders(name: string): string[] {
  return [...name.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);
}

/** The sentence with its parameters filled in, for reports: "promotion 56800 of program 469 is inactive". */
export function describeState(name: string, params: StateParams = {}): string {
  return name.replace(/\{(\w+)\}/g, (whole, key: string) =>
    Object.hasOwn(params, key) && params[key] !== null ? String(params[key]) : whole,
  );
}

/** Whether a name is one of the suite's states. */
export function isStateName(name: string): name is StateName {
  return (STATE_NAMES as readonly string[]).includes(name);
}
