// The typed consumer client of POST /v2/promotion/bulk/directEarn: one request, one typed outcome
// per customer (outcomes.ts). Base URL, credentials, timeout and `fetch` are injected so Pact tests
// hand it the mock server and users hand it their host; http-answer.ts reads the answer in bounds.
import { DEFAULT_CLIENT_TIMEOUT_MS } from '../config/defaults.js';
import { parseHttpUrl } from '../input/url.js';
import {
  type CustomerIdentifier,
  catalogue,
  type DirectEarnRequest,
  type DirectEarnResponse,
  ENDPOINT_PATH,
  type EntityResponse,
  formatIssues,
  type HttpErrorBody,
  validateResponse,
} from '../openapi/index.js';
import { ANSWER_CAP_BYTES, redirectMessage } from '../util/bounded-http.js';
import { type Auth, authHeaders } from './auth.js';
import { DirectEarnHttpError, DirectEarnResponseError } from './errors.js';
import { parseRetryAfter, readCapped, toNetworkError } from './http-answer.js';
import {
  type CustomerOutcome,
  countOutcomes,
  type EarnResultFields,
  type OutcomeCounts,
} from './outcomes.js';

/** A body that has the shape of T as far as TypeScript knows, with nothing about its values checked. */
type Unchecked<T> = { [K in keyof T]?: unknown };
type HttpErrorItem = HttpErrorBody['errors'][number];

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

export interface EarnResponse {
  /** One outcome per customer of the request, in request order. */
  outcomes: CustomerOutcome[];
  counts: OutcomeCounts;
  /** The server's own counts. */
  totalCount: number;
  failureCount: number;
  body: DirectEarnResponse;
}

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
    const res = await this.send(request);
    const text = await this.readText(res);
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

  /** POSTs the request as JSON under the deadline; a redirect is refused here, never followed. */
  private async send(request: unknown): Promise<Response> {
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
    return res;
  }

  /** The answer's body as text, within the cap. */
  private async readText(res: Response): Promise<string> {
    try {
      return await readCapped(res, this.capBytes);
    } catch (e) {
      if (e instanceof DirectEarnResponseError) throw e;
      // Headers came, the body did not: the server has processed the request.
      throw toNetworkError(e, this.url, this.timeoutMs, true);
    }
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
