// The provider's mutable data, built from fixtures: programs and promotions, customers (listed and
// rule-generated), per-customer earn counts (only for promotions with a limit, so memory stays
// bounded under load), the earnedId sequence and a bounded ring of recent ledger entries.
import { loadCustomerEmail, loadCustomerMobile } from '../config/defaults.js';
import type { FixtureCustomer, Fixtures } from './fixtures.js';

export interface Promotion {
  id: number;
  identifier: string | undefined;
  name: string | undefined;
  active: boolean;
  /** undefined = unlimited; 0 = can never be issued. */
  limit: number | undefined;
  issualId: number;
  /** Earns per customer, kept only while the promotion has a limit. */
  counts: Map<number, number> | undefined;
  /**
   * Customers who have used up their earns of a promotion without a limit (provider state
   * "customer X has exhausted the earn limit..."): they alone are answered 8890, the rest earn.
   */
  exhausted?: Set<number>;
}

export interface Program {
  id: number;
  byId: Map<number, Promotion>;
  byIdentifier: Map<string, Promotion>;
}

export interface LedgerEntry {
  earnedId: string;
  issualId: string;
  programId: number;
  promotionId: number;
  customerId: number;
}

/** Recent earns in typed arrays: a fixed footprint and no allocation per earn. */
export class LedgerRing {
  // earnedIds are exact 64-bit integers (the sequence may start near 2^53 and must not repeat).
  private readonly earnedIds: BigInt64Array;
  private readonly issualIds: Float64Array;
  private readonly programIds: Float64Array;
  private readonly promotionIds: Float64Array;
  private readonly customerIds: Float64Array;
  private next = 0;
  private size = 0;

  constructor(readonly capacity: number) {
    this.earnedIds = new BigInt64Array(capacity);
    this.issualIds = new Float64Array(capacity);
    this.programIds = new Float64Array(capacity);
    this.promotionIds = new Float64Array(capacity);
    this.customerIds = new Float64Array(capacity);
  }

  push(earnedId: bigint, issualId: number, programId: number, promotionId: number, customerId: number): void {
    if (this.capacity === 0) return;
    const i = this.next;
    this.earnedIds[i] = earnedId;
    this.issualIds[i] = issualId;
    this.programIds[i] = programId;
    this.promotionIds[i] = promotionId;
    this.customerIds[i] = customerId;
    this.next = i + 1 === this.capacity ? 0 : i + 1;
    if (this.size < this.capacity) this.size++;
  }

  clear(): void {
    this.next = 0;
    this.size = 0;
  }

  /** Entries kept. */
  get length(): number {
    return this.size;
  }

  /** Oldest first. */
  entries(): LedgerEntry[] {
    return this.page(undefined, this.size).entries;
  }

  /**
   * Up to `limit` entries with an earnedId above `after` (all when undefined), oldest first, and
   * whether more follow. earnedIds only grow in push order, so the start is a binary search: a page
   * costs O(log n + limit) whatever the window holds.
   */
  page(after: bigint | undefined, limit: number): { entries: LedgerEntry[]; more: boolean } {
    let lo = 0;
    if (after !== undefined) {
      let hi = this.size;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((this.earnedIds[this.slot(mid)] as bigint) <= after) lo = mid + 1;
        else hi = mid;
      }
    }
    const end = Math.min(this.size, lo + limit);
    const out: LedgerEntry[] = [];
    for (let k = lo; k < end; k++) {
      const i = this.slot(k);
      out.push({
        earnedId: String(this.earnedIds[i]),
        issualId: String(this.issualIds[i]),
        programId: this.programIds[i] as number,
        promotionId: this.promotionIds[i] as number,
        customerId: this.customerIds[i] as number,
      });
    }
    return { entries: out, more: end < this.size };
  }

  /** The array slot of the k-th oldest entry. */
  private slot(k: number): number {
    const i = this.next - this.size + k;
    return i < 0 ? i + this.capacity : i;
  }
}

/** The data a provider answers from; `reset` rebuilds it from the fixtures. */
export class Model {
  programs = new Map<number, Program>();
  customers = new Map<number, FixtureCustomer>();
  byMobile = new Map<string, number>();
  byEmail = new Map<string, number>();
  generatedFirst = 0;
  generatedCount = 0;
  private generatedDigits = 0;
  /** Generated customers a provider state removed. */
  removedGenerated = new Set<number>();
  /**
   * The next earnedId: a bigint, so a sequence started near 2^53 stays exact, and never rewound by
   * reset or teardown, so an earnedId is unique for the provider's lifetime.
   */
  nextEarnedId: bigint;

  constructor(private readonly fixtures: Fixtures) {
    this.nextEarnedId = BigInt(fixtures.firstEarnedId ?? 1);
    this.reset();
  }

