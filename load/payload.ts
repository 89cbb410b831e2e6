// The one builder of request bodies and headers every k6 script sends.

import { SharedArray } from 'k6/data';
import encoding from 'k6/encoding';
import { config } from './config.ts';

/** Identifier values from a CSV (first column, header skipped), shared read-only by every VU. */
const csvCustomers: ArrayLike<string> =
  config.customersCsv === ''
    ? []
    : new SharedArray('customers', () =>
        open(config.customersCsv)
          .split(/\r?\n/)
          .slice(1)
          .map((line) => (line.split(',')[0] ?? '').trim().replace(/^"|"$/g, ''))
          .filter((v) => v !== ''),
      );

/** The identifierValue of the n-th customer (wrapping around the range or the CSV). */
export function identifierValue(n: number): string {
  if (csvCustomers.length > 0) return csvCustomers[n % csvCustomers.length] as string;
  const id = config.customerIdFirst + (n % config.customerCount);
  if (config.identifierName === 'mobile') return config.mobileTemplate.replace('{id}', String(id));
  if (config.identifierName === 'email') return config.emailTemplate.replace('{id}', String(id));
  return String(id);
}

/** JSON body issuing the configured promotion to `batchSize` consecutive customers from `first`. */
export function directEarnBody(batchSize: number, first: number): string {
  const customers = new Array(batchSize);
  for (let i = 0; i < batchSize; i++) {
    customers[i] = { identifierValue: identifierValue(first + i), source: config.source };
  }
  return JSON.stringify({
    type: 'CUSTOMER',
    promotionDetails: { programId: config.programId, promotionId: config.promotionId },
    identifierName: config.identifierName,
    customers,
  });
}

/** The Authorization header value: Bearer when a token is configured, else Basic. */
export const AUTHORIZATION =
  config.token !== '' ? `Bearer ${config.token}` : `Basic ${encoding.b64encode(config.basic)}`;

/** Headers of every directEarn request (computed once per VU, not per request). */
export const JSON_HEADERS: Record<string, string> = {
  'Content-Type': 'application/json',
  Authorization: AUTHORIZATION,
};

export const ENDPOINT_URL = `${config.baseUrl}${config.endpointPath}`;

/** Bodies this VU built, per batch size: reused round-robin so building them costs CPU only once. */
const pools = new Map<number, string[]>();

/**
 * The body of this VU's `iteration`-th request at `batchSize` (`vu` is 1-based, as __VU). With a
 * pool (poolCustomers > 0) a VU cycles through enough bodies to cover poolCustomers distinct
 * customers (at least 2 bodies), so VUs x poolCustomers customers earn repeatedly (the load
 * promotion has no earn limit) and building bodies costs CPU once: a 1000-customer body costs k6
 * about 2.5 ms, taken from the target when both share a machine. poolCustomers 0 builds every body
 * fresh from customers no other VU sends. Callers pass __VU and a counter of their own: reading
 * k6/execution per request costs k6 more than the request (npm run bench:load).
 */
export function pooledBody(batchSize: number, vu: number, iteration: number): string {
  if (config.poolCustomers === 0) {
    return directEarnBody(batchSize, (iteration * config.maxVus + vu - 1) * batchSize);
  }
  let pool = pools.get(batchSize);
  if (pool === undefined) {
    pool = [];
    pools.set(batchSize, pool);
  }
  const slots = Math.max(2, Math.ceil(config.poolCustomers / batchSize));
  const slot = iteration % slots;
  let body = pool[slot];
  if (body === undefined) {
    body = directEarnBody(batchSize, (vu - 1) * slots * batchSize + slot * batchSize);
    pool[slot] = body;
  }
  return body;
}
