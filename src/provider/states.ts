// Provider-state handlers: one per sentence of src/states, each making its sentence true in the
// model (setup), or in the provider's live limits for the 413/429 states, so a Pact verifier can
// reproduce every documented case with any IDs. Here a state is found by its name (the template or
// the sentence with its values written in), its parameters checked against state-specs.ts, and its
// handler (state-handlers.ts) applied; teardown restores the fixtures and the configured limits.
import { STATE_NAMES, STATES, type StateKey, type StateName, type StateParams } from '../states/index.js';
import { handlers, type LiveLimits } from './state-handlers.js';
import { Params, ProviderStateError } from './state-params.js';
import { SPECS } from './state-specs.js';
import type { Model } from './store.js';

export type { LiveLimits } from './state-handlers.js';
export { ProviderStateError } from './state-params.js';
export {
  describeStates,
  MAX_STATE_BODY_LIMIT,
  MAX_STATE_RATE_LIMIT,
  type StateDescription,
  type StateParamSpec,
} from './state-specs.js';

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