  /** Back to the fixtures (the earnedId sequence goes on). */
  reset(): void {
    const f = this.fixtures;
    this.programs.clear();
    this.customers.clear();
    this.byMobile.clear();
    this.byEmail.clear();
    this.removedGenerated.clear();
    for (const p of f.programs) {
      const program = this.ensureProgram(p.id);
      for (const q of p.promotions) {
        this.putPromotion(program, {
          id: q.id,
          identifier: q.identifier,
          name: q.name,
          active: q.active,
          limit: q.earnLimitPerCustomer,
          issualId: q.issualId ?? q.id,
          counts: undefined,
        });
      }
    }
    for (const c of f.customers) this.putCustomer({ ...c });
    this.generatedFirst = f.generatedCustomers?.first ?? 0;
    this.generatedCount = f.generatedCustomers?.count ?? 0;
    this.generatedDigits = String(this.generatedFirst).length;
    for (const e of f.earnCounts ?? []) {
      this.programs.get(e.programId)?.byId.get(e.promotionId)?.counts?.set(e.customerId, e.count);
    }
  }

  ensureProgram(id: number): Program {
    let program = this.programs.get(id);
    if (program === undefined) {
      program = { id, byId: new Map(), byIdentifier: new Map() };
      this.programs.set(id, program);
    }
    return program;
  }

  putPromotion(program: Program, promo: Promotion): void {
    this.removePromotion(program, promo.id);
    if (promo.identifier !== undefined) this.removePromotion(program, promo.identifier);
    promo.counts = promo.limit === undefined ? undefined : (promo.counts ?? new Map());
    program.byId.set(promo.id, promo);
    if (promo.identifier !== undefined) program.byIdentifier.set(promo.identifier, promo);
  }

  /** Removes the promotion with this ID (number) or identifier (string) from the program. */
  removePromotion(program: Program, key: number | string): void {
    const promo = typeof key === 'number' ? program.byId.get(key) : program.byIdentifier.get(key);
    if (promo === undefined) return;
    program.byId.delete(promo.id);
    if (promo.identifier !== undefined) program.byIdentifier.delete(promo.identifier);
  }

  putCustomer(c: FixtureCustomer): void {
    this.removeCustomer(c.id);
    this.removedGenerated.delete(c.id);
    this.customers.set(c.id, c);
    if (c.mobile !== undefined) this.byMobile.set(c.mobile, c.id);
    if (c.email !== undefined) this.byEmail.set(c.email, c.id);
  }

  removeCustomer(id: number): void {
    const c = this.customers.get(id);
    if (c !== undefined) {
      this.customers.delete(id);
      if (c.mobile !== undefined && this.byMobile.get(c.mobile) === id) this.byMobile.delete(c.mobile);
      if (c.email !== undefined && this.byEmail.get(c.email) === id) this.byEmail.delete(c.email);
    }
    if (this.isGenerated(id)) this.removedGenerated.add(id);
  }

  isGenerated(id: number): boolean {
    return id >= this.generatedFirst && id < this.generatedFirst + this.generatedCount;
  }

  private generatedExists(id: number): boolean {
    return this.isGenerated(id) && (this.removedGenerated.size === 0 || !this.removedGenerated.has(id));
  }

  /** The customer ID for an identifier, or -1 when no customer has it. */
  resolve(identifierName: string, value: string): number {
    if (identifierName === 'id') {
      const id = canonicalId(value);
      if (id < 0) return -1;
      return this.customers.has(id) || this.generatedExists(id) ? id : -1;
    }
    if (identifierName === 'mobile') {
      const found = this.byMobile.get(value);
      if (found !== undefined) return found;
      if (this.generatedCount === 0 || value.length < this.generatedDigits) return -1;
      const id = canonicalId(value.slice(value.length - this.generatedDigits));
      return id >= 0 &&
        this.generatedExists(id) &&
        loadCustomerMobile(id) === value &&
        !this.customers.has(id)
        ? id
        : -1;
    }
    const found = this.byEmail.get(value);
    if (found !== undefined) return found;
    if (this.generatedCount === 0) return -1;
    const digits = /\d+/.exec(value);
    if (digits === null) return -1;
    const id = canonicalId(digits[0]);
    return id >= 0 && this.generatedExists(id) && loadCustomerEmail(id) === value && !this.customers.has(id)
      ? id
      : -1;
  }

  /** Finds a customer by ID, listed or generated (for provider states). */
  customerExists(id: number): boolean {
    return this.customers.has(id) || this.generatedExists(id);
  }
}

/** Parses a customer ID written canonically (digits, no sign, no leading zero); -1 otherwise. */
export function canonicalId(value: string): number {
  const len = value.length;
  if (len === 0 || len > 15) return -1;
  let n = 0;
  for (let i = 0; i < len; i++) {
    const c = value.charCodeAt(i) - 48;
    if (c < 0 || c > 9 || (c === 0 && i === 0 && len > 1)) return -1;
    n = n * 10 + c;
  }
  return n;
}
