// Regressions of the exchange around the bulk answer, each breaking one thing the public doc states:
// the entity type honoured, who may call (credentials, write access, both OAuth headers), the
// host's data and limits (earn limits, a promotion that can never be issued, the body limit), and
// the HTTP answer itself (Retry-After, status, the field at fault, content type).
import { STATES } from '../states/index.js';
import { codeOf, dropState, header, UNAUTHORIZED, WRITE_BASIC, withHeader } from './edits.js';
import type { Bulk, Obj, Variant } from './variant.js';

/** Regressions `verify` must catch in a request's handling, the host's data and the HTTP answer. */
export const EXCHANGE_REGRESSIONS: readonly Variant[] = [
  {
    name: 'usergroup-issued',
    kind: 'regression',
    summary: 'type USERGROUP2 issued as CUSTOMER instead of 8899',
    request: (req, body) =>
      body?.type === 'USERGROUP2' ? { ...req, body: JSON.stringify({ ...body, type: 'CUSTOMER' }) } : req,
  },
  {
    name: 'auth-bypass',
    kind: 'regression',
    summary: 'a request without credentials is processed (no 401)',
    request: (req) =>
      header(req, 'authorization') === undefined && header(req, 'x-cap-api-oauth-token') === undefined
        ? withHeader(req, 'authorization', WRITE_BASIC)
        : req,
  },
  {
    name: 'readonly-can-write',
    kind: 'regression',
    summary: 'credentials without write access are processed (no 403)',
    request: (req) =>
      header(req, 'authorization')?.startsWith('Basic ') && header(req, 'authorization') !== WRITE_BASIC
        ? withHeader(req, 'authorization', WRITE_BASIC)
        : req,
  },
  {
    name: 'bearer-refused',
    kind: 'regression',
    summary: 'Authorization: Bearer refused with 401',
    request: (req) => (header(req, 'authorization')?.startsWith('Bearer ') ? UNAUTHORIZED : req),
  },
  {
    name: 'cap-token-refused',
    kind: 'regression',
    summary: 'X-CAP-API-OAUTH-TOKEN refused with 401',
    request: (req) => (header(req, 'x-cap-api-oauth-token') !== undefined ? UNAUTHORIZED : req),
  },
  {
    name: 'earn-limit-not-enforced',
    kind: 'regression',
    summary: 'a customer who exhausted the earn limit earns again',
    // The host's data says the customer is exhausted; it issues anyway.
    bulk: (b, _req, states) => {
      if (!states.has(STATES.customerExhausted)) return;
      for (const e of b.response) {
        if (e.result === undefined || !e.warnings.some((w) => codeOf(w) === 8890)) continue;
        Object.assign(e.result, { issualId: '1', earnedId: String(900_000 + b.response.indexOf(e)) });
        e.warnings = [];
      }
    },
  },
  {
    name: 'config-issue-issued',
    kind: 'regression',
    summary: 'a promotion that can never be issued (configuration issue) is issued anyway',
    state: (c) => (c.state === STATES.promotionNeverIssued ? { ...c, state: STATES.promotionActive } : c),
  },
  {
    name: 'body-limit-ignored',
    kind: 'regression',
    summary: 'a body over the limit is processed (no 413)',
    state: dropState(STATES.bodyLimited),
  },
  {
    name: 'retry-after-missing',
    kind: 'regression',
    inferredOnly: true,
    summary: '429 without Retry-After',
    response: (res) => {
      if (res.status !== 429) return res;
      const headers = { ...res.headers };
      for (const k of Object.keys(headers)) if (k.toLowerCase() === 'retry-after') delete headers[k];
      return { ...res, headers };
    },
  },
  {
    name: 'all-failed-as-http-400',
    kind: 'regression',
    summary: 'a bulk answer whose every entry failed sent as HTTP 400 (the doc: 200)',
    response: (res) => {
      const b = res.status === 200 ? (JSON.parse(res.body) as Bulk) : undefined;
      return b !== undefined && b.failureCount === b.totalCount && b.response.length > 0
        ? { ...res, status: 400 }
        : res;
    },
  },
  {
    name: 'http-400-without-field',
    kind: 'regression',
    inferredOnly: true,
    summary: 'a 400 that does not name the field at fault',
    response: (res) => {
      if (res.status !== 400) return res;
      const b = JSON.parse(res.body) as { errors: Obj[] };
      for (const e of b.errors) delete e.field;
      return { ...res, body: JSON.stringify(b) };
    },
  },
  {
    name: 'content-type-text',
    kind: 'regression',
    summary: 'answers labelled text/plain instead of application/json',
    response: (res) => ({ ...res, headers: { ...res.headers, 'content-type': 'text/plain' } }),
  },
];
