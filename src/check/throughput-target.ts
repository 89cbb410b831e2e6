// The throughput stage's identity and customers on a target: the flags, else the states file's
// active promotion; --customers-csv, else fresh customers reserved from the states file's pool.
import { join } from 'node:path';
import { PoolDraw } from '../contracts/pool.js';
import { type IdentityOptions, PREFLIGHT_CUSTOMERS } from '../load/identity.js';
import { STATES } from '../states/index.js';
import { writeFileSafe } from '../util/safe-write.js';
import type { CheckContext } from './context.js';

/** Requests per batch size the throughput stage sends on a target from the pool, each to fresh customers. */
export const POOL_REQUESTS_PER_BATCH_SIZE = 10;

/**
 * The throughput run's identity: the flags, else on a target the states file's active promotion
 * (a real host has neither the embedded provider's program nor its promotion).
 */
export function targetIdentity(ctx: CheckContext): IdentityOptions {
  const flags = ctx.loadIdentity ?? {};
  const given =
    flags.programId !== undefined || flags.promotionId !== undefined || flags.promoIdentifier !== undefined;
  if (ctx.target === undefined || given || ctx.states === undefined) return flags;
  const active = ctx.states.states[STATES.promotionActive];
  if (active === undefined) return flags;
  const id = (v: unknown) =>
    typeof v === 'number' || (typeof v === 'string' && /^\d+$/.test(v)) ? Number(v) : undefined;
  const programId = id(active.programId);
  const promotionId = id(active.promotionId);
  return {
    ...flags,
    ...(programId !== undefined ? { programId } : {}),
    ...(promotionId !== undefined ? { promotionId } : {}),
  };
}

/**
 * The throughput run's customers on a target, each sent once: --customers-csv, else fresh customers
 * reserved from the states file's pool (recorded as used before any request) and written as a CSV
 * beside the report; undefined when there are neither (the generated range, as on a seeded host).
 */
export async function targetCustomers(
  ctx: CheckContext,
): Promise<{ csv?: string; problem?: string } | undefined> {
  if (ctx.customersCsv !== undefined) return { csv: ctx.customersCsv };
  const file = ctx.states;
  if (file?.pool === undefined) return undefined;
  const seconds = Math.ceil(ctx.throughput.durationSeconds);
  const needed =
    PREFLIGHT_CUSTOMERS +
    ctx.throughput.batchSizes.reduce((n, b) => n + b, 0) *
      seconds *
      Math.ceil(POOL_REQUESTS_PER_BATCH_SIZE / seconds);
  const reserved = await new PoolDraw(file.pool, file.path).reserve(needed);
  if (reserved === undefined)
    return {
      problem: `the ID pool of the states file is used up: the throughput run needs ${needed} fresh customers (or give --customers-csv)`,
    };
  const name = (ctx.loadIdentity?.identifierName ?? 'id') as 'id' | 'mobile' | 'email';
  const value = (c: (typeof reserved)[number]) => (name === 'id' ? c.customerId : (c[name] ?? ''));
  if (reserved.some((c) => value(c) === ''))
    return { problem: `the pool's customers need a ${name} for --identifier-name ${name}` };
  const csv = join(ctx.reportDir, 'throughput-customers.csv');
  writeFileSafe(csv, `identifierValue\n${reserved.map((c) => JSON.stringify(value(c))).join('\n')}\n`);
  return { csv };
}
