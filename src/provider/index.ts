// The reference provider of POST /v2/promotion/bulk/directEarn as a value: `createProvider()` answers
// requests in-process (no socket), per the spec's cases and catalogue; src/provider/server.ts listens.
import { isUtf8 } from 'node:buffer';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DEFAULT_BASIC_PASSWORD,
  DEFAULT_BASIC_USER,
  DEFAULT_BODY_LIMIT_BYTES,
  DEFAULT_LEDGER_WINDOW,
  DEFAULT_READONLY_BASIC_PASSWORD,
  DEFAULT_READONLY_BASIC_USER,
  DEFAULT_READONLY_TOKEN,
  DEFAULT_REDIRECTION_BATCH_SIZE,
  DEFAULT_TOKEN,
} from '../config/defaults.js';
import { parseUserPass } from '../input/credentials.js';
import { isLoopbackPeer } from '../input/loopback.js';
import { type DirectEarnRequest, ENDPOINT_PATH, messageFor, type ValidationIssue } from '../spec/index.js';
import type { StateParams } from '../states/index.js';
import { checkFixtures, DEFAULT_FIXTURES, type Fixtures, loadFixturesFile } from './fixtures.js';
import { type LedgerEntry, LedgerRing, Model, type Promotion } from './model.js';
import { applyState, type LiveLimits, ProviderStateError } from './states.js';
import { checkRequest } from './validate.js';

export type { StateParams } from '../states/index.js';
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
export { handledStates, ProviderStateError } from './states.js';

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
  /** Random source for faults and jitter (tests pass a seeded one). */
  random?: () => number;
  /** Clock in ms for the rate limiter (tests pass a fake one). */
  now?: () => number;
}

export interface ProviderRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body?: Uint8Array | string;
  remoteAddress?: string;
  /** Set by a listener that stopped reading a body over the limit (the body is then incomplete). */
  bodyOverLimit?: boolean;
}

export interface ProviderResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface Provider {
  /** Answers one request in-process. */
  handle(req: ProviderRequest): Promise<ProviderResponse>;
  /** Applies a state of src/states; an unknown name throws an Error naming it. */
  setState(name: string, params?: StateParams, action?: 'setup' | 'teardown'): void;
  /** Back to the fixtures and the configured limits, empty ledger, earnedIds from the start. */
  reset(): void;
  /** The bounded window of recent earns, oldest first. */
  ledger(): LedgerEntry[];
  /** Exact counts since start or the last reset. */
  stats(): { earned: number; requests: number };
  /**
   * The options in effect (defaults filled in). Live: the 413/429 provider states change
   * `bodyLimit` and `rateLimit` until teardown or reset, and the listener reads them per request.
   */
  readonly options: Readonly<ResolvedOptions>;
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
}

const JSON_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-type': 'application/json; charset=utf-8',
});

const ADMIN_PREFIX = '/_admin/';

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
  const batchSize = num(o.redirection?.batchSize, 'redirection.batchSize', DEFAULT_REDIRECTION_BATCH_SIZE);
  if (o.redirection?.enabled && batchSize < 1)
    throw new RangeError('provider option redirection.batchSize must be at least 1');
  return {
    redirection: { enabled: o.redirection?.enabled === true, batchSize },
    rateLimit: num(o.rateLimit, 'rateLimit', 0),
    latencyMs: num(o.latencyMs, 'latencyMs', 0),
    jitterMs: num(o.jitterMs, 'jitterMs', 0),
    faultRate: num(o.faultRate, 'faultRate', 0, 1),
    bodyLimit: num(o.bodyLimit, 'bodyLimit', DEFAULT_BODY_LIMIT_BYTES),
    ledgerWindow: Math.floor(num(o.ledgerWindow, 'ledgerWindow', DEFAULT_LEDGER_WINDOW, 100_000_000)),
    admin: o.admin === true,
  };
}

type Access = 'write' | 'read' | 'none';

