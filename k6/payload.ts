// The one builder of request bodies and headers every k6 script sends.

import { SharedArray } from 'k6/data';
import encoding from 'k6/encoding';
import { type BodyShape, ListBodies, RangeBodies } from './bodies.ts';
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

/** The header a generated OAuth token goes in (the CRM's own; k6/oauth.ts renews it in place). */
export const OAUTH_TOKEN_HEADER = 'X-CAP-API-OAUTH-TOKEN';

/**
 * Headers of every directEarn request (computed once per VU, not per request): with OAuth the
 * generated token in X-CAP-API-OAUTH-TOKEN, which k6/oauth.ts replaces in this same object.
 */
export const JSON_HEADERS: Record<string, string> =
  config.oauthKey !== ''
    ? { 'Content-Type': 'application/json', [OAUTH_TOKEN_HEADER]: config.token }
    : { 'Content-Type': 'application/json', Authorization: AUTHORIZATION };

export const ENDPOINT_URL = `${config.baseUrl}${config.endpointPath}`;

// Local bindings for the request path: reading an imported one (config) is a lookup by name in k6.
const POOL_CUSTOMERS = config.poolCustomers;
const MAX_VUS = config.maxVus;

/** Bodies this VU built, per batch size: reused round-robin so building them costs CPU only once. */
const pools = new Map<number, string[]>();

/**
 * The body of this VU's `iteration`-th request at `batchSize` (`vu` is 1-based, as __VU). With a
 * pool (poolCustomers > 0) a VU cycles through enough bodies to cover poolCustomers distinct
 * customers (at least 2 bodies), so VUs x poolCustomers customers earn repeatedly (the load
 * promotion has no earn limit) and bodies are built once, by buildPools. poolCustomers 0 builds every
 * body fresh from customers no other VU sends (one native join, see bodies.ts). Callers pass __VU
 * and a counter of their own: reading k6/execution per request costs k6 more than the request.
 */
export function pooledBody(batchSize: number, vu: number, iteration: number): string {
  if (POOL_CUSTOMERS === 0) return bodies.body((iteration * MAX_VUS + vu - 1) * batchSize, batchSize);
  const pool = pools.get(batchSize) ?? fillPool(batchSize, vu);
  return pool[iteration % pool.length] as string;
}

/**
 * This VU's pool of bodies at `batchSize` (pooledBody's), or undefined when every body is built
 * fresh (poolCustomers 0): a caller that keeps it for its scenario indexes it with no call per request.
 */
export function bodyPool(batchSize: number, vu: number): readonly string[] | undefined {
  if (POOL_CUSTOMERS === 0) return undefined;
  return pools.get(batchSize) ?? fillPool(batchSize, vu);
}

/** Builds this VU's pool of bodies for `batchSize`: enough to cover poolCustomers customers. */
function fillPool(batchSize: number, vu: number): string[] {
  const slots = Math.max(2, Math.ceil(config.poolCustomers / batchSize));
  const pool = new Array<string>(slots);
  for (let slot = 0; slot < slots; slot++) {
    pool[slot] = bodies.body((vu - 1) * slots * batchSize + slot * batchSize, batchSize);
  }
  pools.set(batchSize, pool);
  return pool;
}

/**
 * Builds this VU's pools for every batch size of the run, from the init code of a script (`vu` is
 * __VU, 0 while k6 only reads the options): bodies then cost nothing while the run is measured.
 */
export function buildPools(vu: number): void {
  if (vu < 1 || config.poolCustomers === 0) return;
  for (const batchSize of config.batchSizes) if (!pools.has(batchSize)) fillPool(batchSize, vu);
}
