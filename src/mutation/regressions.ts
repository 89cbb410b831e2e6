// Doc-derived provider regressions and harmless variations, as wrappers around the reference
// provider's public in-process API (`handle`), for the mutation test and for users rehearsing their
// CI (`directearn serve --simulate-regression NAME`): each regression breaks one thing the public
// doc states, which `verify` must catch; each benign variant changes only what a tolerant consumer
// must accept, which `verify` must pass.
import { DEFAULT_BASIC_PASSWORD, DEFAULT_BASIC_USER } from '../config/defaults.js';
import { messageFor } from '../openapi/index.js';
import type { ProviderRequest, ProviderResponse } from '../provider/index.js';
import { STATES } from '../states/index.js';

type Obj = Record<string, unknown>;
interface Entry {
  result?: Obj;
  errors: Obj[];
  warnings: Obj[];
}
export interface Bulk {
  response: Entry[];
  totalCount: unknown;
  failureCount: unknown;
  [key: string]: unknown;
}
export interface SentRequest {
  type?: string;
  identifierName?: string;
  customers?: unknown[];
}
/** A state change as Pact's verifier posts it to the admin route. */
export interface StateChange {
  state: string;
  params?: Obj;
  action?: string;
}

/** One variant of the provider: what it changes and what the doc says about it. */
export interface Variant {
  name: string;
  kind: 'regression' | 'benign';
  /** What the variant does, and for a regression, the doc's statement it breaks. */
  summary: string;
  /** Changes the request before the provider sees it. */
  request?: (req: ProviderRequest, body: SentRequest | undefined) => ProviderRequest | ProviderResponse;
  /** Changes a 200 bulk answer in place; `states` are the provider states set since the last teardown. */
  bulk?: (body: Bulk, req: SentRequest | undefined, states: ReadonlySet<string>) => void;
  /** Changes any answer of the endpoint (status, headers, body text). */
  response?: (res: ProviderResponse) => ProviderResponse;
  /** Changes a provider state before the provider applies it (a host whose data differs). */
  state?: (change: StateChange) => StateChange;
  /**
   * The regression breaks only what the suite infers (an HTTP error body, a header of a status the
   * doc never gives): `verify --target` reports it as a note and catches it with --strict only.
   */
  inferredOnly?: true;
}

const WRITE_BASIC = `Basic ${Buffer.from(`${DEFAULT_BASIC_USER}:${DEFAULT_BASIC_PASSWORD}`).toString('base64')}`;
const UNAUTHORIZED: ProviderResponse = {
  status: 401,
  headers: { 'content-type': 'application/json; charset=utf-8' },
  body: JSON.stringify({ errors: [{ status: false, code: 401, message: 'Unauthorized' }] }),
};
const header = (req: ProviderRequest, name: string): string | undefined => {
  const v = req.headers[name] ?? req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
};
const withHeader = (req: ProviderRequest, name: string, value: string | undefined): ProviderRequest => {
  const headers = { ...req.headers };
  for (const k of Object.keys(headers)) if (k.toLowerCase() === name.toLowerCase()) delete headers[k];
  if (value !== undefined) headers[name.toLowerCase()] = value;
  return { ...req, headers };
};
const codeOf = (e: Obj) => Number(e.code);
const recode = (from: number, to: number, message?: string) => (b: Bulk) => {
  for (const e of b.response)
    for (const err of [...e.errors, ...e.warnings]) {
      if (codeOf(err) !== from) continue;
      if (message === undefined) err.code = to;
      else err.message = message;
    }
};
const everyResult = (f: (r: Obj, i: number) => void) => (b: Bulk) =>
  b.response.forEach((e, i) => {
    if (e.result !== undefined) f(e.result, i);
  });
const failAll = (code: number, message: string) => (b: Bulk) => {
  b.response = b.response.map(() => ({ errors: [{ status: false, code, message }], warnings: [] }));
  b.failureCount = b.response.length;
};
const lookupBroken = (name: string) => (b: Bulk, req: SentRequest | undefined) => {
  if (req?.identifierName === name) failAll(8015, messageFor(8015, 'error'))(b);
};
const dropState = (name: string) => (c: StateChange) =>
  c.state === name ? { ...c, state: STATES.customerExists, params: { customerId: 1 } } : c;
