// Reading the parameters of a provider state (state-handlers.ts): each value checked as the state
// needs it (a whole number in bounds, a non-empty string, a promotion by ID or identifier), and the
// error that names the state and the parameter at fault.
import type { StateParams } from '../states/index.js';

/** Raised for an unknown state or a parameter a state needs; the message names them. */
export class ProviderStateError extends Error {
  override name = 'ProviderStateError';
}

/** Largest integer a state parameter takes: the spec's bound for int64 IDs (2^53 - 1). */
export const MAX_ID = Number.MAX_SAFE_INTEGER;

export class Params {
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
