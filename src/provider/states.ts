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

class Params {
  constructor(
    private readonly state: string,
    private readonly params: StateParams,
  ) {}

  has(key: string): boolean {
    const v = this.params[key];
    return v !== undefined && v !== null && v !== '';
  }

  int(key: string): number {
    const v = this.params[key];
    const n =
      typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < 0) {
      throw new ProviderStateError(
        `provider state "${this.state}" needs parameter ${key} as a whole number (got ${v === undefined ? 'nothing' : JSON.stringify(v)})`,
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
    return /^\d+$/.test(v) ? Number(v) : v;
  }

  optionalInt(key: string): number | undefined {
    return this.has(key) ? this.int(key) : undefined;
  }

  /** A whole number of at least 1 (a limit of 0 means "off" to the provider, not "refuse all"). */
  positiveInt(key: string): number {
    const n = this.int(key);
    if (n < 1) {
      throw new ProviderStateError(
        `provider state "${this.state}" needs parameter ${key} of at least 1 (got 0)`,
      );
    }
    return n;
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
    if (p.has('earnLimitPerCustomer')) setLimit(model, promo, p.int('earnLimitPerCustomer'));
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
    if (promo.limit === undefined) setLimit(model, promo, p.optionalInt('earnLimitPerCustomer') ?? 1);
    promo.counts?.set(customerId, promo.limit ?? 0);
  },
  rateLimitUsedUp(_model, p, limits) {
    limits.useUpRateLimit(p.positiveInt('requestsPerSecond'));
  },
  bodyLimited(_model, p, limits) {
    limits.setBodyLimit(p.positiveInt('bytes'));
  },
};

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
  if (action === 'teardown') {
    model.reset(true);
    limits.restore();
    return;
  }
  handlers[key](model, new Params(name, all), limits);
}
