// The ID pool of a states file: fresh customers for the interactions that earn, so a stateful host
// (a real CRM with earn limits and no admin API) answers the same on every run. The record of used
// customers (FILE.pool-used.json beside the states file) is what keeps a customer from being issued
// twice, so it is written before the requests it covers: a run reserves its customers under an
// exclusive lock (FILE.pool-used.json.lock), writes them into the record (fsync'd, atomic rename,
// never through a symbolic link) and only then sends; afterwards it gives back the customers no
// request carrying them ever left for the host. A run killed at any point after the reservation
// leaves its customers recorded: unused ones are lost to the pool, none is ever drawn twice.
import { UsageError } from '../errors.js';
import { MAX_INPUT_BYTES, readInputText } from '../input/file.js';
import { withLock } from '../util/lock-file.js';
import { refuseSymlink, SYMLINK_REFUSED, writeFileSafe } from '../util/safe-write.js';
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

/** Refuses a record that is a symbolic link (dangling too), naming it and what to do. */
function checkRecordPath(record: string): void {
  try {
    refuseSymlink(record);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== SYMLINK_REFUSED) throw e;
    throw new UsageError(
      `${record}: the ID pool record is a symbolic link; it is never written through one: replace it with the file itself`,
    );
  }
}

function readUsed(record: string | undefined, pool: readonly PoolCustomer[]): Set<string> {
  if (record === undefined) {
    const set = inProcess.get(pool) ?? new Set<string>();
    inProcess.set(pool, set);
    return set;
  }
  checkRecordPath(record);
  try {
    const doc = JSON.parse(readInputText(record, MAX_INPUT_BYTES)) as { used?: unknown };
    if (!Array.isArray(doc.used)) throw new Error('no "used" list');
    return new Set(doc.used.map(String));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return new Set();
    throw new Error(
      `${record}: not a pool record (${(e as Error).message}); delete it to start the pool afresh`,
    );
  }
}

function writeUsed(record: string, used: Set<string>): void {
  checkRecordPath(record);
  writeFileSafe(record, `${JSON.stringify({ used: [...used] }, null, 2)}\n`, { durable: true });
}

/** Draws fresh customers from a states file's pool for one run, recorded before they are sent. */
export class PoolDraw {
  /** The record as last read (or written) by this run. */
  private used: Set<string>;
  private readonly record: string | undefined;

  constructor(
    private readonly pool: readonly PoolCustomer[],
    statesPath: string | undefined,
    /** How long a reservation waits for another run's lock, ms. */
    private readonly lockWaitMs = 15_000,
  ) {
    this.record = statesPath === undefined ? undefined : poolRecordPath(statesPath);
    this.used = readUsed(this.record, pool);
  }

  /** Customers not in the record as last read. */
  private fresh(): PoolCustomer[] {
    return this.pool.filter((c) => !this.used.has(c.customerId));
  }

  /** Runs `fn` on the record's current content under its lock, writing back what `fn` returns. */
  private async update<T>(fn: (used: Set<string>) => { write: boolean; value: T }): Promise<T> {
    const record = this.record;
    if (record === undefined) {
      const used = readUsed(undefined, this.pool);
      const r = fn(used);
      this.used = used;
      return r.value;
    }
    return withLock(
      `${record}.lock`,
      `the ID pool record ${record}`,
      () => {
        const used = readUsed(record, this.pool);
        const r = fn(used);
        if (r.write) writeUsed(record, used);
        this.used = used;
        return r.value;
      },
      { waitMs: this.lockWaitMs },
    );
  }

  /**
   * Reserves `n` customers that no run used or holds: under the record's lock, re-reads it, adds
   * them and writes it (fsync'd) before returning, so call it before any request carrying them is
   * sent. Undefined (nothing recorded) when fewer than `n` are left.
   */
  reserve(n: number): Promise<PoolCustomer[] | undefined> {
    return this.update((used) => {
      const picked = this.pool.filter((c) => !used.has(c.customerId)).slice(0, n);
      if (picked.length < n) return { write: false, value: undefined };
      for (const c of picked) used.add(c.customerId);
      return { write: picked.length > 0, value: picked };
    });
  }

  /**
   * Gives back reserved customers the host provably never received: no request carrying them was
   * sent (the run ended before sending, or sent only other interactions).
   */
  release(customers: readonly PoolCustomer[]): Promise<void> {
    if (customers.length === 0) return Promise.resolve();
    return this.update((used) => {
      for (const c of customers) used.delete(c.customerId);
      return { write: true, value: undefined };
    });
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

/**
 * The reserved customers no sent request body mentions (its customerId, mobile or email anywhere in
 * the text): the ones a run may give back. Matching text rather than parsed fields errs on the safe
 * side: a body that names a customer in any way, even by chance, keeps it used.
 */
export function unsentCustomers(
  reserved: readonly PoolCustomer[],
  sentBodies: readonly string[],
): PoolCustomer[] {
  return reserved.filter((c) => {
    const names = [c.customerId, c.mobile, c.email].filter((v): v is string => v !== undefined && v !== '');
    return !sentBodies.some((body) => names.some((n) => body.includes(n)));
  });
}

/** A pool draw for a states file, or undefined when it has no pool. */
export function poolOf(file: StatesFile | undefined): PoolDraw | undefined {
  return file?.pool === undefined ? undefined : new PoolDraw(file.pool, file.path);
}
