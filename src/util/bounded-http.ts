// One HTTP exchange with an untrusted target, bounded the same way for every Node client we ship
// (preflights, the recording proxy, `proxy`): never follows a redirect, holds at most ANSWER_CAP_BYTES
// of an answer, and ends within a total deadline however slowly the target drips its bytes.
import { Agent, type ClientRequest, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { UsageError } from '../errors.js';

/** Largest answer any client of ours holds from a target (README "Bounds"); the doc's largest is ~200 KB. */
export const ANSWER_CAP_BYTES = 16 * 1024 * 1024;

/** Total time one exchange with a target may take, headers and body, by default. */
export const EXCHANGE_DEADLINE_MS = 30_000;

/** The variable that shortens (or lengthens) every exchange's deadline, in milliseconds. */
export const EXCHANGE_DEADLINE_ENV = 'DIRECTEARN_EXCHANGE_DEADLINE_MS';

/**
 * The deadline per exchange: DIRECTEARN_EXCHANGE_DEADLINE_MS when set, else `fallback`. A value that
 * is not a whole number of milliseconds from 1 to 3600000 is a UsageError naming the variable.
 */
export function exchangeDeadlineMs(
  env: NodeJS.ProcessEnv = process.env,
  fallback = EXCHANGE_DEADLINE_MS,
): number {
  const raw = env[EXCHANGE_DEADLINE_ENV];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw.trim());
  if (!/^\d+$/.test(raw.trim()) || n < 1 || n > 3_600_000)
    throw new UsageError(
      `${EXCHANGE_DEADLINE_ENV} must be a whole number of milliseconds from 1 to 3600000, got ${JSON.stringify(raw)}`,
    );
  return n;
}

/** The paragraph every command that talks to targets puts in its --help (README "Bounds"). */
export const BOUNDS_HELP = `A target is untrusted: no redirect of it is followed (a 3xx fails, naming its Location), no
answer over 16 MiB is read, and every exchange has a total deadline, headers and body (5 s per
preflight request, 30 s otherwise; DIRECTEARN_EXCHANGE_DEADLINE_MS sets it). The command exits
within 2 s of its result.`;

/** Whether a status with these headers is a redirect (a 3xx naming a Location, or one of the redirect codes). */
export function isRedirect(status: number, headers: IncomingHttpHeaders): boolean {
  return (
    [301, 302, 303, 307, 308].includes(status) ||
    (status >= 300 && status < 400 && headers.location !== undefined)
  );
}

/** One line on a redirect that was not followed, naming where it pointed. */
export function redirectMessage(status: number, location: string | string[] | undefined): string {
  const where = Array.isArray(location) ? location[0] : location;
  return `answered HTTP ${status} redirecting to ${where === undefined ? '(no Location)' : JSON.stringify(where)}; redirects from a target are never followed`;
}

/** Why an exchange ended without an answer we keep. */
export type BoundKind = 'redirect' | 'too-big' | 'deadline' | 'network' | 'aborted';

/** An exchange that broke a bound or never got an answer; `message` is one plain line. */
export class BoundedExchangeError extends Error {
  override name = 'BoundedExchangeError';
  constructor(
    message: string,
    readonly kind: BoundKind,
    /** The socket error's code for `network`. */
    readonly code?: string,
    /** The status of a refused redirect. */
    readonly status?: number,
  ) {
    super(message);
  }
}

/** An answer read whole within the bounds. */
export interface BoundedAnswer {
  status: number;
  statusMessage: string;
  headers: IncomingHttpHeaders;
  rawHeaders: string[];
  body: Buffer;
}

export interface BoundedRequest {
  method?: string;
  headers?: Record<string, string | string[] | undefined>;
  body?: Buffer | string;
  deadlineMs?: number;
  capBytes?: number;
  /** Let a 3xx through as an answer instead of failing (the caller reports it). */
  allowRedirect?: boolean;
  /** Connections to reuse (keepAliveAgent); by default one connection per exchange, closed after it. */
  agent?: Agent | false;
}

/** A keep-alive agent for many exchanges with one origin; destroy() it when done, or its sockets linger. */
export function keepAliveAgent(url: URL): Agent {
  return url.protocol === 'https:' ? new HttpsAgent({ keepAlive: true }) : new Agent({ keepAlive: true });
}

/** A started exchange: its outcome, and a way to abort it (the client on our side left). */
export interface Exchange {
  answer: Promise<BoundedAnswer>;
  abort(): void;
}

/** Starts one bounded exchange with `url`. */
export function boundedExchange(url: URL, options: BoundedRequest = {}): Exchange {
  const deadlineMs = options.deadlineMs ?? EXCHANGE_DEADLINE_MS;
  const cap = options.capBytes ?? ANSWER_CAP_BYTES;
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  let req: ClientRequest | undefined;
  let fail: (e: BoundedExchangeError) => void = () => undefined;
  const answer = new Promise<BoundedAnswer>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(
      () => stop(new BoundedExchangeError(`no whole answer within ${deadlineMs} ms`, 'deadline')),
      deadlineMs,
    );
    const stop = (e: BoundedExchangeError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req?.destroy();
      reject(e);
    };
    fail = stop;
    try {
      req = send(
        url,
        { method: options.method ?? 'GET', headers: options.headers, agent: options.agent ?? false },
        (res) => {
          const status = res.statusCode ?? 0;
          if (options.allowRedirect !== true && isRedirect(status, res.headers)) {
            stop(
              new BoundedExchangeError(
                redirectMessage(status, res.headers.location),
                'redirect',
                undefined,
                status,
              ),
            );
            res.destroy();
            return;
          }
          const declared = Number(res.headers['content-length']);
          if (Number.isFinite(declared) && declared > cap) {
            stop(
              new BoundedExchangeError(`answer of ${declared} bytes is over the ${cap}-byte cap`, 'too-big'),
            );
            res.destroy();
            return;
          }
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > cap) {
              stop(new BoundedExchangeError(`answer over the ${cap}-byte cap`, 'too-big'));
              res.destroy();
              return;
            }
            chunks.push(c);
          });
          res.on('end', () => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            resolve({
              status,
              statusMessage: res.statusMessage ?? '',
              headers: res.headers,
              rawHeaders: res.rawHeaders,
              body: Buffer.concat(chunks, size),
            });
          });
          res.on('error', (e: NodeJS.ErrnoException) => stop(networkError(e)));
          res.on('aborted', () =>
            stop(new BoundedExchangeError('the answer was cut off', 'network', 'ECONNRESET')),
          );
        },
      );
    } catch (e) {
      // Headers node refuses to send (e.g. Trailer with a length): no request went out.
      stop(
        new BoundedExchangeError(
          `cannot send the request: ${(e as Error).message}`,
          'network',
          (e as NodeJS.ErrnoException).code,
        ),
      );
      return;
    }
    req.on('error', (e: NodeJS.ErrnoException) => stop(networkError(e)));
    try {
      req.end(options.body);
    } catch (e) {
      stop(
        new BoundedExchangeError(
          `cannot send the request: ${(e as Error).message}`,
          'network',
          (e as NodeJS.ErrnoException).code,
        ),
      );
    }
  });
  return {
    answer,
    abort: () => fail(new BoundedExchangeError('the client left before the answer came', 'aborted')),
  };
}

function networkError(e: NodeJS.ErrnoException): BoundedExchangeError {
  return new BoundedExchangeError(
    e.code !== undefined ? `${e.code}: ${e.message}` : e.message,
    'network',
    e.code,
  );
}
