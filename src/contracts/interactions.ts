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
import type { AuthKind, InteractionState, PinnedHeader, Row } from './interaction-row.js';
import { ANSWERED_ROWS } from './interactions-answered.js';
import { REFUSED_ROWS } from './interactions-refused.js';

export {
  type AuthKind,
  BODY_LIMIT_413,
  type InteractionState,
  type PinnedHeader,
  RATE_LIMIT_429,
} from './interaction-row.js';

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

/** The table, in the order the pacts list it: the 200 answers, then the HTTP errors. */
const ROWS: readonly Row[] = [...ANSWERED_ROWS, ...REFUSED_ROWS];

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
