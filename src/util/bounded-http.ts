// One HTTP exchange with an untrusted target, bounded the same way for every Node client we ship
// (preflights, the recording proxy, `proxy`): never follows a redirect, holds at most ANSWER_CAP_BYTES
// of an answer, and ends within a total deadline however slowly the target drips its bytes.
import {
  Agent,
  type ClientRequest,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { UsageError } from '../errors.js';

/** Largest answer any client of ours holds from a target (docs/real-host.md "Bounds"); the doc's largest is ~200 KB. */
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

/** The paragraph every command that talks to targets puts in its --help (docs/real-host.md "Bounds"). */
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
  let stop: (e: BoundedExchangeError) => void = () => undefined;
  const answer = new Promise<BoundedAnswer>((resolve, reject) => {
    const end = endOnce(options.deadlineMs ?? EXCHANGE_DEADLINE_MS, resolve, reject);
    stop = end.fail;
    sendRequest(url, options, end);
  });
  return {
    answer,
    abort: () => stop(new BoundedExchangeError('the client left before the answer came', 'aborted')),
  };
}

/**
 * How an exchange ends, once: with an answer, or with an error that destroys the request; the
 * total deadline is armed here and cleared by whichever end comes first.
 */
interface Ending {
  readonly settled: boolean;
  /** The request to destroy on failure (set once it is made). */
  req: ClientRequest | undefined;
  fail(e: BoundedExchangeError): void;
  succeed(answer: BoundedAnswer): void;
}

function endOnce(
  deadlineMs: number,
  resolve: (a: BoundedAnswer) => void,
  reject: (e: BoundedExchangeError) => void,
): Ending {
  let settled = false;
  const timer = setTimeout(
    () => end.fail(new BoundedExchangeError(`no whole answer within ${deadlineMs} ms`, 'deadline')),
    deadlineMs,
  );
  const end: Ending = {
    get settled() {
      return settled;
    },
    req: undefined,
    fail(e) {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      end.req?.destroy();
      reject(e);
    },
    succeed(answer) {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(answer);
    },
  };
  return end;
}

/** Sends the request (body included); a request node refuses to send fails the exchange, naming why. */
function sendRequest(url: URL, options: BoundedRequest, end: Ending): void {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const cap = options.capBytes ?? ANSWER_CAP_BYTES;
  let req: ClientRequest;
  try {
    req = send(
      url,
      { method: options.method ?? 'GET', headers: options.headers, agent: options.agent ?? false },
      (res) => readAnswer(res, cap, options.allowRedirect === true, end),
    );
  } catch (e) {
    // Headers node refuses to send (e.g. Trailer with a length): no request went out.
    end.fail(cannotSend(e));
    return;
  }
  end.req = req;
  req.on('error', (e: NodeJS.ErrnoException) => end.fail(networkError(e)));
  try {
    req.end(options.body);
  } catch (e) {
    end.fail(cannotSend(e));
  }
}

/** Refuses a redirect or a declared length over the cap from the head, else reads the body up to the cap. */
function readAnswer(res: IncomingMessage, cap: number, allowRedirect: boolean, end: Ending): void {
  const status = res.statusCode ?? 0;
  if (!allowRedirect && isRedirect(status, res.headers)) {
    end.fail(
      new BoundedExchangeError(redirectMessage(status, res.headers.location), 'redirect', undefined, status),
    );
    res.destroy();
    return;
  }
  const declared = Number(res.headers['content-length']);
  if (Number.isFinite(declared) && declared > cap) {
    end.fail(new BoundedExchangeError(`answer of ${declared} bytes is over the ${cap}-byte cap`, 'too-big'));
    res.destroy();
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  res.on('data', (c: Buffer) => {
    size += c.length;
    if (size > cap) {
      end.fail(new BoundedExchangeError(`answer over the ${cap}-byte cap`, 'too-big'));
      res.destroy();
      return;
    }
    chunks.push(c);
  });
  res.on('end', () => {
    if (end.settled) return;
    end.succeed({
      status,
      statusMessage: res.statusMessage ?? '',
      headers: res.headers,
      rawHeaders: res.rawHeaders,
      body: Buffer.concat(chunks, size),
    });
  });
  res.on('error', (e: NodeJS.ErrnoException) => end.fail(networkError(e)));
  res.on('aborted', () =>
    end.fail(new BoundedExchangeError('the answer was cut off', 'network', 'ECONNRESET')),
  );
}

function cannotSend(e: unknown): BoundedExchangeError {
  return new BoundedExchangeError(
    `cannot send the request: ${(e as Error).message}`,
    'network',
    (e as NodeJS.ErrnoException).code,
  );
}

function networkError(e: NodeJS.ErrnoException): BoundedExchangeError {
  return new BoundedExchangeError(
    e.code !== undefined ? `${e.code}: ${e.message}` : e.message,
    'network',
    e.code,
  );
}
