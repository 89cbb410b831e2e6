// The reference provider of POST /v2/promotion/bulk/directEarn as a value: `createProvider()` answers
// requests in-process (no socket), per the spec's cases and catalogue; src/provider/server.ts listens.
// Routing lives here; who may call is in auth.ts, the answers in answer.ts, /_admin in admin.ts.
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DEFAULT_BODY_LIMIT_BYTES,
  DEFAULT_LEDGER_WINDOW,
  DEFAULT_OAUTH_KEY,
  DEFAULT_OAUTH_SECRET,
  DEFAULT_REDIRECTION_BATCH_SIZE,
  DEFAULT_TOKEN_TTL_SECONDS,
  OAUTH_TOKEN_PATH,
} from '../config/defaults.js';
import { ENDPOINT_PATH } from '../openapi/index.js';
import type { StateParams } from '../states/index.js';
import { ADMIN_PREFIX, adminGate, adminRoute } from './admin.js';
import { type Answer, EarnDesk, httpError, isJson, JSON_HEADERS } from './answer.js';
import { Credentials, WWW_AUTHENTICATE } from './auth.js';
import { type CapacityOptions, CapacityQueue, customersAnswered } from './capacity.js';
import { checkFixtures, DEFAULT_FIXTURES, type Fixtures, loadFixturesFile } from './fixtures.js';
import { type LedgerEntry, LedgerRing, Model } from './model.js';
import { TokenDesk } from './oauth.js';
import { MinuteQuota } from './quota.js';
import { TokenBucket } from './rate-limit.js';
import { header, type ProviderRequest } from './request.js';
import { applyState, type LiveLimits, MAX_STATE_BODY_LIMIT } from './states.js';

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
export { checkFixtures, DEFAULT_FIXTURES, FixturesError, loadFixturesFile } from './fixtures.js';
export type { LedgerEntry } from './model.js';
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

/** The health route: 200 {"status":"ok"} with no credentials, not counted in stats. */
export const HEALTH_PATH = '/_health';

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

/** Builds a provider. Throws FixturesError for bad fixtures (naming the file and field). */
export function createProvider(options: ProviderOptions = {}): Provider {
  return new ReferenceProvider(options);
}

