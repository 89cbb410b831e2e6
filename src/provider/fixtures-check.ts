// Reading and checking a fixtures value (fixtures.ts has its shape) from a JSON or YAML file or from
// code: every field checked for type, bounds and repeats, in the order written, and the first
// problem a FixturesError naming the source and the field (`programs[1].promotions[0].id`).
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { readInputText } from '../input/file.js';
import {
  type FixtureCustomer,
  type FixtureCustomerRange,
  type FixtureEarnCount,
  type FixtureProgram,
  type FixturePromotion,
  type Fixtures,
  FixturesError,
} from './fixtures.js';

/** Reads a JSON or YAML fixtures file and checks it; a problem throws FixturesError naming the path and field. */
export function loadFixturesFile(path: string): Fixtures {
  let text: string;
  try {
    text = readInputText(path);
  } catch (e) {
    throw new FixturesError(
      `${path}: cannot read the fixtures file (${(e as NodeJS.ErrnoException).code ?? e})`,
    );
  }
  let raw: unknown;
  try {
    raw = extname(path).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    const kind = extname(path).toLowerCase() === '.json' ? 'JSON' : 'YAML';
    const first = String((e as Error).message).split('\n')[0];
    throw new FixturesError(`${path}: not valid ${kind}: ${first}`);
  }
  return checkFixtures(raw, path);
}

/** How one check reports: `fail` names the field, what it must be and what it got; `known` refuses unknown fields. */
interface Checker {
  fail: Fail;
  known(value: Record<string, unknown>, at: string, fields: readonly string[]): void;
}

function checkerOf(source: string): Checker {
  return {
    fail: (field, what, got) => {
      throw new FixturesError(`${source}: ${field} ${what} (got ${show(got)})`);
    },
    known: (value, at, fields) => {
      for (const key of Object.keys(value)) {
        if (!fields.includes(key))
          throw new FixturesError(
            `${source}: ${at === '' ? '' : `${at}.`}${key} is not a fixtures field (${at === '' ? 'the top level' : at} takes ${fields.join(', ')})`,
          );
      }
    },
  };
}

/** The promotions of each program by ID: what earnCounts may name. */
type PromotionsByProgram = Map<number, Map<number, FixturePromotion>>;

/** Checks a fixtures value (from a file or code); `source` names it in errors. */
export function checkFixtures(raw: unknown, source = 'fixtures'): Fixtures {
  const c = checkerOf(source);
  if (!isObject(raw)) c.fail('the top level', 'must be an object with programs and customers', raw);
  const top = raw as Record<string, unknown>;
  c.known(top, '', ['programs', 'customers', 'generatedCustomers', 'earnCounts', 'firstEarnedId']);
  const programs = top.programs;
  if (!Array.isArray(programs)) return c.fail('programs', 'must be a list', programs);
  const customers = top.customers ?? [];
  if (!Array.isArray(customers)) return c.fail('customers', 'must be a list', customers);

  const promotionsByProgram: PromotionsByProgram = new Map();
  const out: Fixtures = {
    programs: programs.map((p, i) => checkProgram(c, p, `programs[${i}]`, promotionsByProgram)),
    customers: checkCustomers(c, customers),
  };
  if (top.generatedCustomers !== undefined && top.generatedCustomers !== null)
    out.generatedCustomers = checkGeneratedCustomers(c, top.generatedCustomers);
  if (top.earnCounts !== undefined && top.earnCounts !== null)
    out.earnCounts = checkEarnCounts(c, top.earnCounts, promotionsByProgram);
  if (top.firstEarnedId !== undefined)
    out.firstEarnedId = positiveInt(top.firstEarnedId, 'firstEarnedId', c.fail);
  return out;
}

/** One program: a new ID, and its promotions (recorded in `promotionsByProgram`). */
function checkProgram(
  c: Checker,
  p: unknown,
  at: string,
  promotionsByProgram: PromotionsByProgram,
): FixtureProgram {
  if (!isObject(p)) c.fail(at, 'must be an object with id and promotions', p);
  const value = p as Record<string, unknown>;
  c.known(value, at, ['id', 'promotions']);
  const id = positiveInt(value.id, `${at}.id`, c.fail);
  if (promotionsByProgram.has(id)) c.fail(`${at}.id`, 'repeats a program ID', id);
  const promos = value.promotions ?? [];
  if (!Array.isArray(promos)) c.fail(`${at}.promotions`, 'must be a list', promos);
  const seenIds = new Map<number, FixturePromotion>();
  promotionsByProgram.set(id, seenIds);
  const seenIdentifiers = new Set<string>();
  const program: FixtureProgram = { id, promotions: [] };
  (promos as unknown[]).forEach((q, j) => {
    const promo = checkPromotion(c, q, `${at}.promotions[${j}]`, seenIds, seenIdentifiers);
    seenIds.set(promo.id, promo);
    program.promotions.push(promo);
  });
  return program;
}