class ReferenceProvider implements Provider {
  readonly options: ResolvedOptions;
  private readonly model: Model;
  private readonly ring: LedgerRing;
  private earned = 0;
  private requests = 0;
  private readonly random: () => number;
  private readonly now: () => number;
  /** Exact header values (Authorization or X-CAP-API-OAUTH-TOKEN) and the access they give. */
  private readonly authValues = new Map<string, Access>();
  private readonly basic = new Map<string, Access>();
  private readonly tokens = new Map<string, Access>();
  private tokensLeft: number;
  private refilledAt: number;
  /** The limits given at creation, which teardown and reset restore after a state changed them. */
  private readonly configured: { rateLimit: number; bodyLimit: number };
  private readonly limits: LiveLimits;

  constructor(o: ProviderOptions) {
    this.options = resolveOptions(o);
    const fixtures =
      o.fixtures === undefined
        ? DEFAULT_FIXTURES
        : typeof o.fixtures === 'string'
          ? loadFixturesFile(o.fixtures)
          : checkFixtures(o.fixtures);
    this.model = new Model(fixtures);
    this.ring = new LedgerRing(this.options.ledgerWindow);
    this.random = o.random ?? Math.random;
    this.now = o.now ?? Date.now;
    for (const [list, access] of [
      [o.readOnlyBasic ?? [`${DEFAULT_READONLY_BASIC_USER}:${DEFAULT_READONLY_BASIC_PASSWORD}`], 'read'],
      [o.basic ?? [`${DEFAULT_BASIC_USER}:${DEFAULT_BASIC_PASSWORD}`], 'write'],
    ] as const) {
      for (const cred of list) {
        parseUserPass(cred, `provider option ${access === 'read' ? 'readOnlyBasic' : 'basic'}`);
        this.basic.set(cred, access);
        this.authValues.set(`Basic ${Buffer.from(cred, 'utf8').toString('base64')}`, access);
      }
    }
    for (const [list, access] of [
      [o.readOnlyTokens ?? [DEFAULT_READONLY_TOKEN], 'read'],
      [o.tokens ?? [DEFAULT_TOKEN], 'write'],
    ] as const) {
      for (const token of list) {
        if (token === '') throw new RangeError('provider option tokens: a token must not be empty');
        this.tokens.set(token, access);
        this.authValues.set(`Bearer ${token}`, access);
      }
    }
    this.tokensLeft = Math.max(1, this.options.rateLimit);
    this.refilledAt = this.now();
    this.configured = { rateLimit: this.options.rateLimit, bodyLimit: this.options.bodyLimit };
    const options = this.options;
    // Whether a state emptied the bucket: only then does restoring refill it (a configured limit's
    // bucket is left as traffic left it).
    let usedUpByState = false;
    this.limits = {
      useUpRateLimit: (requestsPerSecond) => {
        options.rateLimit = requestsPerSecond;
        this.tokensLeft = 0;
        this.refilledAt = this.now();
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
          this.tokensLeft = Math.max(1, options.rateLimit);
          this.refilledAt = this.now();
        }
      },
    };
  }

  async handle(req: ProviderRequest): Promise<ProviderResponse> {
    this.requests++;
    let res: ProviderResponse;
    try {
      res = this.route(req);
    } catch (e) {
      // A bug, not the caller's fault: answer the catalogue's 500 rather than crash or hang.
      res = httpError(500, messageFor(500, 'http'));
      void e;
    }
    const { latencyMs, jitterMs } = this.options;
    if (latencyMs > 0 || jitterMs > 0) await sleep(latencyMs + this.random() * jitterMs);
    return res;
  }

  setState(name: string, params?: StateParams, action?: 'setup' | 'teardown'): void {
    applyState(this.model, this.limits, name, params, action);
  }

  reset(): void {
    this.limits.restore();
    this.model.reset();
    this.ring.clear();
    this.earned = 0;
    this.requests = 0;
  }

  ledger(): LedgerEntry[] {
    return this.ring.entries();
  }

  stats(): { earned: number; requests: number } {
    return { earned: this.earned, requests: this.requests };
  }

  private route(req: ProviderRequest): ProviderResponse {
    const url = req.url;
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    if (path !== ENDPOINT_PATH) {
      if (this.options.admin && path.startsWith(ADMIN_PREFIX)) return this.admin(path, req);
      return httpError(404, messageFor(404, 'http'));
    }
    if (req.method !== 'POST') {
      const res = httpError(405, messageFor(405, 'http'));
      res.headers.allow = 'POST';
      return res;
    }
    const access = this.access(req.headers);
    if (access === 'none') return httpError(401, messageFor(401, 'http'));
    if (access === 'read') return httpError(403, messageFor(403, 'http'));
    let rateHeaders: Record<string, string> | undefined;
    if (this.options.rateLimit > 0) {
      const limited = this.takeToken();
      if (limited.status === 429) return limited;
      rateHeaders = limited.headers;
    }
    if (this.options.faultRate > 0 && this.random() < this.options.faultRate) {
      return withHeaders(httpError(500, messageFor(500, 'http')), rateHeaders);
    }
    return withHeaders(this.directEarn(req), rateHeaders);
  }

  private directEarn(req: ProviderRequest): ProviderResponse {
    if (!isJson(header(req.headers, 'content-type'))) return httpError(415, messageFor(415, 'http'));
    const raw = req.body ?? '';
    const size = typeof raw === 'string' ? Buffer.byteLength(raw) : raw.byteLength;
    if (req.bodyOverLimit === true || size > this.options.bodyLimit)
      return httpError(413, messageFor(413, 'http'));
    let text: string;
    if (typeof raw === 'string') text = raw;
    else {
      if (!isUtf8(raw)) return badRequest([{ message: 'the body is not valid UTF-8 text', path: '' }]);
      text = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8');
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (e) {
      const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
      return badRequest([{ message: `the body is not JSON (${why})`, path: '' }]);
    }
    const checked = checkRequest(body);
    if (!checked.ok) return badRequest(checked.issues);
    const request = checked.value;
    const { enabled, batchSize } = this.options.redirection;
    if (enabled && request.customers.length > batchSize) {
      return badRequest([
        {
          path: '/customers',
          message: `/customers must have at most ${batchSize} item(s) while BULK_API_REDIRECTION_ENABLED is true (BULK_API_BATCH_SIZE_FOR_REDIRECTION=${batchSize}; received an array of ${request.customers.length})`,
        },
      ]);
    }
    return { status: 200, headers: { ...JSON_HEADERS }, body: this.answer(request) };
  }

  /** The 200 body, written as a string directly: no object per customer on the hot path. */
  private answer(request: DirectEarnRequest): string {
    const customers = request.customers;
    const n = customers.length;
    const pd = request.promotionDetails;
    let requestError = 0;
    const program = pd?.programId === undefined ? undefined : this.model.programs.get(pd.programId);
    const byIdentifier = pd?.promotionId === undefined;
    let promo: Promotion | undefined;
    if (request.type === 'USERGROUP2') requestError = 8899;
    else if (
      pd === undefined ||
      pd.programId === undefined ||
      (pd.promotionId === undefined && pd.promoIdentifier === undefined)
    )
      requestError = 8881;
    else if (program === undefined) requestError = 1101;
    else {
      promo = byIdentifier
        ? program.byIdentifier.get(pd.promoIdentifier as string)
        : program.byId.get(pd.promotionId as number);
      if (promo === undefined) requestError = 8874;
      else if (!promo.active) requestError = 8892;
    }
    if (requestError !== 0 || promo === undefined || program === undefined) {
      const entry = entityError(requestError);
      return `{"response":[${new Array<string>(n).fill(entry).join(',')}],"totalCount":${n},"failureCount":${n}}`;
    }

    const promoField = byIdentifier
      ? `"promoIdentifier":${JSON.stringify(pd?.promoIdentifier)}`
      : `"promotionId":${promo.id}`;
    const nameField = promo.name === undefined ? '' : `,"promotionName":${JSON.stringify(promo.name)}`;
    const tail = `,${promoField}${nameField},"programId":${program.id}`;
    const earnedMid = `${tail},"issualId":"${promo.issualId}","earnedId":"`;
    const warned = `${tail}},"errors":[],"warnings":[${WARNING_8890}]}`;
    const notFound = entityError(8015);
    const identifierName = request.identifierName;
    const model = this.model;
    const ring = this.ring;
    const counts = promo.counts;
    const limit = promo.limit ?? 0;
    let failures = 0;
    let out = '{"response":[';
    for (let i = 0; i < n; i++) {
      if (i > 0) out += ',';
      const customerId = model.resolve(
        identifierName,
        (customers[i] as { identifierValue: string }).identifierValue,
      );
      if (customerId < 0) {
        out += notFound;
        failures++;
        continue;
      }
      if (counts !== undefined) {
        const had = counts.get(customerId) ?? 0;
        if (had >= limit) {
          out += RESULT_HEAD + customerId + warned;
          continue;
        }
        counts.set(customerId, had + 1);
      }
      const earnedId = model.nextEarnedId++;
      ring.push(earnedId, promo.issualId, program.id, promo.id, customerId);
      this.earned++;
      out += `${RESULT_HEAD}${customerId}${earnedMid}${earnedId}${EARNED_END}`;
    }
    return `${out}],"totalCount":${n},"failureCount":${failures}}`;
  }

  private access(headers: ProviderRequest['headers']): Access {
    const authorization = header(headers, 'authorization');
    const capToken = header(headers, 'x-cap-api-oauth-token');
    let best: Access = 'none';
    if (authorization !== undefined) {
      best = this.authValues.get(authorization) ?? this.parseAuthorization(authorization);
      if (best === 'write') return best;
    }
    if (capToken !== undefined) {
      const got = this.tokens.get(capToken.trim()) ?? 'none';
      if (got === 'write' || best === 'none') best = got;
    }
    return best;
  }

  private parseAuthorization(value: string): Access {
    const m = /^\s*(\w+)\s+(\S+)\s*$/.exec(value);
    if (m === null) return 'none';
    const scheme = (m[1] as string).toLowerCase();
    const credential = m[2] as string;
    if (scheme === 'bearer') return this.tokens.get(credential) ?? 'none';
    if (scheme === 'basic')
      return this.basic.get(Buffer.from(credential, 'base64').toString('utf8')) ?? 'none';
    return 'none';
  }

  private takeToken(): ProviderResponse {
    const rate = this.options.rateLimit;
    const capacity = Math.max(1, rate);
    const now = this.now();
    this.tokensLeft = Math.min(capacity, this.tokensLeft + ((now - this.refilledAt) / 1000) * rate);
    this.refilledAt = now;
    const limited = this.tokensLeft < 1;
    if (!limited) this.tokensLeft -= 1;
    const headers: Record<string, string> = {
      'x-ratelimit-limit': String(Math.ceil(rate)),
      'x-ratelimit-remaining': String(Math.floor(this.tokensLeft)),
      'x-ratelimit-reset': String(Math.ceil((capacity - this.tokensLeft) / rate)),
    };
    if (!limited) return { status: 200, headers, body: '' };
    const res = httpError(429, messageFor(429, 'http'));
    Object.assign(res.headers, headers);
    res.headers['retry-after'] = String(Math.max(1, Math.ceil((1 - this.tokensLeft) / rate)));
    return res;
  }

  private admin(path: string, req: ProviderRequest): ProviderResponse {
    if (!isLoopback(req.remoteAddress))
      return adminError(403, 'the admin routes answer loopback callers only');
    if (path === '/_admin/ledger' && req.method === 'GET') return adminJson(200, { entries: this.ledger() });
    if (path === '/_admin/stats' && req.method === 'GET') return adminJson(200, this.stats());
    if (path === '/_admin/reset' && req.method === 'POST') {
      this.reset();
      return adminJson(200, { reset: true });
    }
    if (path === '/_admin/provider-states' && req.method === 'POST') {
      const raw = req.body ?? '';
      let body: unknown;
      try {
        body = JSON.parse(typeof raw === 'string' ? raw : Buffer.from(raw).toString('utf8'));
      } catch {
        return adminError(
          400,
          'the body must be JSON: {"state": "...", "params": {...}, "action": "setup"|"teardown"}',
        );
      }
      if (
        body === null ||
        typeof body !== 'object' ||
        typeof (body as { state?: unknown }).state !== 'string'
      ) {
        return adminError(400, 'the body must name a "state" (a string)');
      }
      const { state, params, action } = body as { state: string; params?: unknown; action?: unknown };
      if (action !== undefined && action !== 'setup' && action !== 'teardown') {
        return adminError(400, `"action" must be "setup" or "teardown", got ${JSON.stringify(action)}`);
      }
      if (params !== undefined && params !== null && (typeof params !== 'object' || Array.isArray(params))) {
        return adminError(400, '"params" must be an object');
      }
      try {
        this.setState(state, (params ?? {}) as StateParams, action ?? 'setup');
      } catch (e) {
        if (e instanceof ProviderStateError) return adminError(400, e.message);
        throw e;
      }
      return adminJson(200, params ?? {});
    }
    if (['/_admin/ledger', '/_admin/stats', '/_admin/reset', '/_admin/provider-states'].includes(path)) {
      return adminError(
        405,
        `use ${path === '/_admin/ledger' || path === '/_admin/stats' ? 'GET' : 'POST'} on ${path}`,
      );
    }
    return httpError(404, messageFor(404, 'http'));
  }
}

