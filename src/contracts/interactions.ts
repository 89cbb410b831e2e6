// The one table of Pact interactions: which documented case each pins, under which provider
// states, with which request and response examples of the spec. The consumer tests iterate it (one
// `it` per row) and `directearn check` reads it to say which cases a pact covers.
import {
  catalogue,
  type DirectEarnRequest,
  type DirectEarnResponse,
  example,
  type HttpErrorBody,
} from '../openapi/index.js';
import { STATES, type StateName, type StateParams } from '../states/index.js';

/** The credential an interaction sends; basic-readonly authenticates without write access (403). */
export type AuthKind = 'basic' | 'basic-readonly' | 'bearer' | 'cap-oauth' | 'none';

export interface InteractionState {
  name: StateName;
  params: StateParams;
}

/** A response header an interaction pins by pattern (its value is the provider's to choose). */
export interface PinnedHeader {
  /** Regex the value must match. */
  pattern: string;
  /** The value the Pact mock server answers with (matches the pattern). */
  example: string;
}

/** One row as written: example names and how states derive from the request. */
interface Row {
  /** The catalogue's `case` id: earned, 8892, ..., http-400. */
  case: string;
  /** The Pact description: "answers <case> when <condition>". */
  description: string;
  /** Name of the request example in components.examples. */
  request: string;
  /** Name of the response example in components.examples. */
  response: string;
  status: number;
  auth: AuthKind;
  /** The states, from the request and the expected response (entityIds name the customers found). */
  states: (req: DirectEarnRequest, res: DirectEarnResponse) => InteractionState[];
  /** Response headers pinned by pattern, besides Content-Type. */
  responseHeaders?: Record<string, PinnedHeader>;
  /** Changes a copy of the request example (the 400 needs a body that breaks the schema). */
  patchRequest?: (req: Record<string, unknown>) => void;
  /** Changes a copy of the expected response (see the mixed example). */
  adaptResponse?: (res: DirectEarnResponse, req: DirectEarnRequest) => void;
}

/** One interaction, resolved: the bodies are the spec's examples (adapted where a row says why). */
export interface Interaction {
  case: string;
  description: string;
  states: InteractionState[];
  request: string;
  response: string;
  status: number;
  auth: AuthKind;
  requestBody: unknown;
  responseBody: DirectEarnResponse | HttpErrorBody;
  /** Response headers pinned by pattern, besides Content-Type (empty for most). */
  responseHeaders: Record<string, PinnedHeader>;
}

/** The 429 interaction's rate limit, in requests per second: low, so the bucket stays empty for a second after the state is set however slowly the verifier sends the request. */
export const RATE_LIMIT_429 = 1;
/** The 413 interaction's body limit: small, so the doc's request is over it with its customers repeated. */
export const BODY_LIMIT_413 = 512;

const program = (r: DirectEarnRequest) => r.promotionDetails?.programId as number;
const promotion = (r: DirectEarnRequest) => r.promotionDetails?.promotionId as number;
const customer = (r: DirectEarnRequest, i = 0) => Number(r.customers[i]?.identifierValue);

const active = (r: DirectEarnRequest): InteractionState => ({
  name: STATES.promotionActive,
  params: { programId: program(r), promotionId: promotion(r) },
});
const exists = (r: DirectEarnRequest, i = 0): InteractionState => ({
  name: STATES.customerExists,
  params: { customerId: customer(r, i) },
});
/**
 * "customer N exists" for the customer a response entry answers, with the identifier the request
 * names it by (mobile, email), so a states file or pool maps both and the entityId is pinned.
 */
const existsAs = (r: DirectEarnRequest, res: DirectEarnResponse, i = 0): InteractionState => {
  const entityId = res.response[i]?.result?.entityId;
  if (typeof entityId !== 'number') throw new Error(`response entry ${i} names no entityId`);
  const params: StateParams = { customerId: entityId };
  if (r.identifierName !== 'id') params[r.identifierName] = r.customers[i]?.identifierValue ?? '';
  return { name: STATES.customerExists, params };
};
/** States that make a request valid and processable: a refusal then comes from the condition under test. */
const docRequestIssuable = (r: DirectEarnRequest): InteractionState[] => [
  active(r),
  ...r.customers.map((_, i) => exists(r, i)),
];

