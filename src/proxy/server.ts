// The validating proxy's listener: every request is read whole, sent on to the upstream as it came
// (method, path, end-to-end headers, body bytes; only Host names the upstream), and the upstream's
// answer is returned as it came; then the endpoint's exchanges are checked and reported through
// `onExchange`. A well-behaved intermediary (RFC 9110): hop-by-hop headers dropped both ways,
// non-canonical or absolute-form targets refused, the admin routes' Host/Origin rules kept, every
// upstream answer bounded (no redirect passed on, size cap, total deadline), errors answered 502.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { adminOriginRefusal } from '../provider/admin.js';
import {
  ANSWER_CAP_BYTES,
  type BoundedAnswer,
  type BoundedExchangeError,
  boundedExchange,
  exchangeDeadlineMs,
  keepAliveAgent,
} from '../util/bounded-http.js';
import { checkRequest, checkResponse, isEndpointCall, type Violation } from './judge-exchange.js';
import { answerError, hopByHop, PROXY_BODY_CAP_BYTES, passOn, readAll } from './relay.js';
import { checkRequestTarget } from './target.js';

export { PROXY_BODY_CAP_BYTES } from './relay.js';

/** Default total time the upstream has for one answer, headers and body. */
export const PROXY_DEADLINE_MS = 60_000;

/** How long exchanges still waiting on the upstream get when the proxy stops, before they are aborted. */
export const PROXY_STOP_GRACE_MS = 2_000;

/** What crossed the proxy once, and what was found. */
export interface Exchange {
  /** 1, 2, ... in arrival order. */
  seq: number;
  method: string;
  url: string;
  /** The upstream's status, or undefined when the upstream could not be reached. */
  status?: number;
  /** Whether it was the endpoint's POST (checked); other paths are only forwarded. */
  checked: boolean;
  /**
   * What broke the spec, plus what broke the proxy's own rules on any path: a refused target
   * (request-target), an upstream answer not passed on (upstream-answer: a redirect, over the cap,
   * past the deadline, or left unanswered when the consumer or the proxy gave up).
   */
  violations: Violation[];
  /** Why the upstream gave no answer (connection refused, reset, ...). */
  upstreamError?: string;
  /** Why the proxy refused to forward it without it being a violation (the admin routes' rules). */
  refused?: string;
  /** The upstream's answer body, for checked exchanges (what it says beyond the doc is collected). */
  answer?: Buffer;
}

export interface ProxyOptions {
  /** The upstream's base URL: http(s)://host:port[/base-path]. */
  upstream: URL;
  host?: string;
  port?: number;
  /** Called once per exchange, after the answer went back to the consumer. */
  onExchange(exchange: Exchange): void;
  /** Total time for the upstream's answer (default DIRECTEARN_EXCHANGE_DEADLINE_MS, else 60 s). */
  timeoutMs?: number;
  /** Largest upstream answer passed on (default 16 MiB). */
  capBytes?: number;
}

export interface ProxyListening {
  url: string;
  port: number;
  /**
   * Stops listening; exchanges in flight get PROXY_STOP_GRACE_MS, then are aborted (each reported
   * as an upstream-answer violation) and every connection is closed.
   */
  close(): Promise<void>;
}

const upstreamViolation = (field: string, message: string): Violation => ({
  side: 'response',
  rule: 'upstream-answer',
  field,
  message,
});

/** What every exchange of one running proxy shares. */
interface Relay {
  options: ProxyOptions;
  /** The upstream's base path, no trailing slash. */
  base: string;
  deadlineMs: number;
  agent: ReturnType<typeof keepAliveAgent>;
  /** Exchanges waiting on the upstream; each can be aborted with the reason reported. */
  inFlight: Set<{ abort(why?: string): void }>;
  /** Called once inFlight is empty (what close() waits on). */
  drained: (() => void)[];
  seq: number;
}

/** Starts the proxy; resolves once it listens. */
export function startProxy(options: ProxyOptions): Promise<ProxyListening> {
  const relay: Relay = {
    options,
    base: options.upstream.pathname.replace(/\/+$/, ''),
    deadlineMs: options.timeoutMs ?? exchangeDeadlineMs(process.env, PROXY_DEADLINE_MS),
    // Keep-alive to the upstream (a consumer's traffic is many small exchanges); destroyed on close.
    agent: keepAliveAgent(options.upstream),
    inFlight: new Set(),
    drained: [],
    seq: 0,
  };
  const server = createServer((req, res) => handle(relay, req, res));
  // A request line or header Node cannot parse is answered 400 by Node itself; a socket error
  // (a client resetting mid-request) must not end the proxy.
  server.on('clientError', (_e, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      const { port } = server.address() as AddressInfo;
      const host = options.host ?? '127.0.0.1';
      resolve({
        url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
        port,
        close: closer(server, relay),
      });
    });
  });
}

/** The proxy's close(): see ProxyListening. */
function closer(server: Server, relay: Relay): () => Promise<void> {
  let stopping = false;
  return async () => {
    if (stopping) return;
    stopping = true;
    // Answers in flight finish (the last one may be what --max-requests counted); idle
    // keep-alive connections close now; what still waits on the upstream after the grace
    // is aborted and reported, so a hung upstream cannot keep the proxy alive.
    const grace = setTimeout(() => {
      for (const h of [...relay.inFlight]) h.abort('unanswered when the proxy stopped');
      setImmediate(() => server.closeAllConnections());
    }, PROXY_STOP_GRACE_MS);
    const closed = new Promise<void>((r) => server.close(() => r()));
    server.closeIdleConnections();
    const idle = relay.inFlight.size === 0 ? undefined : new Promise<void>((r) => relay.drained.push(r));
    await Promise.all([closed, idle]);
    clearTimeout(grace);
    relay.agent.destroy();
  };
}

