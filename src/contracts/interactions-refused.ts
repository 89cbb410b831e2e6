// The rows of the Pact interaction table whose answer is an HTTP error (400, 401, 403, 413, 429): the
// statuses the suite infers, each with the request and provider states that provoke it.
import { example, type HttpErrorBody } from '../openapi/index.js';
import { STATES } from '../states/index.js';
import {
  active,
  BODY_LIMIT_413,
  docRequestIssuable,
  exists,
  RATE_LIMIT_429,
  type Row,
} from './interaction-row.js';

export const REFUSED_ROWS: readonly Row[] = [
  {
    case: 'http-400',
    description: 'answers 400 naming the field when identifierName is not one the spec allows',
    request: 'doc-request',
    response: 'http-400',
    status: 400,
    auth: 'basic',
    states: (r) => [active(r), exists(r, 0), exists(r, 1)],
    // The http-400 example names the field at fault and the value it received: the request is the
    // doc's request with that field set to that value.
    patchRequest: (req) => {
      const err = example<HttpErrorBody>('http-400').errors[0] as { field?: string; message: string };
      const received = /\(received "([^"]*)"\)/.exec(err.message)?.[1];
      const key = err.field?.replace(/^\//, '');
      if (key === undefined || received === undefined)
        throw new Error('the http-400 example names no field/value');
      req[key] = received;
    },
  },
  {
    case: 'http-401',
    description: 'answers 401 when the request carries no credentials',
    request: 'doc-request',
    response: 'http-401',
    status: 401,
    auth: 'none',
    states: (r) => [active(r), exists(r, 0), exists(r, 1)],
  },
  {
    case: 'http-403',
    description: 'answers 403 when the credentials lack write access to the customer group resource',
    request: 'doc-request',
    response: 'http-403',
    status: 403,
    auth: 'basic-readonly',
    states: (r) => [active(r), exists(r, 0), exists(r, 1)],
  },
  {
    case: 'http-413',
    description: "answers 413 when the body is over the server's limit",
    request: 'doc-request',
    response: 'http-413',
    status: 413,
    auth: 'basic',
    states: (r) => [
      { name: STATES.bodyLimited, params: { bytes: BODY_LIMIT_413 } },
      ...docRequestIssuable(r),
    ],
    // The doc's request with its customers repeated until the body is just over the limit: the same
    // customers (which exist), so the body's size is the only thing wrong with it.
    patchRequest: (req) => {
      const customers = req.customers as unknown[];
      const doc = [...customers];
      for (let k = 0; Buffer.byteLength(JSON.stringify(req)) <= BODY_LIMIT_413; k++) {
        customers.push(structuredClone(doc[k % doc.length]));
      }
    },
  },
  {
    case: 'http-429',
    description: 'answers 429 with Retry-After when the rate limit is used up',
    request: 'doc-request',
    response: 'http-429',
    status: 429,
    auth: 'basic',
    states: (r) => [
      { name: STATES.rateLimitUsedUp, params: { requestsPerSecond: RATE_LIMIT_429 } },
      ...docRequestIssuable(r),
    ],
    // Whole seconds, as the spec's Retry-After header says; the client waits that long before retrying.
    responseHeaders: { 'Retry-After': { pattern: '^[0-9]+$', example: '1' } },
  },
];