/** One promotion of a program, whose ID and identifier must not repeat within it. */
function checkPromotion(
  c: Checker,
  q: unknown,
  at: string,
  seenIds: ReadonlyMap<number, FixturePromotion>,
  seenIdentifiers: Set<string>,
): FixturePromotion {
  const { fail } = c;
  if (!isObject(q)) fail(at, 'must be an object with id and active', q);
  const value = q as Record<string, unknown>;
  c.known(value, at, ['id', 'identifier', 'name', 'active', 'earnLimitPerCustomer', 'issualId']);
  const promo: FixturePromotion = { id: positiveInt(value.id, `${at}.id`, fail), active: true };
  if (seenIds.has(promo.id)) fail(`${at}.id`, 'repeats a promotion ID of this program', promo.id);
  if (value.active !== undefined && typeof value.active !== 'boolean')
    fail(`${at}.active`, 'must be true or false', value.active);
  promo.active = value.active !== false;
  if (value.identifier !== undefined) {
    if (typeof value.identifier !== 'string' || value.identifier === '')
      fail(`${at}.identifier`, 'must be a non-empty string', value.identifier);
    if (seenIdentifiers.has(value.identifier as string))
      fail(`${at}.identifier`, 'repeats a promotion identifier of this program', value.identifier);
    seenIdentifiers.add(value.identifier as string);
    promo.identifier = value.identifier as string;
  }
  if (value.name !== undefined) {
    if (typeof value.name !== 'string') fail(`${at}.name`, 'must be a string', value.name);
    promo.name = value.name as string;
  }
  if (value.earnLimitPerCustomer !== undefined && value.earnLimitPerCustomer !== null) {
    promo.earnLimitPerCustomer = wholeNumber(value.earnLimitPerCustomer, `${at}.earnLimitPerCustomer`, fail);
  }
  if (value.issualId !== undefined) promo.issualId = wholeNumber(value.issualId, `${at}.issualId`, fail);
  return promo;
}

/** The listed customers: no ID, mobile or email shared by two of them. */
function checkCustomers(c: Checker, customers: unknown[]): FixtureCustomer[] {
  const { fail } = c;
  const ids = new Set<number>();
  const taken = { mobile: new Set<string>(), email: new Set<string>() };
  return customers.map((value, i) => {
    const at = `customers[${i}]`;
    if (!isObject(value)) fail(at, 'must be an object with id', value);
    const raw = value as Record<string, unknown>;
    c.known(raw, at, ['id', 'mobile', 'email']);
    const customer: FixtureCustomer = { id: positiveInt(raw.id, `${at}.id`, fail) };
    if (ids.has(customer.id)) fail(`${at}.id`, 'repeats a customer ID', customer.id);
    ids.add(customer.id);
    for (const key of ['mobile', 'email'] as const) {
      const v = raw[key];
      if (v === undefined) continue;
      if (typeof v !== 'string' || v === '') fail(`${at}.${key}`, 'must be a non-empty string', v);
      if (taken[key].has(v as string))
        fail(`${at}.${key}`, `repeats ${key === 'mobile' ? 'a mobile' : 'an email'} of another customer`, v);
      taken[key].add(v as string);
      customer[key] = v as string;
    }
    return customer;
  });
}

/** The rule-generated range: every ID of it at the same number of digits (the rules derive mobiles from it). */
function checkGeneratedCustomers(c: Checker, g: unknown): FixtureCustomerRange {
  if (!isObject(g)) c.fail('generatedCustomers', 'must be an object with first and count', g);
  const range = g as Record<string, unknown>;
  c.known(range, 'generatedCustomers', ['first', 'count']);
  const first = positiveInt(range.first, 'generatedCustomers.first', c.fail);
  const count = wholeNumber(range.count, 'generatedCustomers.count', c.fail);
  if (String(first).length !== String(first + Math.max(count - 1, 0)).length)
    c.fail('generatedCustomers', 'must keep every ID at the same number of digits', g);
  return { first, count };
}

/** Earns customers start with: each names a promotion of the programs above that has an earn limit. */
function checkEarnCounts(
  c: Checker,
  list: unknown,
  promotionsByProgram: PromotionsByProgram,
): FixtureEarnCount[] {
  const { fail } = c;
  if (!Array.isArray(list)) fail('earnCounts', 'must be a list', list);
  return (list as unknown[]).map((e, i) => {
    const at = `earnCounts[${i}]`;
    if (!isObject(e)) fail(at, 'must be an object with customerId, programId, promotionId, count', e);
    const value = e as Record<string, unknown>;
    c.known(value, at, ['customerId', 'programId', 'promotionId', 'count']);
    const entry: FixtureEarnCount = {
      customerId: positiveInt(value.customerId, `${at}.customerId`, fail),
      programId: positiveInt(value.programId, `${at}.programId`, fail),
      promotionId: positiveInt(value.promotionId, `${at}.promotionId`, fail),
      count: wholeNumber(value.count, `${at}.count`, fail),
    };
    const promo = promotionsByProgram.get(entry.programId)?.get(entry.promotionId);
    if (!promotionsByProgram.has(entry.programId))
      fail(`${at}.programId`, 'names no program of programs', entry.programId);
    if (promo === undefined)
      fail(`${at}.promotionId`, 'names no promotion of that program', entry.promotionId);
    if (promo?.earnLimitPerCustomer === undefined)
      fail(
        `${at}.promotionId`,
        'names a promotion without earnLimitPerCustomer (counts matter only with a limit)',
        entry.promotionId,
      );
    return entry;
  });
}

type Fail = (field: string, what: string, got: unknown) => never;

function positiveInt(v: unknown, field: string, fail: Fail): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1)
    return fail(field, 'must be a positive whole number', v);
  return v;
}

function wholeNumber(v: unknown, field: string, fail: Fail): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
    return fail(field, 'must be a whole number >= 0', v);
  return v;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (v !== null && typeof v === 'object') return 'an object';
  const t = JSON.stringify(v);
  return t.length > 40 ? `${t.slice(0, 37)}...` : t;
}
