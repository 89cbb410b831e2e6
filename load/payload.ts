// The one builder of request bodies and headers every k6 script sends.

import { SharedArray } from 'k6/data';
import encoding from 'k6/encoding';
import { type BodyShape, identifierValueOf, ListBodies, RangeBodies } from './bodies.ts';
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

const TEMPLATES = { id: '{id}', mobile: config.mobileTemplate, email: config.emailTemplate };

const shape: BodyShape = {
  programId: config.programId,
  promotionId: config.promotionId,
  promoIdentifier: config.promoIdentifier,
  identifierName: config.identifierName,
  source: config.source,
  template: TEMPLATES[config.identifierName],
  customerIdFirst: config.customerIdFirst,
  customerCount: config.customerCount,
};

const bodies = csvCustomers.length > 0 ? new ListBodies(shape, csvCustomers) : new RangeBodies(shape);

/** The identifierValue of the n-th customer (wrapping around the range or the CSV). */
export function identifierValue(n: number): string {
  if (csvCustomers.length > 0) return csvCustomers[n % csvCustomers.length] as string;
  return identifierValueOf(shape, config.customerIdFirst + (n % config.customerCount));
}

/**
 * JSON body issuing the configured promotion (promotionId, or promoIdentifier when given) to
 * `batchSize` consecutive customers from the n-th: identifierName's values from the id range
 * through its template (id, mobile, email), or from the CSV.
 */
export function directEarnBody(batchSize: number, first: number): string {
  return bodies.body(first, batchSize);
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
 * promotion has no earn limit) and building bodies costs CPU once. poolCustomers 0 builds every
 * body fresh from customers no other VU sends (one native join, see bodies.ts). Callers pass __VU
 * and a counter of their own: reading k6/execution per request costs k6 more than the request.
 */
export function pooledBody(batchSize: number, vu: number, iteration: number): string {
  if (config.poolCustomers === 0) {
    return bodies.body((iteration * config.maxVus + vu - 1) * batchSize, batchSize);
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
    body = bodies.body((vu - 1) * slots * batchSize + slot * batchSize, batchSize);
    pool[slot] = body;
  }
  return body;
}
