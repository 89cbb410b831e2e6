// The ID pool in a verification run: customers reserved for the interactions that earn before
// anything is sent, and the pool's line for a report (verify and check print the same).
import type { PoolDraw, PoolStatus } from './pool.js';
import { mapIds, type Planned } from './prepare.js';
import type { PoolCustomer, StatesMap } from './states-file.js';

/**
 * The ID pool's line for a report (verify and check print the same): how many customers are used,
 * and how many runs are left, or that this run drew none (no earning interaction was sent, e.g.
 * without credentials), never a count of infinite runs.
 */
export function poolLine(pool: PoolStatus): string {
  if (pool.usedUp)
    return `ID pool USED UP: ${pool.used} of ${pool.size} customers used, this run needs ${pool.perRun}; add fresh customers under pool.customers of the states file (or delete ${pool.record ?? 'the pool record'} if the host was reset)`;
  if (pool.perRun === 0)
    return `ID pool: ${pool.used} of ${pool.size} customers used; this run drew none (no interaction that earns was sent)`;
  return `ID pool: ${pool.used} of ${pool.size} customers used (${pool.perRun} per run): ${pool.runsLeft} more run(s) left`;
}

/**
 * Reserves pool customers for the earning interactions (recorded before anything is sent); marks
 * them not verified when the pool is short. Returns the customers reserved.
 */
export async function drawPool(
  runnable: Planned[],
  pool: PoolDraw,
  states: StatesMap,
): Promise<{ perRun: number; usedUp: boolean; reserved: PoolCustomer[] }> {
  const perRun = runnable.reduce((n, p) => n + p.earners.length, 0);
  const reserved = await pool.reserve(perRun);
  if (reserved === undefined) {
    for (const p of runnable) {
      if (p.earners.length > 0)
        p.withheld = {
          status: 'not-verified',
          message: `the ID pool of the states file is used up: this run needs ${perRun} fresh customer(s); add customers under pool.customers`,
        };
      else p.withheld = mapIds(p, states, new Map());
    }
    return { perRun, usedUp: true, reserved: [] };
  }
  const next = [...reserved];
  for (const p of runnable) {
    const draws = new Map(p.earners.map((id) => [id, next.shift() as PoolCustomer]));
    const why = mapIds(p, states, draws);
    if (why !== undefined) p.withheld = why;
  }
  return { perRun, usedUp: false, reserved };
}
