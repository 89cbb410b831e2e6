import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import {
  LOAD_CUSTOMER_COUNT,
  LOAD_CUSTOMER_ID_FIRST,
  LOAD_PROGRAM_ID,
  LOAD_PROMOTION_ID,
} from '../config/defaults.js';
import { readInputText } from '../input/file.js';

export interface FixturePromotion {
  id: number;
  /** The promotion's `promoIdentifier` (optional). */
  identifier?: string;
  /** Answered as `promotionName` when present. */
  name?: string;
  active: boolean;
  /** Earns allowed per customer; absent = unlimited, 0 = can never be issued (8890). */
  earnLimitPerCustomer?: number;
  /** The `issualId` answered with every earn of this promotion (default: the promotion ID). */
  issualId?: number;
}

export interface FixtureProgram {
  id: number;
  promotions: FixturePromotion[];
}

export interface FixtureCustomer {
  id: number;
  mobile?: string;
  email?: string;
}

/** Earns a customer already has before the provider starts (to set up exhausted limits). */
export interface FixtureEarnCount {
  customerId: number;
  programId: number;
  promotionId: number;
  count: number;
}

/** Rule-generated customers: ids [first, first + count), mobile and email by the rules of src/config/defaults.ts. */
export interface FixtureCustomerRange {
  first: number;
  count: number;
}

export interface Fixtures {
  programs: FixtureProgram[];
  customers: FixtureCustomer[];
  /** Rule-generated customers for load runs (none when absent). */
  generatedCustomers?: FixtureCustomerRange;
  earnCounts?: FixtureEarnCount[];
  /** The first earnedId answered (default 1, up to 2^53 - 1; the sequence then goes on exactly, never repeating). */
  firstEarnedId?: number;
}

/** Raised for a fixtures file or object that does not have the shape above; the message names file and field. */
export class FixturesError extends Error {
  override name = 'FixturesError';
}

/** Ample earns for repeated runs of the spec's mixed example, while customer 423815857 starts exhausted. */
const MIXED_EXAMPLE_LIMIT = 1000;

/**
 * The default fixtures: with them, every request example of the spec (components.examples request-*)
 * answers its documented case with no provider state set.
 */
export const DEFAULT_FIXTURES: Fixtures = {
  programs: [
    {
      // The doc's request program; also the program load runs issue (active, unlimited).
      id: LOAD_PROGRAM_ID,
      promotions: [
        { id: LOAD_PROMOTION_ID, active: true, issualId: 1 },
        // request-8892: the inactive promotion.
        { id: 56800, active: false, issualId: 2 },
      ],
    },
    {
      // The doc's success example.
      id: 2750,
      promotions: [{ id: 201436, active: true, issualId: 811 }],
    },
    {
      // The doc's mixed example, by promoIdentifier: 387004879 earns twice, 423815857 is exhausted.
      id: 2607,
      promotions: [
        {
          id: 200205,
          identifier: 'Promo_testMay13',
          active: true,
          earnLimitPerCustomer: MIXED_EXAMPLE_LIMIT,
          issualId: 101,
        },
      ],
    },
    {
      // The program the doc's mixed example names for its 8890 entry.
      id: 2844,
      promotions: [{ id: 200206, active: true, earnLimitPerCustomer: 1, issualId: 102 }],
    },
  ],
  customers: [
    { id: 98662653, mobile: '919866265300', email: 'customer98662653@example.com' },
    { id: 98662632, mobile: '919866263200', email: 'customer98662632@example.com' },
    { id: 423924812, mobile: '914239248120', email: 'customer423924812@example.com' },
    { id: 387004879, mobile: '913870048790', email: 'customer387004879@example.com' },
    { id: 423815857, mobile: '914238158570', email: 'customer423815857@example.com' },
  ],
  generatedCustomers: { first: LOAD_CUSTOMER_ID_FIRST, count: LOAD_CUSTOMER_COUNT },
  earnCounts: [
    { customerId: 423815857, programId: 2607, promotionId: 200205, count: MIXED_EXAMPLE_LIMIT },
    { customerId: 423815857, programId: 2844, promotionId: 200206, count: 1 },
  ],
  firstEarnedId: 1,
};

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

