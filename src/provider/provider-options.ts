// The reference provider's options: what createProvider accepts (ProviderOptions), what they settle
// into once checked with defaults filled (ResolvedOptions, live for the limits the 413/429 states
// change), and the checks of the real-CRM knobs; a bad value is a RangeError naming the option.
import {
  DEFAULT_BODY_LIMIT_BYTES,
  DEFAULT_LEDGER_WINDOW,
  DEFAULT_REDIRECTION_BATCH_SIZE,
} from '../config/defaults.js';
import type { CapacityOptions } from './capacity.js';
import { DEFAULT_FIXTURES, type Fixtures } from './fixtures.js';
import { checkFixtures, loadFixturesFile } from './fixtures-check.js';
import { MAX_STATE_BODY_LIMIT } from './state-specs.js';

export interface ProviderOptions {
  /** Fixtures object, or path to a JSON/YAML file; default = the built-in DEFAULT_FIXTURES. */
  fixtures?: Fixtures | string;
  /** Accepted "user:pass" with write access; default [DEFAULT_BASIC_USER:DEFAULT_BASIC_PASSWORD]. */
  basic?: string[];
  /** Accepted tokens (Bearer or X-CAP-API-OAUTH-TOKEN) with write access; default [DEFAULT_TOKEN]. */
  tokens?: string[];
  /** "user:pass" that authenticate without write access (answered 403); default readonly:readonly. */
  readOnlyBasic?: string[];
  /** Tokens that authenticate without write access (answered 403); default [DEFAULT_READONLY_TOKEN]. */
  readOnlyTokens?: string[];
  /** BULK_API_REDIRECTION_ENABLED / BULK_API_BATCH_SIZE_FOR_REDIRECTION. */
  redirection?: { enabled: boolean; batchSize?: number };
  /** Requests per second (token bucket, burst = one second); 0/undefined = off. */
  rateLimit?: number;
  /** Injected latency per response, plus up to jitterMs more at random. */
  latencyMs?: number;
  jitterMs?: number;
  /** 0..1 probability of an injected 500 (before any processing, so nothing is earned). */
  faultRate?: number;
  /** Largest body in bytes (default DEFAULT_BODY_LIMIT_BYTES). */
  bodyLimit?: number;
  /** Recent ledger entries kept (default DEFAULT_LEDGER_WINDOW). */
  ledgerWindow?: number;
  /** Serve the /_admin routes (to loopback callers only). */
  admin?: boolean;
  /** When set, the /_admin routes also need this value in header X-Directearn-Admin-Token. */
  adminToken?: string;
  /** Random source for faults and jitter (tests pass a seeded one). */
  random?: () => number;
  /** Clock in ms for the rate limiter (tests pass a fake one). */
  now?: () => number;
  /** A capacity to find (capacity.ts): FIFO service at this many customers/s, 503 past the queue bound; off when absent. */
  capacity?: CapacityOptions;
  /** Requests per clock minute per credential (quota.ts), 429 beyond; 0/undefined = off. */
  rateLimitPerMinute?: number;
  /** "key:secret" pairs POST /v3/oauth/token/generate accepts (default [DEFAULT_OAUTH_KEY:DEFAULT_OAUTH_SECRET]). */
  oauthClients?: string[];
  /** Lifetime of a generated token in seconds (default DEFAULT_TOKEN_TTL_SECONDS). */
  tokenTtlSeconds?: number;
}

export interface ResolvedOptions {
  redirection: { enabled: boolean; batchSize: number };
  rateLimit: number;
  latencyMs: number;
  jitterMs: number;
  faultRate: number;
  bodyLimit: number;
  ledgerWindow: number;
  admin: boolean;
  adminToken: string | undefined;
}

/** The options with defaults filled; a value out of its bounds throws a RangeError naming it. */
export function resolveOptions(o: ProviderOptions): ResolvedOptions {
  const num = (v: number | undefined, name: string, fallback: number, max = Number.MAX_SAFE_INTEGER) => {
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > max) {
      throw new RangeError(`provider option ${name} must be a number between 0 and ${max}, got ${String(v)}`);
    }
    return v;
  };
  if (o.adminToken !== undefined && o.adminToken.trim() === '')
    throw new RangeError('provider option adminToken must not be empty');
  const batchSize = num(o.redirection?.batchSize, 'redirection.batchSize', DEFAULT_REDIRECTION_BATCH_SIZE);
  if (o.redirection?.enabled && batchSize < 1)
    throw new RangeError('provider option redirection.batchSize must be at least 1');
  return {
    redirection: { enabled: o.redirection?.enabled === true, batchSize },
    rateLimit: num(o.rateLimit, 'rateLimit', 0),
    latencyMs: num(o.latencyMs, 'latencyMs', 0),
    jitterMs: num(o.jitterMs, 'jitterMs', 0),
    faultRate: num(o.faultRate, 'faultRate', 0, 1),
    bodyLimit: num(o.bodyLimit, 'bodyLimit', DEFAULT_BODY_LIMIT_BYTES, MAX_STATE_BODY_LIMIT),
    ledgerWindow: Math.floor(num(o.ledgerWindow, 'ledgerWindow', DEFAULT_LEDGER_WINDOW, 100_000_000)),
    admin: o.admin === true,
    adminToken: o.adminToken,
  };
}

/** The capacity to find, checked: customersPerSecond required and positive, the rest >= 0. */
export function checkCapacity(c: CapacityOptions): CapacityOptions {
  const positive = (v: number | undefined, name: string, min: number) => {
    if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v >= min))
      throw new RangeError(`provider option ${name} must be a number >= ${min}, got ${String(v)}`);
  };
  positive(c.customersPerSecond, 'capacity.customersPerSecond', Number.MIN_VALUE);
  if (c.customersPerSecond === undefined)
    throw new RangeError('provider option capacity.customersPerSecond is required');
  positive(c.overheadMs, 'capacity.overheadMs', 0);
  positive(c.queueMs, 'capacity.queueMs', 0);
  return c;
}

/** Requests per clock minute per credential (0: off), checked. */
export function perMinuteOf(o: ProviderOptions): number {
  const perMinute = o.rateLimitPerMinute ?? 0;
  if (!Number.isInteger(perMinute) || perMinute < 0)
    throw new RangeError(`provider option rateLimitPerMinute must be a whole number >= 0, got ${perMinute}`);
  return perMinute;
}

/** The fixtures to start from: the built-in ones, a file (read and checked) or an object (checked). */
export function fixturesOf(o: ProviderOptions): Fixtures {
  return o.fixtures === undefined
    ? DEFAULT_FIXTURES
    : typeof o.fixtures === 'string'
      ? loadFixturesFile(o.fixtures)
      : checkFixtures(o.fixtures);
}
