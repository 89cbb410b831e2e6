// The states file of `directearn verify --target`: maps each provider-state sentence to the real
// IDs of the user's organisation, so the pacts' requests name data that exists on their host.
//
//   "program {programId} has active promotion {promotionId}":
//     programId: 1234
//     promotionId: 5678
//   "customer {customerId} exists":
//     customerId: 424242
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { isStateName, placeholders, STATE_NAMES, type StateParams } from '../states/index.js';

export type StatesMap = Record<string, StateParams>;

/** Checks a parsed states document; every problem names the state and the parameter. */
export function checkStatesMap(doc: unknown, source = 'the states file'): StatesMap {
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new Error(
      `${source}: must map provider-state sentences to parameters, got ${Array.isArray(doc) ? 'a list' : typeof doc}`,
    );
  }
  const out: StatesMap = {};
  for (const [name, params] of Object.entries(doc as Record<string, unknown>)) {
    if (!isStateName(name)) {
      throw new Error(
        `${source}: unknown provider state "${name}"; the states are: ${STATE_NAMES.map((s) => `"${s}"`).join(', ')}`,
      );
    }
    if (params === null || typeof params !== 'object' || Array.isArray(params)) {
      throw new Error(`${source}: state "${name}" must map to parameters (${placeholders(name).join(', ')})`);
    }
    const p: StateParams = {};
    for (const [k, v] of Object.entries(params as Record<string, unknown>)) {
      if (v !== null && typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
        throw new Error(`${source}: state "${name}" parameter ${k} must be a string or number`);
      }
      p[k] = v;
    }
    for (const key of placeholders(name)) {
      if (!(key in p)) throw new Error(`${source}: state "${name}" needs parameter ${key}`);
    }
    out[name] = p;
  }
  return out;
}

/** Reads and checks a YAML (or JSON) states file, naming the file in every error. */
export function loadStatesFile(path: string): StatesMap {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read states file ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    throw new Error(`states file ${path} is not YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  return checkStatesMap(doc, `states file ${path}`);
}
