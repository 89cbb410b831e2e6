// Typed failures of the client: an HTTP-level refusal carrying the server's message, a network
// failure that says whether the request may have reached the server, and a response the spec
// does not allow (strict mode).
import type { ValidationIssue } from '../openapi/index.js';

/** The endpoint answered with a non-200 status (400/401/403/413/415/429/5xx...). */
export class DirectEarnHttpError extends Error {
  override name = 'DirectEarnHttpError';
  constructor(
    /** The HTTP status. */
    readonly status: number,
    /** The server's own message (first entry of the error body), or the status text. */
    readonly serverMessage: string,
    /** The parsed body when it was JSON, else the raw text. */
    readonly body: unknown,
    /** The JSON pointer of the request field at fault, when the server named one. */
    readonly field: string | undefined,
    /** Milliseconds the server asked us to wait (Retry-After), when it did. */
    readonly retryAfterMs: number | undefined,
    /** Strict mode: how the error body breaks the spec (empty when it does not, or not strict). */
    readonly specIssues: readonly ValidationIssue[] = [],
  ) {
    super(`POST directEarn answered HTTP ${status}: ${serverMessage}`);
  }
}

/**
 * The request failed below HTTP (refused, reset, timed out). `maybeProcessed` is false only when
 * the connection was never established, so the server cannot have seen the request.
 */
export class DirectEarnNetworkError extends Error {
  override name = 'DirectEarnNetworkError';
  constructor(
    message: string,
    /** The system or undici error code (ECONNREFUSED, ECONNRESET, UND_ERR_SOCKET, TIMEOUT...). */
    readonly code: string,
    readonly maybeProcessed: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A 200 answer the client cannot trust: not JSON, not what the spec allows (strict), or not one entry per customer. */
export class DirectEarnResponseError extends Error {
  override name = 'DirectEarnResponseError';
  constructor(
    message: string,
    readonly status: number,
    readonly body: unknown,
    readonly issues: readonly ValidationIssue[] = [],
  ) {
    super(message);
  }
}
