// The handler of each provider state: what makes its sentence (src/states) true in the model, or in
// the provider's live limits for the 413/429 states. A new state gets its handler here, its
// parameters and case in state-specs.ts.
import { STATES, type StateKey } from '../states/index.js';
import { type Params, ProviderStateError } from './state-params.js';
import { MAX_EARN_LIMIT, MAX_STATE_BODY_LIMIT, MAX_STATE_RATE_LIMIT } from './state-specs.js';
import type { Model, Program, Promotion } from './store.js';

/** The provider's live limits, which the 413/429 states change; teardown restores the configured ones. */
export interface LiveLimits {
  /** Sets the rate limit to this many requests per second with nothing left: the next request gets 429. */
  useUpRateLimit(requestsPerSecond: number): void;
  /** Sets the largest body accepted, in bytes (the listener enforces it too). */
  setBodyLimit(bytes: number): void;
  /** Back to the limits the provider was started with. */
  restore(): void;
}

export type Handler = (model: Model, p: Params, limits: LiveLimits) => void;

function findPromotion(program: Program, key: number | string): Promotion | undefined {
  return typeof key === 'number' ? program.byId.get(key) : program.byIdentifier.get(key);
}

/** Makes sure the promotion exists in the program (creating it active and unlimited) and returns it. */
function ensurePromotion(model: Model, programId: number, key: number | string): Promotion {
  const program = model.ensureProgram(programId);
  const found = findPromotion(program, key);
  if (found !== undefined) return found;
  const promo: Promotion = {
    id: typeof key === 'number' ? key : nextFreePromotionId(program),
    identifier: typeof key === 'string' ? key : undefined,
    name: undefined,
    active: true,
    limit: undefined,
    issualId: 0,
    counts: undefined,
  };
  promo.issualId = promo.id;
  model.putPromotion(program, promo);
  return promo;
}

function nextFreePromotionId(program: Program): number {
  let id = 900_000_000;
  while (program.byId.has(id)) id++;
  return id;
}

function setLimit(model: Model, promo: Promotion, limit: number | undefined): void {
  promo.limit = limit;
  promo.counts = limit === undefined ? undefined : (promo.counts ?? new Map());
  void model;
}

export const handlers: Record<StateKey, Handler> = {
  promotionActive(model, p) {
    const programId = p.int('programId');
    const promo = ensurePromotion(model, programId, p.int('promotionId'));
    promo.active = true;
    if (p.has('promoIdentifier')) {
      const program = model.ensureProgram(programId);
      const identifier = p.str('promoIdentifier');
      if (promo.identifier !== identifier) {
        model.removePromotion(program, identifier);
        if (promo.identifier !== undefined) program.byIdentifier.delete(promo.identifier);
        promo.identifier = identifier;
        program.byIdentifier.set(identifier, promo);
      }
    }
    if (p.has('promotionName')) promo.name = p.str('promotionName');
    if (p.has('earnLimitPerCustomer'))
      setLimit(model, promo, p.int('earnLimitPerCustomer', 0, MAX_EARN_LIMIT));
  },
  promotionInactive(model, p) {
    ensurePromotion(model, p.int('programId'), p.int('promotionId')).active = false;
  },
  promotionNeverIssued(model, p) {
    const promo = ensurePromotion(model, p.int('programId'), p.int('promotionId'));
    promo.active = true;
    setLimit(model, promo, 0);
  },
  programMissing(model, p) {
    model.programs.delete(p.int('programId'));
  },
  promotionMissing(model, p) {
    model.removePromotion(model.ensureProgram(p.int('programId')), p.promotionKey('promotion'));
  },
  customerExists(model, p) {
    const id = p.int('customerId');
    const mobile = p.has('mobile') ? p.str('mobile') : undefined;
    const email = p.has('email') ? p.str('email') : undefined;
    const current = model.customers.get(id);
    if (current === undefined && model.customerExists(id) && mobile === undefined && email === undefined)
      return;
    model.putCustomer({ id, mobile: mobile ?? current?.mobile, email: email ?? current?.email });
  },
  customerMissing(model, p) {
    const name = p.str('identifierName');
    if (name !== 'id' && name !== 'mobile' && name !== 'email') {
      throw new ProviderStateError(
        `provider state "${STATES.customerMissing}": identifierName must be id, mobile or email (got "${name}")`,
      );
    }
    const value = p.str('identifierValue');
    for (;;) {
      const id = model.resolve(name, value);
      if (id < 0) return;
      if (name === 'id') model.removeCustomer(id);
      else {
        // Only the identifier goes: the customer keeps existing under its other identifiers.
        const c = model.customers.get(id);
        if (c !== undefined) {
          if (name === 'mobile') model.byMobile.delete(value);
          else model.byEmail.delete(value);
          model.putCustomer({ ...c, [name]: undefined });
        } else model.removeCustomer(id);
      }
    }
  },
  customerExhausted(model, p) {
    const customerId = p.int('customerId');
    if (!model.customerExists(customerId)) model.putCustomer({ id: customerId });
    const promo = ensurePromotion(model, p.int('programId'), p.promotionKey('promotion'));
    promo.active = true;
    // Read only to refuse a bad value: the customer is exhausted whatever limit they reached.
    p.optionalInt('earnLimitPerCustomer', 1, MAX_EARN_LIMIT);
    // This customer only: a limit put on the promotion would exhaust every customer after one earn.
    if (promo.limit !== undefined) promo.counts?.set(customerId, promo.limit);
    else {
      promo.exhausted ??= new Set();
      promo.exhausted.add(customerId);
    }
  },
  rateLimitUsedUp(_model, p, limits) {
    limits.useUpRateLimit(p.int('requestsPerSecond', 1, MAX_STATE_RATE_LIMIT));
  },
  bodyLimited(_model, p, limits) {
    limits.setBodyLimit(p.int('bytes', 1, MAX_STATE_BODY_LIMIT));
  },
};
