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
