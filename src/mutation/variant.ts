// What a variant of the reference provider is (the mutation instrument, regressions.ts): the hooks
// through which it changes a request, a 200 bulk answer, any answer or a provider state, and the
// shapes those hooks see.
import type { ProviderRequest, ProviderResponse } from '../provider/index.js';

export type Obj = Record<string, unknown>;
export interface Entry {
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