function resolveOptions(o: ProviderOptions): ResolvedOptions {
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

class ReferenceProvider implements Provider {
  readonly options: ResolvedOptions;
  private readonly model: Model;
  private readonly ring: LedgerRing;
  private readonly desk: EarnDesk;
  private readonly credentials: Credentials;
  private readonly bucket: TokenBucket;
  private requests = 0;
  private readonly random: () => number;
  /** The limits given at creation, which teardown and reset restore after a state changed them. */
  private readonly configured: { rateLimit: number; bodyLimit: number };
  private readonly limits: LiveLimits;
  private readonly oauth: TokenDesk;
  /** Off (undefined) unless configured: the hot path then pays one check for each. */
  private readonly capacity: CapacityQueue | undefined;
  private readonly quota: MinuteQuota | undefined;

  constructor(o: ProviderOptions) {
    this.options = resolveOptions(o);
    const clock = o.now ?? Date.now;
    this.oauth = new TokenDesk(
      {
        clients: o.oauthClients ?? [`${DEFAULT_OAUTH_KEY}:${DEFAULT_OAUTH_SECRET}`],
        ttlSeconds: o.tokenTtlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS,
      },
      clock,
    );
    this.capacity =
      o.capacity === undefined ? undefined : new CapacityQueue(checkCapacity(o.capacity), clock);
    const perMinute = o.rateLimitPerMinute ?? 0;
    if (!Number.isInteger(perMinute) || perMinute < 0)
      throw new RangeError(
        `provider option rateLimitPerMinute must be a whole number >= 0, got ${perMinute}`,
      );
    this.quota = perMinute > 0 ? new MinuteQuota(perMinute, clock) : undefined;
    const fixtures =
      o.fixtures === undefined
        ? DEFAULT_FIXTURES
        : typeof o.fixtures === 'string'
          ? loadFixturesFile(o.fixtures)
          : checkFixtures(o.fixtures);
    this.model = new Model(fixtures);
    this.ring = new LedgerRing(this.options.ledgerWindow);
    this.desk = new EarnDesk(this.model, this.ring, () => this.options.redirection);
    const oauth = this.oauth;
    this.credentials = new Credentials(o, (token) => oauth.keyOf(token) !== undefined);
    this.random = o.random ?? Math.random;
    const options = this.options;
    this.bucket = new TokenBucket(() => options.rateLimit, o.now ?? Date.now);
    this.configured = { rateLimit: options.rateLimit, bodyLimit: options.bodyLimit };
    // Whether a state emptied the bucket: only then does restoring refill it (a configured limit's
    // bucket is left as traffic left it).
    let usedUpByState = false;
    this.limits = {
      useUpRateLimit: (requestsPerSecond) => {
        options.rateLimit = requestsPerSecond;
        this.bucket.empty();
        usedUpByState = true;
      },
      setBodyLimit: (bytes) => {
        options.bodyLimit = bytes;
      },
      restore: () => {
        options.bodyLimit = this.configured.bodyLimit;
        if (usedUpByState) {
          usedUpByState = false;
          options.rateLimit = this.configured.rateLimit;
          this.bucket.fill();
        }
      },
    };
  }

  async handle(req: ProviderRequest): Promise<ProviderResponse> {
    return this.respond(req);
  }

  respond(req: ProviderRequest): ProviderResponse | Promise<ProviderResponse> {
    const path = pathOf(req.url);
    if (path === HEALTH_PATH) return health(req.method);
    const admin = this.options.admin && path.startsWith(ADMIN_PREFIX);
    if (!admin) this.requests++;
    let res: ProviderResponse;
    try {
      res = admin
        ? (adminGate(req, this.options.adminToken) ?? adminRoute(req, this))
        : this.route(path, req);
    } catch {
      // A bug, not the caller's fault: answer the catalogue's 500 rather than crash or hang.
      res = httpError(500);
    }
    const { latencyMs, jitterMs } = this.options;
    const delayMs = !admin && (latencyMs > 0 || jitterMs > 0) ? latencyMs + this.random() * jitterMs : 0;
    // A processed request (200, or 400 for its body) holds the capacity queue; its answer waits its turn.
    const queued = this.capacity !== undefined && !admin && (res.status === 200 || res.status === 400);
    if (delayMs === 0 && !queued) return res;
    return this.later(res, delayMs, queued);
  }

  /** The answer after the injected latency, then its turn in the capacity queue (virtual time then). */
  private async later(res: ProviderResponse, delayMs: number, queued: boolean): Promise<ProviderResponse> {
    if (delayMs > 0) await sleep(delayMs);
    if (queued) await sleep((this.capacity as CapacityQueue).serve(customersAnswered(res.body)));
    return res;
  }

  preflight(req: ProviderRequest): ProviderResponse | undefined {
    const path = pathOf(req.url);
    if (path === HEALTH_PATH) return health(req.method);
    if (this.options.admin && path.startsWith(ADMIN_PREFIX)) return adminGate(req, this.options.adminToken);
    return this.gate(path, req);
  }

  setState(name: string, params?: StateParams, action?: 'setup' | 'teardown'): void {
    applyState(this.model, this.limits, name, params, action);
  }

  reset(): void {
    this.limits.restore();
    this.model.reset();
    this.ring.clear();
    this.desk.earned = 0;
    this.requests = 0;
    this.capacity?.reset();
    this.quota?.reset();
  }

  ledger(): LedgerEntry[] {
    return this.ring.entries();
  }

  ledgerPage(after: bigint | undefined, limit: number): { entries: LedgerEntry[]; more: boolean } {
    return this.ring.page(after, limit);
  }

  stats(): { earned: number; requests: number } {
    return { earned: this.desk.earned, requests: this.requests };
  }

  knobStats(): KnobStats {
    return {
      tokensGenerated: this.oauth.generated,
      shed: this.capacity?.shed ?? 0,
      quotaLimited: this.quota?.limited ?? 0,
    };
  }

  /** The checks that need no body, in the order a listener can apply them before reading one. */
  private gate(path: string, req: ProviderRequest): ProviderResponse | undefined {
    // The token endpoint needs its body: nothing to refuse from the head (route answers it).
    if (path !== ENDPOINT_PATH) return path === OAUTH_TOKEN_PATH ? undefined : httpError(404);
    if (req.method !== 'POST') {
      const res = httpError(405);
      res.headers.allow = 'POST';
      return res;
    }
    const access = this.credentials.access(
      header(req.headers, 'authorization'),
      header(req.headers, 'x-cap-api-oauth-token'),
    );
    if (access === 'none') {
      const res = httpError(401);
      res.headers['www-authenticate'] = WWW_AUTHENTICATE;
      return res;
    }
    if (access === 'read') return httpError(403);
    if (!isJson(header(req.headers, 'content-type'))) return httpError(415);
    const declared = Number(header(req.headers, 'content-length'));
    if (declared > this.options.bodyLimit) return httpError(413);
    return undefined;
  }

  private route(path: string, req: ProviderRequest): ProviderResponse {
    const refused = this.gate(path, req);
    if (refused !== undefined) return refused;
    // gate let through the endpoint and the token endpoint only.
    if (path !== ENDPOINT_PATH) return this.oauth.generate(req);
    let rateHeaders: Record<string, string> | undefined;
    if (this.options.rateLimit > 0) {
      const taken = this.bucket.take();
      if ('limited' in taken) return taken.limited;
      rateHeaders = taken.headers;
    }
    if (this.quota !== undefined) {
      const taken = this.quota.take(this.credentialOf(req));
      if ('limited' in taken) return taken.limited;
      rateHeaders = rateHeaders === undefined ? taken.headers : Object.assign(rateHeaders, taken.headers);
    }
    if (this.capacity !== undefined) {
      const shed = this.capacity.admit();
      if (shed !== undefined) return shed;
    }
    const res =
      this.options.faultRate > 0 && this.random() < this.options.faultRate ? httpError(500) : this.body(req);
    // A copy: the 200's headers object is shared.
    if (rateHeaders !== undefined) res.headers = { ...res.headers, ...rateHeaders };
    return res;
  }

  /** Whose quota a request uses: the API key behind a generated token, else the credential as sent. */
  private credentialOf(req: ProviderRequest): string {
    const auth = header(req.headers, 'authorization');
    const token =
      header(req.headers, 'x-cap-api-oauth-token')?.trim() ??
      (auth !== undefined && /^\s*bearer /i.test(auth) ? auth.trim().slice(7).trim() : undefined);
    return (token === undefined ? undefined : (this.oauth.keyOf(token) ?? token)) ?? auth ?? '';
  }

  private body(req: ProviderRequest): Answer {
    const raw = req.body ?? '';
    const size = typeof raw === 'string' ? Buffer.byteLength(raw) : raw.byteLength;
    if (req.bodyOverLimit === true || size > this.options.bodyLimit) return httpError(413);
    return this.desk.respond(raw);
  }
}

function checkCapacity(c: CapacityOptions): CapacityOptions {
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

/** The path of a request URL, without allocating when there is no query (the common case). */
function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

function health(method: string): ProviderResponse {
  if (method !== 'GET' && method !== 'HEAD') {
    const res = httpError(405, `use GET on ${HEALTH_PATH}`);
    res.headers.allow = 'GET, HEAD';
    return res;
  }
  return { status: 200, headers: { ...JSON_HEADERS }, body: '{"status":"ok"}' };
}
