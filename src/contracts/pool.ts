// The ID pool of a states file: fresh customers for the interactions that earn, so a stateful host
// (a real CRM with earn limits and no admin API) answers the same on every run. Each run draws the
// customers it needs; the IDs used are recorded beside the states file (FILE.pool-used.json).
import { readFileSync, writeFileSync } from 'node:fs';
import type { PoolCustomer, StatesFile } from './states-file.js';

/** How much of the pool is left, for the run's report. */
export interface PoolStatus {
  /** Customers in the pool. */
  size: number;
  /** Customers used by this and earlier runs. */
  used: number;
  /** Customers one run draws. */
  perRun: number;
  /** Runs the rest of the pool allows after this one. */
  runsLeft: number;
  /** The pool had too few customers for this run: its earning interactions were not sent. */
  usedUp: boolean;
  /** Where the used IDs are recorded (undefined for a states map given in-process). */
  record: string | undefined;
}

/** The used-ID record of pools given in-process (no file to write beside). */
const inProcess = new WeakMap<readonly PoolCustomer[], Set<string>>();

/** The file recording which pool customers a states file's runs used. */
export function poolRecordPath(statesPath: string): string {
  return `${statesPath}.pool-used.json`;
}

function readUsed(record: string | undefined, pool: readonly PoolCustomer[]): Set<string> {
  if (record === undefined) {
    const set = inProcess.get(pool) ?? new Set<string>();
    inProcess.set(pool, set);
    return set;
  }
  try {
    const doc = JSON.parse(readFileSync(record, 'utf8')) as { used?: unknown };
    if (!Array.isArray(doc.used)) throw new Error('no "used" list');
    return new Set(doc.used.map(String));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return new Set();
    throw new Error(
      `${record}: not a pool record (${(e as Error).message}); delete it to start the pool afresh`,
    );
  }
}

/** Draws fresh customers from a states file's pool for one run, and records them once the run sent them. */
export class PoolDraw {
  private readonly used: Set<string>;
  private readonly drawn: PoolCustomer[] = [];
  private readonly record: string | undefined;

  constructor(
    private readonly pool: readonly PoolCustomer[],
    statesPath: string | undefined,
  ) {
    this.record = statesPath === undefined ? undefined : poolRecordPath(statesPath);
    this.used = readUsed(this.record, pool);
  }

  /** Customers never used by an earlier run nor drawn by this one. */
  private fresh(): PoolCustomer[] {
    const taken = new Set(this.drawn.map((c) => c.customerId));
    return this.pool.filter((c) => !this.used.has(c.customerId) && !taken.has(c.customerId));
  }

  /** Whether `n` more customers are left. */
  has(n: number): boolean {
    return this.fresh().length >= n;
  }

  /** The next fresh customer (call `has` first). */
  take(): PoolCustomer {
    const next = this.fresh()[0];
    if (next === undefined) throw new Error('the ID pool is used up');
    this.drawn.push(next);
    return next;
  }

  /** Records this run's customers as used: call after their requests were sent. */
  commit(): void {
    for (const c of this.drawn) this.used.add(c.customerId);
    if (this.record !== undefined && this.drawn.length > 0) {
      writeFileSync(this.record, `${JSON.stringify({ used: [...this.used] }, null, 2)}\n`);
    }
  }

  /** The pool's state after this run, given how many customers a run needs. */
  status(perRun: number, usedUp: boolean): PoolStatus {
    const left = this.fresh().length;
    return {
      size: this.pool.length,
      used: this.pool.length - left,
      perRun,
      runsLeft: perRun === 0 ? Number.POSITIVE_INFINITY : Math.floor(left / perRun),
      usedUp,
      record: this.record,
    };
  }
}

/** A pool draw for a states file, or undefined when it has no pool. */
export function poolOf(file: StatesFile | undefined): PoolDraw | undefined {
  return file?.pool === undefined ? undefined : new PoolDraw(file.pool, file.path);
}
