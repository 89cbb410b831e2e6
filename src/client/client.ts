// The typed consumer client of POST /v2/promotion/bulk/directEarn: one request, one typed outcome
// per customer. Base URL, credentials, timeout and `fetch` are injected so Pact tests hand it the
// mock server and users hand it their host.
import { DEFAULT_CLIENT_TIMEOUT_MS } from '../config/defaults.js';
import { parseUserPass } from '../input/credentials.js';
import { parseHttpUrl } from '../input/url.js';
import {
  type CustomerIdentifier,
  catalogue,
  type DirectEarnRequest,
  type DirectEarnResponse,
  type EarnResult,
  ENDPOINT_PATH,
  type EntityResponse,
  formatIssues,
  type HttpErrorBody,
  validateResponse,
} from '../openapi/index.js';
import { ANSWER_CAP_BYTES, redirectMessage } from '../util/bounded-http.js';
import { DirectEarnHttpError, DirectEarnNetworkError, DirectEarnResponseError } from './errors.js';

/** A body that has the shape of T as far as TypeScript knows, with nothing about its values checked. */
type Unchecked<T> = { [K in keyof T]?: unknown };
type HttpErrorItem = HttpErrorBody['errors'][number];

/** How the client authenticates: the doc's Basic, or OAuth as Bearer or the CRM's own header. */
export type Auth =
  | { kind: 'basic'; user: string; password: string }
  | { kind: 'bearer'; token: string }
  | { kind: 'cap-oauth'; token: string }
  | { kind: 'none' };

export interface ClientOptions {
  /** Scheme, host and optional base path, e.g. https://eucrm.cc.capillarytech.com or the mock server's URL. */
  baseUrl: string;
  auth?: Auth;
  /** Milliseconds before a request is abandoned (default DEFAULT_CLIENT_TIMEOUT_MS). */
  timeoutMs?: number;
  /** Injected fetch (tests, proxies, instrumentation); the global fetch otherwise. */
  fetch?: typeof fetch;
  /** Validate every answer against the spec and refuse one that breaks it. */
  strict?: boolean;
  /** Extra headers sent with every request. */
  headers?: Record<string, string>;
  /** Largest answer read (default ANSWER_CAP_BYTES, 16 MiB); a larger one is a DirectEarnResponseError. */
  capBytes?: number;
}

/** What happened to one customer of a request. */
export type CustomerOutcome =
  | {
      kind: 'earned';
      customer: CustomerIdentifier;
      entityId: number;
      /** Unique ID of this earn (the spec allows integer or numeric string; always a string here). */
      earnedId: string;
      issualId: string | undefined;
      programId: number;
      promotionId: number | undefined;
      promoIdentifier: string | undefined;
      ambiguousAttempts?: number;
    }
  | {
      kind: 'failed';
      customer: CustomerIdentifier;
      code: number;
      message: string;
      case: string;
      ambiguousAttempts?: number;
    }
  | {
      kind: 'warned';
      customer: CustomerIdentifier;
      code: number;
      message: string;
      case: string;
      result: EarnResultFields | undefined;
      ambiguousAttempts?: number;
    }
  /**
   * Bulk helper only: the provider proved, for every request of this customer's batch, that it
   * processed nothing (400/401/403/413/415/429/503, connection never established): nothing was issued.
   */
  | { kind: 'rejected'; customer: CustomerIdentifier; status: number | null; message: string }
  /**
   * Bulk helper only: the server may or may not have issued (timeout, 5xx other than 503, connection
   * lost after sending), on the last request or an earlier one. `ambiguousAttempts` requests may have
   * issued: the customer is in the ledger between 0 and that many times.
   */
  | { kind: 'unknown'; customer: CustomerIdentifier; reason: string; ambiguousAttempts?: number };

/**
 * What `ambiguousAttempts` (k) on an outcome of the bulk helper promises about the ledger (the
 * number of earns this run added for the customer); absent means k = 0. On `earned`, `failed` and
 * `warned` it counts earlier requests of the customer's batch that failed ambiguously and were
 * re-sent (`retryAmbiguous`); k > 0 marks the outcome *possibly duplicated*.
 *
 * | outcome  | earns in the ledger |
 * |----------|---------------------|
 * | earned   | 1 .. 1 + k          |
 * | failed   | 0 .. k              |
 * | warned   | 0 .. k (8890: the limit was reached, nothing issued by this request) |
 * | rejected | 0 (k is never set)  |
 * | unknown  | 0 .. k, k >= 1      |
 */
export type AmbiguousAttempts = number | undefined;

/** The fields of a result entry, as the spec types them. */
export type EarnResultFields = EarnResult;

export type OutcomeKind = CustomerOutcome['kind'];