/** Checks a fixtures value (from a file or code); `source` names it in errors. */
export function checkFixtures(raw: unknown, source = 'fixtures'): Fixtures {
  const fail: Fail = (field, what, got) => {
    throw new FixturesError(`${source}: ${field} ${what} (got ${show(got)})`);
  };
  if (!isObject(raw)) fail('the top level', 'must be an object with programs and customers', raw);
  const top = raw as Record<string, unknown>;
  const known = (value: Record<string, unknown>, at: string, fields: readonly string[]) => {
    for (const key of Object.keys(value)) {
      if (!fields.includes(key))
        throw new FixturesError(
          `${source}: ${at === '' ? '' : `${at}.`}${key} is not a fixtures field (${at === '' ? 'the top level' : at} takes ${fields.join(', ')})`,
        );
    }
  };
  known(top, '', ['programs', 'customers', 'generatedCustomers', 'earnCounts', 'firstEarnedId']);
  const programs = top.programs;
  if (!Array.isArray(programs)) return fail('programs', 'must be a list', programs);
  const customers = top.customers ?? [];
  if (!Array.isArray(customers)) return fail('customers', 'must be a list', customers);

  const out: Fixtures = { programs: [], customers: [] };
  const programIds = new Set<number>();
  const promotionsByProgram = new Map<number, Map<number, FixturePromotion>>();
  programs.forEach((p, i) => {
    const at = `programs[${i}]`;
    if (!isObject(p)) fail(at, 'must be an object with id and promotions', p);
    known(p, at, ['id', 'promotions']);
    const id = positiveInt(p.id, `${at}.id`, fail);
    if (programIds.has(id)) fail(`${at}.id`, 'repeats a program ID', id);
    programIds.add(id);
    const promos = p.promotions ?? [];
    if (!Array.isArray(promos)) fail(`${at}.promotions`, 'must be a list', promos);
    const seenIds = new Map<number, FixturePromotion>();
    const seenIdentifiers = new Set<string>();
    const program: FixtureProgram = { id, promotions: [] };
    (promos as unknown[]).forEach((q, j) => {
      const pat = `${at}.promotions[${j}]`;
      if (!isObject(q)) fail(pat, 'must be an object with id and active', q);
      known(q, pat, ['id', 'identifier', 'name', 'active', 'earnLimitPerCustomer', 'issualId']);
      const promo: FixturePromotion = { id: positiveInt(q.id, `${pat}.id`, fail), active: true };
      if (seenIds.has(promo.id)) fail(`${pat}.id`, 'repeats a promotion ID of this program', promo.id);
      if (q.active !== undefined && typeof q.active !== 'boolean')
        fail(`${pat}.active`, 'must be true or false', q.active);
      promo.active = q.active !== false;
      if (q.identifier !== undefined) {
        if (typeof q.identifier !== 'string' || q.identifier === '')
          fail(`${pat}.identifier`, 'must be a non-empty string', q.identifier);
        if (seenIdentifiers.has(q.identifier as string))
          fail(`${pat}.identifier`, 'repeats a promotion identifier of this program', q.identifier);
        seenIdentifiers.add(q.identifier as string);
        promo.identifier = q.identifier as string;
      }
      if (q.name !== undefined) {
        if (typeof q.name !== 'string') fail(`${pat}.name`, 'must be a string', q.name);
        promo.name = q.name as string;
      }
      if (q.earnLimitPerCustomer !== undefined && q.earnLimitPerCustomer !== null) {
        promo.earnLimitPerCustomer = wholeNumber(q.earnLimitPerCustomer, `${pat}.earnLimitPerCustomer`, fail);
      }
      if (q.issualId !== undefined) promo.issualId = wholeNumber(q.issualId, `${pat}.issualId`, fail);
      seenIds.set(promo.id, promo);
      program.promotions.push(promo);
    });
    promotionsByProgram.set(id, seenIds);
    out.programs.push(program);
  });

  const customerIds = new Set<number>();
  const mobiles = new Set<string>();
  const emails = new Set<string>();
  customers.forEach((c, i) => {
    const at = `customers[${i}]`;
    if (!isObject(c)) fail(at, 'must be an object with id', c);
    known(c, at, ['id', 'mobile', 'email']);
    const customer: FixtureCustomer = { id: positiveInt(c.id, `${at}.id`, fail) };
    if (customerIds.has(customer.id)) fail(`${at}.id`, 'repeats a customer ID', customer.id);
    customerIds.add(customer.id);
    if (c.mobile !== undefined) {
      if (typeof c.mobile !== 'string' || c.mobile === '')
        fail(`${at}.mobile`, 'must be a non-empty string', c.mobile);
      if (mobiles.has(c.mobile as string))
        fail(`${at}.mobile`, 'repeats a mobile of another customer', c.mobile);
      mobiles.add(c.mobile as string);
      customer.mobile = c.mobile as string;
    }
    if (c.email !== undefined) {
      if (typeof c.email !== 'string' || c.email === '')
        fail(`${at}.email`, 'must be a non-empty string', c.email);
      if (emails.has(c.email as string)) fail(`${at}.email`, 'repeats an email of another customer', c.email);
      emails.add(c.email as string);
      customer.email = c.email as string;
    }
    out.customers.push(customer);
  });

  if (top.generatedCustomers !== undefined && top.generatedCustomers !== null) {
    const g = top.generatedCustomers;
    if (!isObject(g)) fail('generatedCustomers', 'must be an object with first and count', g);
    const range = g as Record<string, unknown>;
    known(range, 'generatedCustomers', ['first', 'count']);
    const first = positiveInt(range.first, 'generatedCustomers.first', fail);
    const count = wholeNumber(range.count, 'generatedCustomers.count', fail);
    if (String(first).length !== String(first + Math.max(count - 1, 0)).length)
      fail('generatedCustomers', 'must keep every ID at the same number of digits', g);
    out.generatedCustomers = { first, count };
  }

  if (top.earnCounts !== undefined && top.earnCounts !== null) {
    if (!Array.isArray(top.earnCounts)) fail('earnCounts', 'must be a list', top.earnCounts);
    out.earnCounts = [];
    (top.earnCounts as unknown[]).forEach((e, i) => {
      const at = `earnCounts[${i}]`;
      if (!isObject(e)) fail(at, 'must be an object with customerId, programId, promotionId, count', e);
      known(e, at, ['customerId', 'programId', 'promotionId', 'count']);
      const entry: FixtureEarnCount = {
        customerId: positiveInt(e.customerId, `${at}.customerId`, fail),
        programId: positiveInt(e.programId, `${at}.programId`, fail),
        promotionId: positiveInt(e.promotionId, `${at}.promotionId`, fail),
        count: wholeNumber(e.count, `${at}.count`, fail),
      };
      const promo = promotionsByProgram.get(entry.programId)?.get(entry.promotionId);
      if (!programIds.has(entry.programId))
        fail(`${at}.programId`, 'names no program of programs', entry.programId);
      if (promo === undefined)
        fail(`${at}.promotionId`, 'names no promotion of that program', entry.promotionId);
      if (promo?.earnLimitPerCustomer === undefined)
        fail(
          `${at}.promotionId`,
          'names a promotion without earnLimitPerCustomer (counts matter only with a limit)',
          entry.promotionId,
        );
      out.earnCounts?.push(entry);
    });
  }

  if (top.firstEarnedId !== undefined)
    out.firstEarnedId = positiveInt(top.firstEarnedId, 'firstEarnedId', fail);
  return out;
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
