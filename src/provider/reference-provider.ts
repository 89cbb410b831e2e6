// The reference provider itself: routing (health, /_admin, the token endpoint, the endpoint), the
// checks a head alone decides (preflight), the live limits, injected latency and faults, and the
// counts. Who may call is in auth.ts, the answers in answer.ts, /_admin in admin.ts, the options in
// provider-options.ts. `respond` is the hot path: it makes no promise unless latency or the
// capacity queue delays the answer.
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DEFAULT_OAUTH_KEY,
  DEFAULT_OAUTH_SECRET,
  DEFAULT_TOKEN_TTL_SECONDS,
  OAUTH_TOKEN_PATH,
} from '../config/defaults.js';
import { ENDPOINT_PATH } from '../openapi/index.js';
import type { StateParams } from '../states/index.js';
import { ADMIN_PREFIX, adminGate, adminRoute } from './admin.js';
import { type Answer, EarnDesk, httpError, isJson, JSON_HEADERS } from './answer.js';
import { Credentials, WWW_AUTHENTICATE } from './auth.js';
import { CapacityQueue, customersAnswered } from './capacity.js';
import { TokenDesk } from './oauth.js';
import type { KnobStats, Provider, ProviderResponse } from './provider.js';
import {
  checkCapacity,
  fixturesOf,
  type ProviderOptions,
  perMinuteOf,
  type ResolvedOptions,
  resolveOptions,
} from './provider-options.js';
import { MinuteQuota } from './quota.js';
import { TokenBucket } from './rate-limit.js';
import { header, type ProviderRequest } from './request.js';
import { applyState, type LiveLimits } from './states.js';
import { type LedgerEntry, LedgerRing, Model } from './store.js';

/** The health route: 200 {"status":"ok"} with no credentials, not counted in stats. */
export const HEALTH_PATH = '/_health';

export class ReferenceProvider implements Provider {
  readonly options: ResolvedOptions;
  private readonly model: Model;
  private readonly ring: LedgerRing;
  private readonly desk: EarnDesk;
  private readonly credentials: Credentials;
  private readonly bucket: TokenBucket;
  private requests = 0;
  private readonly random: () => number;
  private readonly limits: LiveLimits;
  private readonly oauth: TokenDesk;
  /** Off (undefined) unless configured: the hot path then pays one check for each. */
  private readonly capacity: CapacityQueue | undefined;
  private readonly quota: MinuteQuota | undefined;

  constructor(o: ProviderOptions) {
    // Checked in this order, so the first bad option is the one named.
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
    const perMinute = perMinuteOf(o);
    this.quota = perMinute > 0 ? new MinuteQuota(perMinute, clock) : undefined;
    this.model = new Model(fixturesOf(o));
    this.ring = new LedgerRing(this.options.ledgerWindow);
    this.desk = new EarnDesk(this.model, this.ring, () => this.options.redirection);
    const oauth = this.oauth;
    this.credentials = new Credentials(o, (token) => oauth.keyOf(token) !== undefined);
    this.random = o.random ?? Math.random;
    const options = this.options;
    this.bucket = new TokenBucket(() => options.rateLimit, o.now ?? Date.now);
    this.limits = liveLimits(options, this.bucket);
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

/**
 * The limits the 413/429 states change, in `options` itself (the listener reads them per request);
 * restore() goes back to the values given at creation.
 */
function liveLimits(options: ResolvedOptions, bucket: TokenBucket): LiveLimits {
  const configured = { rateLimit: options.rateLimit, bodyLimit: options.bodyLimit };
  // Whether a state emptied the bucket: only then does restoring refill it (a configured limit's
  // bucket is left as traffic left it).
  let usedUpByState = false;
  return {
    useUpRateLimit: (requestsPerSecond) => {
      options.rateLimit = requestsPerSecond;
      bucket.empty();
      usedUpByState = true;
    },
    setBodyLimit: (bytes) => {
      options.bodyLimit = bytes;
    },
    restore: () => {
      options.bodyLimit = configured.bodyLimit;
      if (usedUpByState) {
        usedUpByState = false;
        options.rateLimit = configured.rateLimit;
        bucket.fill();
      }
    },
  };
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