const reverseKeys = (v: unknown): unknown => {
  if (Array.isArray(v)) return v.map(reverseKeys);
  if (v !== null && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v)
        .reverse()
        .map(([k, x]) => [k, reverseKeys(x)]),
    );
  return v;
};

/** Every variant: at least 25 doc-derived regressions and 5 benign variations. */
export const VARIANTS: readonly Variant[] = [
  {
    name: 'code-8892-changed',
    kind: 'regression',
    summary: 'inactive promotion answered with code 8893, not 8892',
    bulk: recode(8892, 8893),
  },
  {
    name: 'code-1101-changed',
    kind: 'regression',
    summary: 'unknown program answered with code 1100, not 1101',
    bulk: recode(1101, 1100),
  },
  {
    name: 'code-8881-changed',
    kind: 'regression',
    summary: 'missing parameters answered with code 8880, not 8881',
    bulk: recode(8881, 8880),
  },
  {
    name: 'message-8015-changed',
    kind: 'regression',
    summary: "8015's message in other words than the doc's",
    bulk: recode(8015, 8015, 'customer not found'),
  },
  {
    name: 'message-8899-changed',
    kind: 'regression',
    summary: "8899's message in other words than the doc's",
    bulk: recode(8899, 8899, 'Cannot issue to the user group'),
  },
  {
    name: 'message-8874-changed',
    kind: 'regression',
    summary: "8874's message in other words than the doc's",
    bulk: recode(8874, 8874, 'promotion identifier passed is invalid'),
  },
  {
    name: 'earnedId-dropped',
    kind: 'regression',
    summary: 'an earned result without earnedId',
    bulk: everyResult((r) => delete r.earnedId),
  },
  {
    name: 'issualId-renamed',
    kind: 'regression',
    summary: 'issualId answered as issuedId',
    bulk: everyResult((r) => {
      if (r.issualId !== undefined) {
        r.issuedId = r.issualId;
        delete r.issualId;
      }
    }),
  },
  {
    name: 'entityId-as-string',
    kind: 'regression',
    summary: 'entityId retyped from integer to string',
    bulk: everyResult((r) => {
      r.entityId = String(r.entityId);
    }),
  },
  {
    name: 'totalCount-as-string',
    kind: 'regression',
    summary: 'totalCount retyped from integer to string',
    bulk: (b) => {
      b.totalCount = String(b.totalCount);
    },
  },
  {
    name: 'programId-dropped',
    kind: 'regression',
    summary: 'results without programId',
    bulk: everyResult((r) => delete r.programId),
  },
  {
    name: 'promoIdentifier-as-promotionId',
    kind: 'regression',
    summary: 'a request by promoIdentifier answered with promotionId',
    bulk: everyResult((r) => {
      if (r.promoIdentifier !== undefined) {
        r.promotionId = 1;
        delete r.promoIdentifier;
      }
    }),
  },
  {
    name: 'entityId-row-number',
    kind: 'regression',
    summary: "entityId answered as the entry's row number, not the customer's id",
    bulk: everyResult((r, i) => {
      r.entityId = i + 1;
    }),
  },
  {
    name: 'earnedId-repeated',
    kind: 'regression',
    summary: 'the same earnedId twice in one answer',
    bulk: (b) => {
      const first = b.response.find((e) => e.result?.earnedId !== undefined)?.result?.earnedId;
      everyResult((r) => {
        if (r.earnedId !== undefined) r.earnedId = first;
      })(b);
    },
  },
  {
    name: 'warned-entry-issues',
    kind: 'regression',
    summary: 'an entry warned 8890 ("not issued") still carries issualId and earnedId',
    bulk: (b) => {
      for (const e of b.response)
        if (e.warnings.some((w) => codeOf(w) === 8890) && e.result)
          Object.assign(e.result, { issualId: '5', earnedId: '99999' });
    },
  },
  {
    name: 'entries-reversed',
    kind: 'regression',
    summary: 'entries not in request order',
    bulk: (b) => {
      b.response.reverse();
    },
  },
  {
    name: 'customer-dropped',
    kind: 'regression',
    summary: 'the last customer of a batch gets no entry',
    bulk: (b) => {
      if (b.response.length > 1) {
        b.response.pop();
        b.totalCount = b.response.length;
      }
    },
  },
  {
    name: 'failureCount-counts-warnings',
    kind: 'regression',
    summary: 'a warned entry counted in failureCount (the doc: 8890 is not a failure)',
    bulk: (b) => {
      b.failureCount = b.response.filter((e) => e.errors.length + e.warnings.length > 0).length;
    },
  },
  {
    name: 'totalCount-off-by-one',
    kind: 'regression',
    summary: 'totalCount one more than the entries',
    bulk: (b) => {
      b.totalCount = b.response.length + 1;
    },
  },
  {
    name: 'warning-dropped',
    kind: 'regression',
    summary: 'the 8890 warning left out',
    bulk: (b) => {
      for (const e of b.response) e.warnings = [];
    },
  },
  {
    name: 'warning-as-error',
    kind: 'regression',
    summary: '8890 answered as an error, counted as a failure',
    bulk: (b) => {
      for (const e of b.response) {
        e.errors.push(...e.warnings);
        e.warnings = [];
      }
      b.failureCount = b.response.filter((e) => e.errors.length > 0).length;
    },
  },
  {
    name: 'id-lookup-broken',
    kind: 'regression',
    summary: 'customers named by id are never found (8015)',
    bulk: lookupBroken('id'),
  },
  {
    name: 'mobile-lookup-broken',
    kind: 'regression',
    summary: 'customers named by mobile are never found (8015)',
    bulk: lookupBroken('mobile'),
  },
  {
    name: 'email-lookup-broken',
    kind: 'regression',
    summary: 'customers named by email are never found (8015)',
    bulk: lookupBroken('email'),
  },
  {
    name: 'error-poisons-batch',
    kind: 'regression',
    summary: 'one unknown customer fails the whole batch with 8015',
    bulk: (b) => {
      if (b.response.some((e) => e.errors.some((x) => codeOf(x) === 8015)))
        failAll(8015, messageFor(8015, 'error'))(b);
    },
  },
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

  {
    name: 'other-http-error-bodies',
    kind: 'benign',
    summary:
      'every non-200 answer with a body of its own shape and words (the doc gives no HTTP error body): judged by status, a note unless --strict',
    response: (res) =>
      res.status === 200
        ? res
        : {
            ...res,
            headers: { ...res.headers, 'content-type': 'application/json' },
            body: JSON.stringify({
              status: { success: false, code: res.status, message: `request refused (${res.status})` },
            }),
          },
  },
  {
    name: 'unknown-fields',
    kind: 'benign',
    summary: 'extra fields in the answer, each result and each error',
    bulk: (b) => {
      b.requestId = 'r-1';
      for (const e of b.response) {
        if (e.result) e.result.extra = true;
        for (const x of [...e.errors, ...e.warnings]) x.hint = 'see doc';
      }
    },
  },
  {
    name: 'key-order',
    kind: 'benign',
    summary: 'every object with its keys in reverse order',
    response: (res) =>
      res.status === 200 ? { ...res, body: JSON.stringify(reverseKeys(JSON.parse(res.body))) } : res,
  },
  {
    name: 'other-generated-ids',
    kind: 'benign',
    summary: 'other (still unique) earnedIds and issualIds',
    bulk: everyResult((r) => {
      if (r.earnedId !== undefined) r.earnedId = String(Number(r.earnedId) + 7_000_000);
      if (r.issualId !== undefined) r.issualId = `9${String(r.issualId)}`;
    }),
  },
  {
    name: 'extra-headers',
    kind: 'benign',
    summary: 'extra response headers',
    response: (res) => ({
      ...res,
      headers: { ...res.headers, 'x-request-id': 'abc-123', 'cache-control': 'no-store', server: 'crm' },
    }),
  },
  {
    name: 'integer-ids',
    kind: 'benign',
    summary: "earnedId and issualId as integers (the doc's table says Integer, its examples strings)",
    bulk: everyResult((r) => {
      for (const k of ['earnedId', 'issualId']) if (r[k] !== undefined) r[k] = Number(r[k]);
    }),
  },
  {
    name: 'pretty-json',
    kind: 'benign',
    summary: 'the answer pretty-printed',
    response: (res) =>
      res.status === 200 ? { ...res, body: JSON.stringify(JSON.parse(res.body), null, 2) } : res,
  },
  {
    name: 'content-type-no-charset',
    kind: 'benign',
    summary: 'Content-Type application/json without a charset',
    response: (res) => ({ ...res, headers: { ...res.headers, 'content-type': 'application/json' } }),
  },
];

/** The variant of this name, or undefined. */
export function variant(name: string): Variant | undefined {
  return VARIANTS.find((v) => v.name === name);
}
