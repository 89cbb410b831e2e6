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
  /** The provider's rate limit is this many requests per second and no request is left (429). */
  rateLimitUsedUp: 'the rate limit of {requestsPerSecond} requests per second is used up',
  /** The provider refuses request bodies larger than this many bytes (413). */
  bodyLimited: 'request bodies are limited to {bytes} bytes',
} as const;

export type StateKey = keyof typeof STATES;
export type StateName = (typeof STATES)[StateKey];
export type StateParams = Record<string, string | number | boolean | null>;

/** Every state name, for "every state has a handler" checks. */
export const STATE_NAMES: readonly StateName[] = Object.values(STATES);

/**
 * States about the provider's own settings (its limits), not its data. A states file maps IDs of
 * data that exists on a real host; it cannot lower a real host's limits, so an interaction with one
 * of these states is verified only where a state-change URL can set it (never from a states file).
 */
export const SETTING_STATES: readonly StateName[] = [STATES.rateLimitUsedUp, STATES.bodyLimited];

/** Whether a state sets the provider's limits rather than describing data. */
export function isSettingState(name: string): boolean {
  return (SETTING_STATES as readonly string[]).includes(name);
}

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
