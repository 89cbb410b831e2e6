// Provider-state handlers: one per sentence of src/states, each making its sentence true in the
// model (setup), or in the provider's live limits for the 413/429 states, so a Pact verifier can
// reproduce every documented case with any IDs.
import { STATE_NAMES, STATES, type StateKey, type StateName, type StateParams } from '../states/index.js';
import type { Model, Program, Promotion } from './model.js';

/** Raised for an unknown state or a parameter a state needs; the message names them. */
export class ProviderStateError extends Error {
  override name = 'ProviderStateError';
}

/** The provider's live limits, which the 413/429 states change; teardown restores the configured ones. */
export interface LiveLimits {
  /** Sets the rate limit to this many requests per second with nothing left: the next request gets 429. */
  useUpRateLimit(requestsPerSecond: number): void;
  /** Sets the largest body accepted, in bytes (the listener enforces it too). */
  setBodyLimit(bytes: number): void;
  /** Back to the limits the provider was started with. */
  restore(): void;
}

type Handler = (model: Model, p: Params, limits: LiveLimits) => void;

/** Largest integer a state parameter takes: the spec's bound for int64 IDs (2^53 - 1). */
const MAX_ID = Number.MAX_SAFE_INTEGER;

class Params {
  constructor(
    private readonly state: string,
    private readonly params: StateParams,
  ) {}

  has(key: string): boolean {
    const v = this.params[key];
    return v !== undefined && v !== null && v !== '';
  }

  /** A whole number in [min, max] (IDs by default: up to the spec's int64 bound). */
  int(key: string, min = 0, max = MAX_ID): number {
    const v = this.params[key];
    const n =
      typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : Number.NaN;
    const shown = v === undefined ? 'nothing' : typeof v === 'string' ? JSON.stringify(v) : String(v);
    if (!Number.isInteger(n)) {
      throw new ProviderStateError(
        `provider state "${this.state}" needs parameter ${key} as a whole number (got ${shown})`,
      );
    }
    if (n < min || n > max) {
      throw new ProviderStateError(
        `provider state "${this.state}" needs parameter ${key} between ${min} and ${max} (got ${shown})`,
      );
    }
    return n;
  }

  str(key: string): string {
    const v = this.params[key];
    if (v === undefined || v === null || v === '') {
      throw new ProviderStateError(`provider state "${this.state}" needs parameter ${key}`);
    }
    return String(v);
  }

  /** A promotion named by ID (digits) or identifier (anything else). */
  promotionKey(key: string): number | string {
    const v = this.str(key);
    return /^\d+$/.test(v) ? this.int(key) : v;
  }

  optionalInt(key: string, min = 0, max = MAX_ID): number | undefined {
    return this.has(key) ? this.int(key, min, max) : undefined;
  }
}

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

const handlers: Record<StateKey, Handler> = {
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

/** Bounds of the setting states, so a state cannot set a limit no listener could honour (e.g. 2^53 bytes). */
export const MAX_STATE_BODY_LIMIT = 256 * 1024 * 1024;
export const MAX_STATE_RATE_LIMIT = 1_000_000;
const MAX_EARN_LIMIT = 1_000_000_000;

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
const SPECS: Record<StateKey, { params: Record<string, StateParamSpec>; case: string }> = {
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

const keyByName = new Map<string, StateKey>(
  (Object.entries(STATES) as [StateKey, StateName][]).map(([key, name]) => [name, key]),
);

/** Each template as a regex, to accept a sentence with its values filled in ("promotion 56800 of program 469 is inactive"). */
const filled: { key: StateKey; re: RegExp; names: string[] }[] = (
  Object.entries(STATES) as [StateKey, string][]
).map(([key, name]) => {
  const names: string[] = [];
  const source = name
    .split(/(\{\w+\})/)
    .map((part) => {
      const m = /^\{(\w+)\}$/.exec(part);
      if (m) {
        names.push(m[1] as string);
        return '(\\S+)';
      }
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return { key, re: new RegExp(`^${source}$`), names };
});

/** Whether every state of src/states has a handler (a test checks it). */
export function handledStates(): string[] {
  return STATE_NAMES.filter((name) => {
    const key = keyByName.get(name);
    return key !== undefined && typeof handlers[key] === 'function';
  });
}

/**
 * Applies a provider state. `name` is a sentence of src/states (params carry its values) or the same
 * sentence with the values written in. Teardown restores the fixtures and the configured limits.
 */
export function applyState(
  model: Model,
  limits: LiveLimits,
  name: string,
  params: StateParams = {},
  action: 'setup' | 'teardown' = 'setup',
): void {
  let key = keyByName.get(name);
  let all: StateParams = params;
  if (key === undefined) {
    for (const f of filled) {
      const m = f.re.exec(name);
      if (m) {
        key = f.key;
        all = { ...Object.fromEntries(f.names.map((n, i) => [n, m[i + 1] as string])), ...params };
        break;
      }
    }
  }
  if (key === undefined) {
    throw new ProviderStateError(
      `unknown provider state "${name}"; known states: ${STATE_NAMES.join(' | ')}`,
    );
  }
  const known = SPECS[key].params;
  for (const param of Object.keys(params)) {
    if (!Object.hasOwn(known, param)) {
      throw new ProviderStateError(
        `provider state "${name}" has no parameter ${param}; it takes: ${Object.keys(known).join(', ')}`,
      );
    }
  }
  if (action === 'teardown') {
    model.reset();
    limits.restore();
    return;
  }
  handlers[key](model, new Params(name, all), limits);
}
