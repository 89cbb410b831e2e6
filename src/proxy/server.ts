// The validating proxy's listener: every request is read whole, sent on to the upstream as it came
// (method, path, end-to-end headers, body bytes; only Host names the upstream), and the upstream's
// answer is returned as it came; then the endpoint's exchanges are checked and reported through
// `onExchange`. A well-behaved intermediary (RFC 9110): hop-by-hop headers dropped both ways,
// non-canonical or absolute-form targets refused, the admin routes' Host/Origin rules kept, every
// upstream answer bounded (no redirect passed on, size cap, total deadline), errors answered 502.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
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
import { checkRequest, checkResponse, isEndpointCall, type Violation } from './check.js';
import { checkRequestTarget } from './target.js';

/** Largest request body the proxy holds in memory (a 1000-customer request is ~50 KB). */
export const PROXY_BODY_CAP_BYTES = 64 * 1024 * 1024;

/** Default total time the upstream has for one answer, headers and body. */
export const PROXY_DEADLINE_MS = 60_000;

/** How long exchanges still waiting on the upstream get when the proxy stops, before they are aborted. */
export const PROXY_STOP_GRACE_MS = 2_000;

/** Headers of one connection, never forwarded either way (RFC 9110 §7.6.1), plus the proxy's own. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  // The proxy reads the whole body before forwarding: nothing is left to continue.
  'expect',
  // Re-set from the body actually sent.
  'content-length',
]);

/**
 * The hop-by-hop names of a message: the fixed set plus every name its Connection header lists. The
 * usual `Connection: keep-alive` (or close) lists nothing new: the fixed set, not a copy per message.
 */
function hopByHop(connection: string | string[] | undefined): ReadonlySet<string> {
  if (connection === undefined) return HOP_BY_HOP;
  let names: Set<string> | undefined;
  for (const v of Array.isArray(connection) ? connection : [connection]) {
    for (const raw of v.split(',')) {
      const n = raw.trim().toLowerCase();
      if (n === '' || n === 'close' || HOP_BY_HOP.has(n)) continue;
      names ??= new Set(HOP_BY_HOP);
      names.add(n);
    }
  }
  return names ?? HOP_BY_HOP;
}

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

function answerError(res: ServerResponse, status: number, message: string): void {
  if (res.headersSent || res.destroyed) return;
  // In the spec's error shape, so a consumer's client reads it like any error of the endpoint.
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', connection: 'close' });
  res.end(JSON.stringify({ errors: [{ status: false, code: status, message }] }));
}