const RESULT_HEAD = '{"result":{"entityType":"CUSTOMER","entityId":';
const EARNED_END = '"},"errors":[],"warnings":[]}';
const WARNING_8890 = `{"status":false,"code":8890,"message":${JSON.stringify(messageFor(8890, 'warning'))}}`;

const entityErrors = new Map<number, string>();
function entityError(code: number): string {
  let entry = entityErrors.get(code);
  if (entry === undefined) {
    entry = `{"errors":[{"status":false,"code":${code},"message":${JSON.stringify(messageFor(code, 'error'))}}],"warnings":[]}`;
    entityErrors.set(code, entry);
  }
  return entry;
}

function httpError(status: number, message: string, field?: string): ProviderResponse {
  const error: { status: false; code: number; message: string; field?: string } = {
    status: false,
    code: status,
    message,
  };
  if (field !== undefined) error.field = field;
  return { status, headers: { ...JSON_HEADERS }, body: JSON.stringify({ errors: [error] }) };
}

function badRequest(issues: readonly Pick<ValidationIssue, 'message' | 'path'>[]): ProviderResponse {
  const errors = issues.slice(0, 20).map((i) => {
    const e: { status: false; code: number; message: string; field?: string } = {
      status: false,
      code: 400,
      message: i.message,
    };
    if (i.path !== '') e.field = i.path;
    return e;
  });
  return { status: 400, headers: { ...JSON_HEADERS }, body: JSON.stringify({ errors }) };
}

function adminJson(status: number, value: unknown): ProviderResponse {
  return { status, headers: { ...JSON_HEADERS }, body: JSON.stringify(value) };
}

function adminError(status: number, message: string): ProviderResponse {
  return adminJson(status, { errors: [{ status: false, code: status, message }] });
}

function withHeaders(res: ProviderResponse, extra: Record<string, string> | undefined): ProviderResponse {
  if (extra !== undefined) Object.assign(res.headers, extra);
  return res;
}

/** A header by lower-case name; in-process callers may spell it in any case. */
function header(headers: ProviderRequest['headers'], name: string): string | undefined {
  let v = headers[name];
  if (v === undefined) {
    for (const key of Object.keys(headers)) {
      if (key.toLowerCase() === name) {
        v = headers[key];
        break;
      }
    }
  }
  return Array.isArray(v) ? v[0] : v;
}

function isJson(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const semi = contentType.indexOf(';');
  const media = (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  return media === 'application/json' || (media.startsWith('application/') && media.endsWith('+json'));
}

/** Whether a caller's address is loopback (undefined: an in-process call): src/input/loopback.ts decides. */
export const isLoopback = isLoopbackPeer;