export interface OutcomeCounts {
  total: number;
  earned: number;
  failed: number;
  warned: number;
  rejected: number;
  unknown: number;
}

export interface EarnResponse {
  /** One outcome per customer of the request, in request order. */
  outcomes: CustomerOutcome[];
  counts: OutcomeCounts;
  /** The server's own counts. */
  totalCount: number;
  failureCount: number;
  body: DirectEarnResponse;
}

export function countOutcomes(outcomes: readonly CustomerOutcome[]): OutcomeCounts {
  const counts: OutcomeCounts = { total: 0, earned: 0, failed: 0, warned: 0, rejected: 0, unknown: 0 };
  for (const o of outcomes) {
    counts.total++;
    counts[o.kind]++;
  }
  return counts;
}

/** The Authorization / X-CAP-API-OAUTH-TOKEN header of a credential. */
export function authHeaders(auth: Auth | undefined): Record<string, string> {
  if (auth === undefined || auth.kind === 'none') return {};
  if (auth.kind === 'basic') {
    return {
      Authorization: `Basic ${Buffer.from(`${auth.user}:${auth.password}`, 'utf8').toString('base64')}`,
    };
  }
  if (auth.kind === 'bearer') return { Authorization: `Bearer ${auth.token}` };
  return { 'X-CAP-API-OAUTH-TOKEN': auth.token };
}

/** Parses "user:pass" (the CLI's --basic) into a Basic credential, naming the input when it is malformed. */
export function parseBasic(value: string, name = '--basic'): Auth {
  return { kind: 'basic', ...parseUserPass(value, name) };
}

/** Milliseconds of a Retry-After header (seconds or an HTTP date); undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

// Connection never established: the server cannot have seen the request.
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
  'EHOSTUNREACH',
]);

function caseOf(code: number, kind: 'error' | 'warning'): string {
  return catalogue().find((c) => c.code === code && c.kind === kind)?.case ?? `unknown-${kind}-${code}`;
}

/** Turns one entry of a 200 body into the outcome of the customer it answers. */
export function outcomeOf(
  entry: EntityResponse,
  customer: CustomerIdentifier,
  index: number,
): CustomerOutcome {
  const error = entry.errors[0];
  if (error !== undefined) {
    return {
      kind: 'failed',
      customer,
      code: error.code,
      message: error.message,
      case: caseOf(error.code, 'error'),
    };
  }
  const warning = entry.warnings[0];
  if (warning !== undefined) {
    return {
      kind: 'warned',
      customer,
      code: warning.code,
      message: warning.message,
      case: caseOf(warning.code, 'warning'),
      result: entry.result as EarnResultFields | undefined,
    };
  }
  const r = entry.result as EarnResultFields | undefined;
  if (r === undefined || r.earnedId === undefined || r.earnedId === null) {
    throw new Error(`response[${index}] has no earnedId and neither an error nor a warning`);
  }
  return {
    kind: 'earned',
    customer,
    entityId: r.entityId,
    earnedId: String(r.earnedId),
    issualId: r.issualId === undefined || r.issualId === null ? undefined : String(r.issualId),
    programId: r.programId,
    promotionId: r.promotionId,
    promoIdentifier: r.promoIdentifier,
  };
}

export class DirectEarnClient {
  readonly baseUrl: string;
  private readonly auth: Auth | undefined;
  private readonly timeoutMs: number;
  private readonly fetchFn: typeof fetch;
  private readonly strict: boolean;
  private readonly extraHeaders: Record<string, string>;
  private readonly capBytes: number;

  constructor(options: ClientOptions) {
    this.baseUrl = parseHttpUrl(options.baseUrl, 'baseUrl');
    this.auth = options.auth;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_CLIENT_TIMEOUT_MS;
    this.fetchFn = options.fetch ?? globalThis.fetch;
    this.strict = options.strict ?? false;
    this.extraHeaders = options.headers ?? {};
    this.capBytes = options.capBytes ?? ANSWER_CAP_BYTES;
  }

  /** The endpoint's full URL. */
  get url(): string {
    return `${this.baseUrl}${ENDPOINT_PATH}`;
  }

  /**
   * Sends one request and returns one outcome per customer, in request order.
   * Throws DirectEarnHttpError (non-200), DirectEarnNetworkError, or DirectEarnResponseError.
   */
  async earn(request: DirectEarnRequest): Promise<EarnResponse> {
    const body = await this.post(request);
    const entries = body.response;
    if (entries.length !== request.customers.length) {
      throw new DirectEarnResponseError(
        `the response has ${entries.length} entries for ${request.customers.length} customers; cannot tell which answers which`,
        200,
        body,
      );
    }
    let outcomes: CustomerOutcome[];
    try {
      outcomes = entries.map((e, i) => outcomeOf(e, request.customers[i] as CustomerIdentifier, i));
    } catch (e) {
      throw new DirectEarnResponseError((e as Error).message, 200, body);
    }
    return {
      outcomes,
      counts: countOutcomes(outcomes),
      totalCount: body.totalCount,
      failureCount: body.failureCount,
      body,
    };
  }