const ROWS: readonly Row[] = [
  {
    case: 'earned',
    description: 'answers earned with new ids when one customer earns an active promotion',
    request: 'request-earned-one-customer',
    response: 'earned-one-customer',
    status: 200,
    auth: 'basic',
    states: (r) => [active(r), exists(r)],
  },
  {
    case: 'earned',
    description: "answers earned for both customers of the doc's request",
    request: 'doc-request',
    response: 'doc-request-earned',
    status: 200,
    auth: 'basic',
    states: (r) => [active(r), exists(r, 0), exists(r, 1)],
  },
  {
    case: 'earned',
    description: 'answers earned when authenticated with the X-CAP-API-OAUTH-TOKEN header',
    request: 'request-earned-one-customer',
    response: 'earned-one-customer',
    status: 200,
    auth: 'cap-oauth',
    states: (r) => [active(r), exists(r)],
  },
  {
    case: 'earned',
    description: 'answers earned when authenticated with an OAuth Bearer token',
    request: 'request-earned-one-customer',
    response: 'earned-one-customer',
    status: 200,
    auth: 'bearer',
    states: (r) => [active(r), exists(r)],
  },
  {
    case: 'earned',
    description: 'answers earned when the customer is named by mobile',
    request: 'request-earned-by-mobile',
    response: 'earned-one-customer',
    status: 200,
    auth: 'basic',
    states: (r, res) => [active(r), existsAs(r, res)],
  },
  {
    case: 'earned',
    description: 'answers earned when the customer is named by email',
    request: 'request-earned-by-email',
    response: 'earned-one-customer',
    status: 200,
    auth: 'basic',
    states: (r, res) => [active(r), existsAs(r, res)],
  },
  {
    case: '8015',
    description: 'answers 8015 for the unknown customer only, the known one of the batch earns',
    request: 'request-known-and-unknown-customer',
    response: 'known-and-unknown-customer',
    status: 200,
    auth: 'basic',
    states: (r, res) => [
      active(r),
      existsAs(r, res, 0),
      {
        name: STATES.customerMissing,
        params: { identifierName: r.identifierName, identifierValue: r.customers[1]?.identifierValue ?? '' },
      },
    ],
  },
  {
    case: '8890',
    description: 'answers warning 8890 without ids when the promotion can never be issued',
    request: 'request-earned-one-customer',
    response: 'warning-8890-never-issued',
    status: 200,
    auth: 'basic',
    states: (r) => [
      { name: STATES.promotionNeverIssued, params: { programId: program(r), promotionId: promotion(r) } },
      exists(r),
    ],
  },
  {
    case: '8892',
    description: 'answers 8892 when the promotion is inactive',
    request: 'request-8892',
    response: 'error-8892',
    status: 200,
    auth: 'basic',
    states: (r) => [
      { name: STATES.promotionInactive, params: { promotionId: promotion(r), programId: program(r) } },
      exists(r),
    ],
  },
  {
    case: '8015',
    description: 'answers 8015 when no customer has the identifier',
    request: 'request-8015',
    response: 'error-8015',
    status: 200,
    auth: 'basic',
    states: (r) => [
      active(r),
      {
        name: STATES.customerMissing,
        params: { identifierName: r.identifierName, identifierValue: r.customers[0]?.identifierValue ?? '' },
      },
    ],
  },
  {
    case: '1101',
    description: 'answers 1101 when the program does not exist',
    request: 'request-1101',
    response: 'error-1101',
    status: 200,
    auth: 'basic',
    states: (r) => [{ name: STATES.programMissing, params: { programId: program(r) } }, exists(r)],
  },
  {
    case: '8874',
    description: 'answers 8874 when the promotion id is unknown in the program',
    request: 'request-8874',
    response: 'error-8874',
    status: 200,
    auth: 'basic',
    states: (r) => [
      { name: STATES.promotionMissing, params: { programId: program(r), promotion: promotion(r) } },
      exists(r),
    ],
  },
  {
    case: '8874',
    description: 'answers 8874 when the promoIdentifier is unknown in the program',
    request: 'request-8874-promo-identifier',
    response: 'error-8874',
    status: 200,
    auth: 'basic',
    states: (r) => [
      {
        name: STATES.promotionMissing,
        params: { programId: program(r), promotion: r.promotionDetails?.promoIdentifier ?? '' },
      },
      exists(r),
    ],
  },
  {
    case: '8899',
    description: 'answers 8899 when the entity type is USERGROUP2',
    request: 'request-8899',
    response: 'error-8899',
    status: 200,
    auth: 'basic',
    states: (r) => [active(r), exists(r)],
  },
  {
    case: '8881',
    description: 'answers 8881 when programId is missing',
    request: 'request-8881-program-missing',
    response: 'error-8881-program-missing',
    status: 200,
    auth: 'basic',
    states: (r) => [exists(r)],
  },
  {
    case: '8881',
    description: 'answers 8881 when neither promotionId nor promoIdentifier is given',
    request: 'request-8881-promotion-missing',
    response: 'error-8881-promotion-missing',
    status: 200,
    auth: 'basic',
    // The program exists (with some promotion): a host that looks the program up first must not
    // answer 1101, so the states file maps the program to a real one.
    states: (r) => [
      {
        name: STATES.promotionActive,
        params: { programId: program(r), promotionId: promotion(example<DirectEarnRequest>('doc-request')) },
      },
      exists(r),
    ],
  },
  {
    case: '8890',
    description: "answers the doc's mixed body (earned twice by promoIdentifier, then warning 8890)",
    request: 'request-mixed-earned-8890-promo-identifier',
    response: 'mixed-earned-8890-promo-identifier',
    status: 200,
    auth: 'basic',
    states: (r) => [
      exists(r, 0),
      {
        name: STATES.customerExhausted,
        params: {
          customerId: customer(r, 2),
          promotion: r.promotionDetails?.promoIdentifier ?? '',
          programId: program(r),
          // The limit customer 2 reached; customer 0, not exhausted, earns twice in this request.
          earnLimitPerCustomer: 2,
        },
      },
    ],
    // The doc's third entry names another program and promotion (2844 / 200206) than the first two
    // (2607 / Promo_testMay13): no single request produces that, since one request names one
    // promotion. The expectation keeps the example and gives the third result the promotion
    // fields of the request (promoIdentifier and programId), as the first two entries have.
    adaptResponse: (res, req) => {
      const third = res.response[2]?.result as Record<string, unknown> | undefined;
      if (third === undefined) throw new Error('the mixed example lost its third result');
      delete third.promotionId;
      third.promoIdentifier = req.promotionDetails?.promoIdentifier;
      third.programId = req.promotionDetails?.programId;
    },
  },
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

let resolved: Interaction[] | undefined;

/** Every interaction, resolved from the spec (cached). Throws naming the row when a case or example is unknown. */
export function interactions(): readonly Interaction[] {
  if (resolved !== undefined) return resolved;
  const cases = new Set(catalogue().map((c) => c.case));
  resolved = ROWS.map((row) => {
    if (!cases.has(row.case))
      throw new Error(`interaction "${row.description}": case ${row.case} is not in the catalogue`);
    const request = example<DirectEarnRequest>(row.request);
    const requestBody = structuredClone(request) as unknown as Record<string, unknown>;
    row.patchRequest?.(requestBody);
    const responseBody = example<DirectEarnResponse | HttpErrorBody>(row.response);
    row.adaptResponse?.(responseBody as DirectEarnResponse, request);
    return {
      case: row.case,
      description: row.description,
      states: row.states(request, responseBody as DirectEarnResponse),
      request: row.request,
      response: row.response,
      status: row.status,
      auth: row.auth,
      requestBody,
      responseBody,
      responseHeaders: row.responseHeaders ?? {},
    };
  });
  return resolved;
}

/** The catalogue cases the table pins, in catalogue order. */
export function coveredCases(): string[] {
  const pinned = new Set(interactions().map((i) => i.case));
  return catalogue()
    .map((c) => c.case)
    .filter((c) => pinned.has(c));
}

/**
 * Why a catalogue case has no pact interaction: a pact pins what the consumer sends, so a case the
 * client never provokes, or that no provider state can make a host answer, is tested elsewhere.
 * Every case is either pinned above or named here (test/contracts/contracts.test.ts checks it), and the
 * check table and coverage page print the reason.
 */
export const NOT_PINNED: Readonly<Record<string, string>> = {
  'http-404':
    'no pact: the client only calls POST /v2/promotion/bulk/directEarn, never another path (the reference provider tests pin the 404)',
  'http-405':
    'no pact: the client only sends POST, never another method (the reference provider tests pin the 405 and its Allow header)',
  'http-415':
    'no pact: the client always sends Content-Type application/json, so no request of it can get a 415 (the reference provider tests pin the 415)',
  'http-503':
    "no pact: load shedding happens only past the host's capacity, which no provider state asks for (directearn capacity finds it; the reference provider tests pin the 503 and its Retry-After)",
  'http-500':
    'no pact: a server failure is not a contract, and no provider state can make a real host fail on demand (test/client/faults.test.ts covers retries after 5xx)',
};