/** One request: refused (target, admin rules, size) or read whole and forwarded. */
function handle(relay: Relay, req: IncomingMessage, res: ServerResponse): void {
  const { options } = relay;
  const method = req.method ?? 'GET';
  const url = req.url ?? '/';
  const exchange: Exchange = { seq: ++relay.seq, method, url, checked: false, violations: [] };
  const target = checkRequestTarget(url);
  if (!target.ok) {
    req.resume();
    exchange.violations = [
      { side: 'request', rule: 'request-target', field: 'target', message: target.reason },
    ];
    answerError(res, 400, `directearn proxy: ${target.reason}`);
    options.onExchange(exchange);
    return;
  }
  if (target.path === '/_admin' || target.path.startsWith('/_admin/')) {
    const why = adminOriginRefusal({ remoteAddress: req.socket.remoteAddress, headers: req.headers });
    if (why !== undefined) {
      req.resume();
      exchange.refused = why;
      answerError(res, 403, `directearn proxy: ${why}`);
      options.onExchange(exchange);
      return;
    }
  }
  exchange.checked = isEndpointCall(method, url);
  readAll(req, (body, tooBig) => {
    if (!tooBig) return forward(relay, req, res, exchange, body);
    exchange.upstreamError = 'request body over the proxy cap, not forwarded';
    answerError(res, 413, `directearn proxy: bodies over ${PROXY_BODY_CAP_BYTES} bytes are not forwarded`);
    options.onExchange(exchange);
  });
}

/** Sends a request on to the upstream, its answer back, and reports the exchange once it is over. */
function forward(
  relay: Relay,
  req: IncomingMessage,
  res: ServerResponse,
  exchange: Exchange,
  body: Buffer,
): void {
  const { options } = relay;
  const drop = hopByHop(req.headers.connection);
  const headers: Record<string, string | string[] | undefined> = {};
  for (const [name, value] of Object.entries(req.headers)) if (!drop.has(name)) headers[name] = value;
  headers.host = options.upstream.host;
  headers['content-length'] = String(body.length);
  const x = boundedExchange(new URL(`${options.upstream.origin}${relay.base}${exchange.url}`), {
    method: exchange.method,
    headers,
    body,
    deadlineMs: relay.deadlineMs,
    capBytes: options.capBytes ?? ANSWER_CAP_BYTES,
    agent: relay.agent,
  });
  let why = 'the consumer left before the upstream answered';
  const handle = {
    abort: (reason?: string) => {
      if (reason !== undefined) why = reason;
      x.abort();
    },
  };
  relay.inFlight.add(handle);
  res.on('close', () => {
    if (!res.writableFinished) handle.abort();
  });
  x.answer
    .then(
      (answer) => answered(res, exchange, answer, { headers: req.headers, body }),
      (e: BoundedExchangeError) => unanswered(res, exchange, e, options.upstream, why),
    )
    .then(() => options.onExchange(exchange))
    .finally(() => {
      // Reported: only now may close() consider the exchange over.
      relay.inFlight.delete(handle);
      if (relay.inFlight.size === 0) for (const w of relay.drained.splice(0)) w();
    });
}

/** The upstream answered: pass it on, then judge the endpoint's exchange. */
function answered(
  res: ServerResponse,
  exchange: Exchange,
  answer: BoundedAnswer,
  sent: { headers: IncomingMessage['headers']; body: Buffer },
): void {
  exchange.status = answer.status;
  if (!passOn(res, answer)) {
    exchange.violations = [
      upstreamViolation(
        '',
        `the upstream's ${answer.status} answer could not be passed on; the consumer got 502`,
      ),
    ];
  } else if (exchange.checked) {
    exchange.answer = answer.body;
    const seen = checkRequest({ method: exchange.method, url: exchange.url, ...sent });
    exchange.violations = [...seen.violations, ...checkResponse(answer.status, answer.body, seen.request)];
  }
}

/** The upstream gave no answer to pass on: say why, to the consumer (502/504) and in the exchange. */
function unanswered(
  res: ServerResponse,
  exchange: Exchange,
  e: BoundedExchangeError,
  upstream: URL,
  why: string,
): void {
  if (e.kind === 'network') {
    exchange.upstreamError = e.code ?? e.message;
    answerError(
      res,
      502,
      `directearn proxy: upstream ${upstream.origin} did not answer (${exchange.upstreamError})`,
    );
    return;
  }
  if (e.status !== undefined) exchange.status = e.status;
  const message =
    e.kind === 'redirect'
      ? `the upstream ${e.message}; the consumer got 502`
      : e.kind === 'aborted'
        ? `${why}; the upstream request was aborted`
        : `the upstream broke a bound: ${e.message}; the consumer got ${e.kind === 'deadline' ? 504 : 502}`;
  exchange.violations = [upstreamViolation(e.kind === 'redirect' ? 'header location' : '', message)];
  answerError(res, e.kind === 'deadline' ? 504 : 502, `directearn proxy: ${message}`);
}
