// What the reference provider is to its callers (the listener, tests, the CLI, the mutation
// instrument): the Provider interface, its answers and its counts. reference-provider.ts implements
// it; createProvider (index.ts) builds one.
import type { StateParams } from '../states/index.js';
import type { ResolvedOptions } from './provider-options.js';
import type { ProviderRequest } from './request.js';
import type { LedgerEntry } from './store.js';

export interface ProviderResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface Provider {
  /** Answers one request in-process. */
  handle(req: ProviderRequest): Promise<ProviderResponse>;
  /**
   * `handle` without the promise when the answer is ready at once (no injected latency): what the
   * listener calls, so a request costs no microtask; a promise otherwise.
   */
  respond(req: ProviderRequest): ProviderResponse | Promise<ProviderResponse>;
  /** Applies a state of src/states; an unknown name throws an Error naming it. */
  setState(name: string, params?: StateParams, action?: 'setup' | 'teardown'): void;
  /**
   * The refusal of a request decided from its head alone (route, method, credentials, content type,
   * declared length), or undefined when its body is needed: a listener calls it before reading a
   * body, then passes the request (without body) to `handle` to answer and count it.
   */
  preflight(req: ProviderRequest): ProviderResponse | undefined;
  /** Back to the fixtures and the configured limits, empty ledger; earnedIds go on (unique for the provider's lifetime). */
  reset(): void;
  /** The bounded window of recent earns, oldest first. */
  ledger(): LedgerEntry[];
  /** Up to `limit` entries with an earnedId above `after`, oldest first, and whether more follow. */
  ledgerPage(after: bigint | undefined, limit: number): { entries: LedgerEntry[]; more: boolean };
  /** Exact counts since start or the last reset (directEarn traffic only: /_admin and /_health are not counted). */
  stats(): { earned: number; requests: number };
  /** Counts of the real-CRM knobs: tokens generated, requests shed (503) and refused by the per-minute quota (429). */
  knobStats(): KnobStats;
  /**
   * The options in effect (defaults filled in). Live: the 413/429 provider states change
   * `bodyLimit` and `rateLimit` until teardown or reset, and the listener reads them per request.
   */
  readonly options: Readonly<ResolvedOptions>;
}

/** Exact counts of the real-CRM knobs. */
export interface KnobStats {
  /** Tokens POST /v3/oauth/token/generate gave out (since start: tokens outlive a reset). */
  tokensGenerated: number;
  /** Requests shed with 503 by the capacity queue. */
  shed: number;
  /** Requests refused with 429 by the per-minute quota. */
  quotaLimited: number;
}
