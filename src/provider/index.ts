// The reference provider of POST /v2/promotion/bulk/directEarn as a value: `createProvider()` answers
// requests in-process (no socket), per the spec's cases and catalogue; src/provider/server.ts listens.
// This is its public face: what a provider is (provider.ts), its options (provider-options.ts), and
// the names callers use; routing lives in reference-provider.ts, who may call in auth.ts, the answers
// in answer.ts, /_admin in admin.ts, the provider states in states.ts.
import type { Provider } from './provider.js';
import type { ProviderOptions } from './provider-options.js';
import { ReferenceProvider } from './reference-provider.js';

export type { StateParams } from '../states/index.js';
export { ADMIN_TOKEN_HEADER, LEDGER_DEFAULT_LIMIT, LEDGER_MAX_LIMIT } from './admin.js';
export { CUSTOMER_CHECK_ORDER, REQUEST_CHECK_ORDER } from './answer.js';
export { WWW_AUTHENTICATE } from './auth.js';
export { type CapacityOptions, DEFAULT_CAPACITY_QUEUE_MS } from './capacity.js';
export type {
  FixtureCustomer,
  FixtureCustomerRange,
  FixtureEarnCount,
  FixtureProgram,
  FixturePromotion,
  Fixtures,
} from './fixtures.js';
export { DEFAULT_FIXTURES, FixturesError } from './fixtures.js';
export { checkFixtures, loadFixturesFile } from './fixtures-check.js';
export type { KnobStats, Provider, ProviderResponse } from './provider.js';
export type { ProviderOptions, ResolvedOptions } from './provider-options.js';
export { HEALTH_PATH } from './reference-provider.js';
export { isLoopback, type ProviderRequest } from './request.js';
export {
  describeStates,
  handledStates,
  MAX_STATE_BODY_LIMIT,
  MAX_STATE_RATE_LIMIT,
  ProviderStateError,
  type StateDescription,
  type StateParamSpec,
} from './states.js';
export type { LedgerEntry } from './store.js';

/** Builds a provider. Throws FixturesError for bad fixtures (naming the file and field). */
export function createProvider(options: ProviderOptions = {}): Provider {
  return new ReferenceProvider(options);
}
