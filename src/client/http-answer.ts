// Reading the endpoint's HTTP answer within the client's bounds: the body refused past its cap
// without reading on, a network failure typed by whether the server may have seen the request, and
// Retry-After in milliseconds.
import { DirectEarnNetworkError, DirectEarnResponseError } from './errors.js';

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

/** The body as text, refused past `cap` bytes (the declared length or what came) without reading on. */
export async function readCapped(res: Response, cap: number): Promise<string> {
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

/**
 * A failure of fetch as a DirectEarnNetworkError: a timeout, or a socket error whose `maybeProcessed`
 * is false only when the connection was never established (`sent`: the headers had come already).
 */
export function toNetworkError(
  e: unknown,
  url: string,
  timeoutMs: number,
  sent = false,
): DirectEarnNetworkError {
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
