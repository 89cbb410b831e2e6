// What each provider state takes and sets up, as GET /_admin/provider-states lists it (and the
// generated states table of the docs): every parameter with its type and bounds, and the catalogue
// case the state produces; a parameter a state does not list is refused (states.ts).
import { STATES, type StateKey, type StateName } from '../states/index.js';

/** Bounds of the setting states, so a state cannot set a limit no listener could honour (e.g. 2^53 bytes). */
export const MAX_STATE_BODY_LIMIT = 256 * 1024 * 1024;
export const MAX_STATE_RATE_LIMIT = 1_000_000;
export const MAX_EARN_LIMIT = 1_000_000_000;

/** One parameter of a state, as GET /_admin/provider-states lists it. */
export interface StateParamSpec {
  type: 'integer' | 'string';
  required: boolean;
  description: string;
}

/** A state as GET /_admin/provider-states lists it: the sentence, its parameters and the catalogue case it produces. */
export interface StateDescription {
  name: string;
  params: Record<string, StateParamSpec>;
  case: string;
}

const req = (type: StateParamSpec['type'], description: string): StateParamSpec => ({
  type,
  required: true,
  description,
});
const opt = (type: StateParamSpec['type'], description: string): StateParamSpec => ({
  type,
  required: false,
  description,
});
const PROGRAM = req('integer', "the program ID (up to 2^53 - 1, the bound of the spec's int64 IDs)");
const PROMOTION_KEY = req('string', 'a promotion ID (digits) or a promoIdentifier');

/** Every parameter each state takes (anything else is refused) and the case it sets up. */
export const SPECS: Record<StateKey, { params: Record<string, StateParamSpec>; case: string }> = {
  promotionActive: {
    case: 'earned',
    params: {
      programId: PROGRAM,
      promotionId: req('integer', 'the promotion ID, created active and unlimited when missing'),
      promoIdentifier: opt('string', 'a promoIdentifier the promotion also answers to'),
      promotionName: opt('string', 'answered as promotionName'),
      earnLimitPerCustomer: opt(
        'integer',
        `earns allowed per customer, 0..${MAX_EARN_LIMIT} (absent: unchanged)`,
      ),
    },
  },
  promotionInactive: {
    case: '8892',
    params: { promotionId: req('integer', 'the promotion ID'), programId: PROGRAM },
  },
  promotionNeverIssued: {
    case: '8890',
    params: { promotionId: req('integer', 'the promotion ID (earn limit 0)'), programId: PROGRAM },
  },
  programMissing: { case: '1101', params: { programId: PROGRAM } },
  promotionMissing: { case: '8874', params: { programId: PROGRAM, promotion: PROMOTION_KEY } },
  customerExists: {
    case: 'earned',
    params: {
      customerId: req('integer', 'the customer ID'),
      mobile: opt('string', 'the mobile the customer is found by'),
      email: opt('string', 'the email the customer is found by'),
    },
  },
  customerMissing: {
    case: '8015',
    params: {
      identifierName: req('string', 'id, mobile or email'),
      identifierValue: req('string', 'the value no customer has afterwards'),
    },
  },
  customerExhausted: {
    case: '8890',
    params: {
      customerId: req('integer', 'the customer ID (created when missing)'),
      promotion: PROMOTION_KEY,
      programId: PROGRAM,
      earnLimitPerCustomer: opt(
        'integer',
        `the limit this customer reached, 1..${MAX_EARN_LIMIT}; other customers keep the promotion's limit (none when it has none)`,
      ),
    },
  },
  rateLimitUsedUp: {
    case: 'http-429',
    params: {
      requestsPerSecond: req(
        'integer',
        `the rate limit set, 1..${MAX_STATE_RATE_LIMIT}; the next request gets 429`,
      ),
    },
  },
  bodyLimited: {
    case: 'http-413',
    params: { bytes: req('integer', `the body limit set, 1..${MAX_STATE_BODY_LIMIT} bytes`) },
  },
};

/** Every state with its parameters and the case it produces (GET /_admin/provider-states). */
export function describeStates(): StateDescription[] {
  return (Object.entries(STATES) as [StateKey, StateName][]).map(([key, name]) => ({
    name,
    params: SPECS[key].params,
    case: SPECS[key].case,
  }));
}
