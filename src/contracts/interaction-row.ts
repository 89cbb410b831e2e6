// One row of the Pact interaction table as written (src/contracts/interactions.ts resolves the rows),
// and what rows share: the credential kinds, the pinned headers, the limits of the 413 and 429
// interactions, and the provider states a row derives from its request and expected response.
import type { DirectEarnRequest, DirectEarnResponse } from '../openapi/index.js';
import { STATES, type StateName, type StateParams } from '../states/index.js';

/** The credential an interaction sends; basic-readonly authenticates without write access (403). */
export type AuthKind = 'basic' | 'basic-readonly' | 'bearer' | 'cap-oauth' | 'none';

export interface InteractionState {
  name: StateName;
  params: StateParams;
}

/** A response header an interaction pins by pattern (its value is the provider's to choose). */
export interface PinnedHeader {
  /** Regex the value must match. */
  pattern: string;
  /** The value the Pact mock server answers with (matches the pattern). */
  example: string;
}

/** One row as written: example names and how states derive from the request. */
export interface Row {
  /** The catalogue's `case` id: earned, 8892, ..., http-400. */
  case: string;
  /** The Pact description: "answers <case> when <condition>". */
  description: string;
  /** Name of the request example in components.examples. */
  request: string;
  /** Name of the response example in components.examples. */
  response: string;
  status: number;
  auth: AuthKind;
  /** The states, from the request and the expected response (entityIds name the customers found). */
  states: (req: DirectEarnRequest, res: DirectEarnResponse) => InteractionState[];
  /** Response headers pinned by pattern, besides Content-Type. */
  responseHeaders?: Record<string, PinnedHeader>;
  /** Changes a copy of the request example (the 400 needs a body that breaks the schema). */
  patchRequest?: (req: Record<string, unknown>) => void;
  /** Changes a copy of the expected response (see the mixed example). */
  adaptResponse?: (res: DirectEarnResponse, req: DirectEarnRequest) => void;
}

/** The 429 interaction's rate limit, in requests per second: low, so the bucket stays empty for a second after the state is set however slowly the verifier sends the request. */
export const RATE_LIMIT_429 = 1;
/** The 413 interaction's body limit: small, so the doc's request is over it with its customers repeated. */
export const BODY_LIMIT_413 = 512;

export const program = (r: DirectEarnRequest) => r.promotionDetails?.programId as number;
export const promotion = (r: DirectEarnRequest) => r.promotionDetails?.promotionId as number;
export const customer = (r: DirectEarnRequest, i = 0) => Number(r.customers[i]?.identifierValue);

export const active = (r: DirectEarnRequest): InteractionState => ({
  name: STATES.promotionActive,
  params: { programId: program(r), promotionId: promotion(r) },
});
export const exists = (r: DirectEarnRequest, i = 0): InteractionState => ({
  name: STATES.customerExists,
  params: { customerId: customer(r, i) },
});
/**
 * "customer N exists" for the customer a response entry answers, with the identifier the request
 * names it by (mobile, email), so a states file or pool maps both and the entityId is pinned.
 */
export const existsAs = (r: DirectEarnRequest, res: DirectEarnResponse, i = 0): InteractionState => {
  const entityId = res.response[i]?.result?.entityId;
  if (typeof entityId !== 'number') throw new Error(`response entry ${i} names no entityId`);
  const params: StateParams = { customerId: entityId };
  if (r.identifierName !== 'id') params[r.identifierName] = r.customers[i]?.identifierValue ?? '';
  return { name: STATES.customerExists, params };
};
/** States that make a request valid and processable: a refusal then comes from the condition under test. */
export const docRequestIssuable = (r: DirectEarnRequest): InteractionState[] => [
  active(r),
  ...r.customers.map((_, i) => exists(r, i)),
];