/** Starts the proxy; resolves once it listens. */
export function startProxy(options: ProxyOptions): Promise<ProxyListening> {
  const base = options.upstream.pathname.replace(/\/+$/, '');
  const deadlineMs = options.timeoutMs ?? exchangeDeadlineMs(process.env, PROXY_DEADLINE_MS);
  const inFlight = new Set<{ abort(why?: string): void }>();
  const drained: (() => void)[] = [];
  // Keep-alive to the upstream (a consumer's traffic is many small exchanges); destroyed on close.
  const agent = keepAliveAgent(options.upstream);
  let stopping = false;
  let seq = 0;
  const server = createServer((req, res) => {
    const n = ++seq;
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const exchange: Exchange = { seq: n, method, url, checked: false, violations: [] };
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
      if (tooBig) {
        exchange.upstreamError = 'request body over the proxy cap, not forwarded';
        answerError(
          res,
          413,
          `directearn proxy: bodies over ${PROXY_BODY_CAP_BYTES} bytes are not forwarded`,
        );
        options.onExchange(exchange);
        return;
      }
      const drop = hopByHop(req.headers.connection);
      const headers: Record<string, string | string[] | undefined> = {};
      for (const [name, value] of Object.entries(req.headers)) if (!drop.has(name)) headers[name] = value;
      headers.host = options.upstream.host;
      headers['content-length'] = String(body.length);
      const x = boundedExchange(new URL(`${options.upstream.origin}${base}${url}`), {
        method,
        headers,
        body,
        deadlineMs,
        capBytes: options.capBytes ?? ANSWER_CAP_BYTES,
        agent,
      });
      let why = 'the consumer left before the upstream answered';
      const handle = {
        abort: (reason?: string) => {
          if (reason !== undefined) why = reason;
          x.abort();
        },
      };
      inFlight.add(handle);
      res.on('close', () => {
        if (!res.writableFinished) handle.abort();
      });
      x.answer
        .then(
          (answer) => {
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
              const seen = checkRequest({ method, url, headers: req.headers, body });
              exchange.violations = [
                ...seen.violations,
                ...checkResponse(answer.status, answer.body, seen.request),
              ];
            }
            options.onExchange(exchange);
          },
          (e: BoundedExchangeError) => {
            if (e.kind === 'network') {
              exchange.upstreamError = e.code ?? e.message;
              answerError(
                res,
                502,
                `directearn proxy: upstream ${options.upstream.origin} did not answer (${exchange.upstreamError})`,
              );
            } else {
              if (e.status !== undefined) exchange.status = e.status;
              const message =
                e.kind === 'redirect'
                  ? `the upstream ${e.message}; the consumer got 502`
                  : e.kind === 'aborted'
                    ? `${why}; the upstream request was aborted`
                    : `the upstream broke a bound: ${e.message}; the consumer got ${e.kind === 'deadline' ? 504 : 502}`;
              exchange.violations = [
                upstreamViolation(e.kind === 'redirect' ? 'header location' : '', message),
              ];
              answerError(res, e.kind === 'deadline' ? 504 : 502, `directearn proxy: ${message}`);
            }
            options.onExchange(exchange);
          },
        )
        .finally(() => {
          // Reported: only now may close() consider the exchange over.
          inFlight.delete(handle);
          if (inFlight.size === 0) for (const w of drained.splice(0)) w();
        });
    });
  });
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
        close: async () => {
          if (stopping) return;
          stopping = true;
          // Answers in flight finish (the last one may be what --max-requests counted); idle
          // keep-alive connections close now; what still waits on the upstream after the grace
          // is aborted and reported, so a hung upstream cannot keep the proxy alive.
          const grace = setTimeout(() => {
            for (const h of [...inFlight]) h.abort('unanswered when the proxy stopped');
            setImmediate(() => server.closeAllConnections());
          }, PROXY_STOP_GRACE_MS);
          const closed = new Promise<void>((r) => server.close(() => r()));
          server.closeIdleConnections();
          const idle = inFlight.size === 0 ? undefined : new Promise<void>((r) => drained.push(r));
          await Promise.all([closed, idle]);
          clearTimeout(grace);
          agent.destroy();
        },
      });
    });
  });
}

/** Sends the upstream's answer on, hop-by-hop headers dropped; false when Node refused its head. */
function passOn(res: ServerResponse, answer: BoundedAnswer): boolean {
  if (res.destroyed) return true;
  const drop = hopByHop(answer.headers.connection);
  const raw: string[] = [];
  for (let i = 0; i + 1 < answer.rawHeaders.length; i += 2) {
    const name = answer.rawHeaders[i] as string;
    if (!drop.has(name.toLowerCase())) raw.push(name, answer.rawHeaders[i + 1] as string);
  }
  raw.push('Content-Length', String(answer.body.length));
  try {
    res.writeHead(answer.status, answer.statusMessage, raw);
  } catch {
    answerError(res, 502, 'directearn proxy: the upstream answer has a head that cannot be sent on');
    return false;
  }
  res.end(answer.body);
  return true;
}

function readAll(req: IncomingMessage, done: (body: Buffer, tooBig: boolean) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let over = false;
  req.on('data', (c: Buffer) => {
    size += c.length;
    if (size > PROXY_BODY_CAP_BYTES) over = true;
    else chunks.push(c);
  });
  req.on('end', () => done(over ? Buffer.alloc(0) : Buffer.concat(chunks, size), over));
  req.on('error', () => undefined);
}