  /** Sends the request and returns the 200 body as sent (no per-customer mapping). */
  async post(request: unknown): Promise<DirectEarnResponse> {
    let res: Response;
    try {
      res = await this.fetchFn(this.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Accept: 'application/json',
          ...authHeaders(this.auth),
          ...this.extraHeaders,
        },
        body: JSON.stringify(request),
        // The timeout covers the body too: a host dripping its answer cannot hold the call open.
        signal: AbortSignal.timeout(this.timeoutMs),
        // A redirect is never followed: it would send the body and credentials to another host.
        redirect: 'manual',
      });
    } catch (e) {
      throw toNetworkError(e, this.url, this.timeoutMs);
    }
    if (res.status >= 300 && res.status < 400) {
      await res.body?.cancel().catch(() => undefined);
      const message = redirectMessage(res.status, res.headers.get('location') ?? undefined);
      throw new DirectEarnHttpError(res.status, message, undefined, undefined, undefined);
    }
    let text: string;
    try {
      text = await readCapped(res, this.capBytes);
    } catch (e) {
      if (e instanceof DirectEarnResponseError) throw e;
      // Headers came, the body did not: the server has processed the request.
      throw toNetworkError(e, this.url, this.timeoutMs, true);
    }
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = text;
    }
    if (res.status !== 200) {
      // Typed by the spec's HttpError with every value unknown (the body is unchecked): what this
      // reads is then in the client's declared uses (src/client/uses.ts), which `diff` grades by.
      const errors =
        parsed !== null && typeof parsed === 'object'
          ? (parsed as Unchecked<HttpErrorBody>).errors
          : undefined;
      const first: Unchecked<HttpErrorItem> = Array.isArray(errors) ? (errors[0] ?? {}) : {};
      const message =
        typeof first.message === 'string' ? first.message : res.statusText || `HTTP ${res.status}`;
      // Strict mode reports a non-conforming error body on the error itself: a 429 stays a 429
      // (retryable) even when its body is not what the spec says.
      const check = this.strict ? validateResponse(res.status, parsed) : undefined;
      throw new DirectEarnHttpError(
        res.status,
        message,
        parsed,
        typeof first.field === 'string' ? first.field : undefined,
        parseRetryAfter(res.headers.get('retry-after')),
        check !== undefined && !check.ok ? check.issues : [],
      );
    }
    if (parsed === undefined || typeof parsed !== 'object' || parsed === null) {
      throw new DirectEarnResponseError(
        `HTTP 200 with a body that is not a JSON object: ${text.slice(0, 80)}`,
        200,
        parsed,
      );
    }
    if (this.strict) this.checkStrict(200, parsed);
    const body = parsed as DirectEarnResponse;
    if (!Array.isArray(body.response)) {
      throw new DirectEarnResponseError('HTTP 200 without a response array', 200, parsed);
    }
    return body;
  }

  private checkStrict(status: number, body: unknown): void {
    const result = validateResponse(status, body);
    if (!result.ok) {
      throw new DirectEarnResponseError(
        `HTTP ${status} answer breaks openapi/directEarn.yaml:\n${formatIssues(result.issues)}`,
        status,
        body,
        result.issues,
      );
    }
  }
}

/** The body as text, refused past `cap` bytes (the declared length or what came) without reading on. */
async function readCapped(res: Response, cap: number): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? Number.NaN);
  const tooBig = () =>
    new DirectEarnResponseError(
      `HTTP ${res.status} answer over the ${cap}-byte cap; not read`,
      res.status,
      undefined,
    );
  if (declared > cap) {
    await res.body?.cancel().catch(() => undefined);
    throw tooBig();
  }
  if (res.body === null) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.length;
    if (size > cap) {
      await res.body.cancel().catch(() => undefined);
      throw tooBig();
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

function toNetworkError(e: unknown, url: string, timeoutMs: number, sent = false): DirectEarnNetworkError {
  const err = e as Error & { cause?: { code?: string; message?: string } };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') {
    return new DirectEarnNetworkError(`no answer from ${url} within ${timeoutMs} ms`, 'TIMEOUT', true, {
      cause: e,
    });
  }
  const code = err?.cause?.code ?? (err as { code?: string })?.code ?? 'NETWORK';
  const notSent = !sent && NOT_SENT_CODES.has(code);
  return new DirectEarnNetworkError(
    `request to ${url} failed: ${code}${err?.cause?.message ? ` (${err.cause.message})` : ''}`,
    code,
    !notSent,
    { cause: e },
  );
}
