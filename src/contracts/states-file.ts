// A states file: the provider-state sentences mapped to IDs of a real host, plus its ID pool. Every
// problem is a usage error naming the file and the line (exit 2): a typo is not a host regression.
import { isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import { UsageError } from '../errors.js';
import { readInputText } from '../input/file.js';
import { isStateName, placeholders, STATE_NAMES, type StateParams } from '../states/index.js';

export type StatesMap = Record<string, StateParams>;

/** One customer of the ID pool: an existing customer that has not earned the mapped promotions yet. */
export interface PoolCustomer {
  customerId: string;
  mobile?: string;
  email?: string;
}

/** A states file as read: the state mappings, and the ID pool when it has one. */
export interface StatesFile {
  /** The file's path (names it in messages; the pool's record of used IDs sits beside it). */
  path: string | undefined;
  states: StatesMap;
  pool: PoolCustomer[] | undefined;
}

/** The key of a states file that holds the ID pool rather than a state. */
export const POOL_KEY = 'pool';

/** Checks the `pool:` section: `customers:` a list of IDs or {customerId, mobile?, email?}. */
export function checkPool(doc: unknown, source = 'the states file'): PoolCustomer[] {
  const where = `${source}: ${POOL_KEY}`;
  const list = (doc as { customers?: unknown } | null)?.customers;
  if (doc === null || typeof doc !== 'object' || !Array.isArray(list)) {
    throw new Error(`${where} must hold customers: a list of customer IDs or {customerId, mobile, email}`);
  }
  const seen = new Set<string>();
  return list.map((item, i): PoolCustomer => {
    const entry: Record<string, unknown> =
      typeof item === 'object' && item !== null ? (item as Record<string, unknown>) : { customerId: item };
    const text = (key: string): string | undefined => {
      const v = entry[key];
      if (v === undefined || v === null) return undefined;
      if (typeof v !== 'string' && typeof v !== 'number')
        throw new Error(`${where}.customers[${i}].${key} must be a string or number`);
      return String(v);
    };
    const customerId = text('customerId');
    if (customerId === undefined || customerId === '')
      throw new Error(`${where}.customers[${i}] needs customerId`);
    if (seen.has(customerId))
      throw new Error(`${where}.customers[${i}]: customer ${customerId} is listed twice`);
    seen.add(customerId);
    const mobile = text('mobile');
    const email = text('email');
    return {
      customerId,
      ...(mobile === undefined ? {} : { mobile }),
      ...(email === undefined ? {} : { email }),
    };
  });
}

/** Checks a parsed states document: the state mappings plus an optional `pool:` section. */
export function checkStatesDocument(
  doc: unknown,
  source = 'the states file',
  at: Where = () => source,
): Omit<StatesFile, 'path'> {
  if (doc !== null && typeof doc === 'object' && !Array.isArray(doc) && POOL_KEY in doc) {
    const { [POOL_KEY]: pool, ...rest } = doc as Record<string, unknown>;
    return { states: checkStatesMap(rest, source, at), pool: checkPool(pool, at(POOL_KEY)) };
  }
  return { states: checkStatesMap(doc, source, at), pool: undefined };
}

/** Names where a key of the document is: the source, and its line when known (`file:12`). */
export type Where = (key?: string, param?: string) => string;

/** Checks a parsed states document; every problem names the state and the parameter. */
export function checkStatesMap(
  doc: unknown,
  source = 'the states file',
  at: Where = () => source,
): StatesMap {
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
        `${at(name)}: unknown provider state "${name}"; the states are: ${STATE_NAMES.map((s) => `"${s}"`).join(', ')}`,
      );
    }
    if (params === null || typeof params !== 'object' || Array.isArray(params)) {
      throw new Error(
        `${at(name)}: state "${name}" must map to parameters (${placeholders(name).join(', ')})`,
      );
    }
    const p: StateParams = {};
    for (const [k, v] of Object.entries(params as Record<string, unknown>)) {
      if (v !== null && typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
        throw new Error(`${at(name, k)}: state "${name}" parameter ${k} must be a string or number`);
      }
      p[k] = v;
    }
    for (const key of placeholders(name)) {
      if (!(key in p)) throw new Error(`${at(name)}: state "${name}" needs parameter ${key}`);
    }
    out[name] = p;
  }
  return out;
}

/** The line of each top-level key and of each parameter under it, as the YAML source has them. */
function keyLines(doc: ReturnType<typeof parseDocument>, lines: LineCounter): Map<string, number> {
  const out = new Map<string, number>();
  const lineOf = (node: { range?: [number, number, number] | null }) =>
    node.range === undefined || node.range === null ? undefined : lines.linePos(node.range[0]).line;
  if (!isMap(doc.contents)) return out;
  for (const pair of doc.contents.items) {
    if (!isScalar(pair.key)) continue;
    const name = String(pair.key.value);
    const line = lineOf(pair.key);
    if (line !== undefined) out.set(name, line);
    if (!isMap(pair.value)) continue;
    for (const inner of pair.value.items) {
      if (!isScalar(inner.key)) continue;
      const l = lineOf(inner.key);
      if (l !== undefined) out.set(`${name}\u0000${String(inner.key.value)}`, l);
    }
  }
  return out;
}

/**
 * The largest states file read: about 12,000 pool customers with id, mobile and email in flow style
 * (~85 bytes each), a pool for over a thousand runs. YAML parses such a file in about 2 s on a
 * shared 2-core machine (linear in its size); under the generic 64 MiB cap a 60 MB file took 120 s
 * and 3.8 GB.
 */
export const MAX_STATES_BYTES = 1024 * 1024;

/**
 * Reads and checks a YAML (or JSON) states file with its pool. Every problem (unreadable, not YAML,
 * an unknown state, a missing parameter, a bad pool) is a UsageError naming the file and the line.
 */
export function readStatesFile(path: string): StatesFile {
  let text: string;
  try {
    text = readInputText(path, MAX_STATES_BYTES);
  } catch (e) {
    throw new UsageError(
      `cannot read states file ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
    );
  }
  const lines = new LineCounter();
  const parsed = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  const bad = parsed.errors[0];
  if (bad !== undefined) {
    const line = bad.linePos?.[0]?.line;
    throw new UsageError(
      `states file ${path}${line === undefined ? '' : `:${line}`} is not YAML: ${bad.message.split('\n')[0]}`,
    );
  }
  const keys = keyLines(parsed, lines);
  const at: Where = (key, param) => {
    const line = key === undefined ? undefined : (keys.get(`${key}\u0000${param}`) ?? keys.get(key));
    return `states file ${path}${line === undefined ? '' : `:${line}`}`;
  };
  try {
    return { path, ...checkStatesDocument(parsed.toJS(), `states file ${path}`, at) };
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** Reads and checks a states file's state mappings (its pool aside). */
export function loadStatesFile(path: string): StatesMap {
  return readStatesFile(path).states;
}
