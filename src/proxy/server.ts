// The validating proxy's listener: every request is read whole, sent on to the upstream as it came
// (method, path, headers, body bytes; only Host names the upstream), and the upstream's answer is
// returned as it came; then the endpoint's exchanges are checked and reported through `onExchange`.
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
} from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { checkRequest, checkResponse, isEndpointCall, type Violation } from './check.js';

/** Largest request or answer body the proxy holds in memory (a 1000-customer request is ~50 KB). */
export const PROXY_BODY_CAP_BYTES = 64 * 1024 * 1024;

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
  violations: Violation[];
  /** Why the upstream gave no answer (connection refused, timeout, ...). */
  upstreamError?: string;
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
  /** How long to wait for the upstream's answer (default 60 s). */
  timeoutMs?: number;
}

export interface ProxyListening {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Starts the proxy; resolves once it listens. */
export function startProxy(options: ProxyOptions): Promise<ProxyListening> {
  const base = options.upstream.pathname.replace(/\/+$/, '');
  let seq = 0;
  const server = createServer((req, res) => {
    const n = ++seq;
    readAll(req, (body, tooBig) => {
      const method = req.method ?? 'GET';
      const url = req.url ?? '/';
      const checked = isEndpointCall(method, url);
      const exchange: Exchange = { seq: n, method, url, checked, violations: [] };
      if (tooBig) {
        res.writeHead(413, { 'content-type': 'text/plain', connection: 'close' });
        res.end(`directearn proxy: bodies over ${PROXY_BODY_CAP_BYTES} bytes are not forwarded\n`);
        exchange.upstreamError = 'request body over the proxy cap, not forwarded';
        options.onExchange(exchange);
        return;
      }
      forward(options, `${base}${url}`, method, req.headers, body, (answer) => {
        if ('error' in answer) {
          // In the spec's error shape, so a consumer's client reads it like any 5XX of the endpoint.
          const message = `directearn proxy: upstream ${options.upstream.origin} did not answer (${answer.error})`;
          res.writeHead(502, { 'content-type': 'application/json; charset=utf-8' });
          res.end(JSON.stringify({ errors: [{ status: false, code: 502, message }] }));
          exchange.upstreamError = answer.error;
          options.onExchange(exchange);
          return;
        }
        res.writeHead(answer.status, answer.statusMessage, answer.rawHeaders);
        res.end(answer.body);
        exchange.status = answer.status;
        if (checked) {
          exchange.answer = answer.body;
          const seen = checkRequest({ method, url, headers: req.headers, body });
          exchange.violations = [
            ...seen.violations,
            ...checkResponse(answer.status, answer.body, seen.request),
          ];
        }
        options.onExchange(exchange);
      });
    });
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
        close: () =>
          new Promise<void>((done) => {
            // Answers in flight finish (the last one may be what --max-requests counted); idle
            // keep-alive connections close now, any others after a grace period.
            server.close(() => done());
            server.closeIdleConnections();
            setTimeout(() => server.closeAllConnections(), 2_000).unref();
          }),
      });
    });
  });
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

type Answer =
  | { status: number; statusMessage: string; rawHeaders: string[]; body: Buffer }
  | { error: string };

function forward(
  options: ProxyOptions,
  path: string,
  method: string,
  headers: IncomingHttpHeaders,
  body: Buffer,
  onAnswer: (answer: Answer) => void,
): void {
  const { upstream } = options;
  let answered = false;
  const done = (answer: Answer) => {
    if (answered) return;
    answered = true;
    onAnswer(answer);
  };
  const send = upstream.protocol === 'https:' ? httpsRequest : httpRequest;
  // The body is sent whole with its length, so a chunked request's framing header must not go along.
  const { 'transfer-encoding': _te, ...rest } = headers;
  const out = send(
    {
      protocol: upstream.protocol,
      hostname: upstream.hostname.replace(/^\[|\]$/g, ''),
      port: upstream.port === '' ? undefined : Number(upstream.port),
      method,
      path,
      headers: { ...rest, host: upstream.host, 'content-length': String(body.length) },
      timeout: options.timeoutMs ?? 60_000,
    },
    (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        // The answer is re-sent whole: drop the upstream's framing, keep every other header.
        const raw: string[] = [];
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
          const name = res.rawHeaders[i] as string;
          if (!/^(transfer-encoding|content-length|connection|keep-alive)$/i.test(name))
            raw.push(name, res.rawHeaders[i + 1] as string);
        }
        done({
          status: res.statusCode ?? 502,
          statusMessage: res.statusMessage ?? '',
          rawHeaders: raw,
          body: Buffer.concat(chunks),
        });
      });
      res.on('error', (e) => done({ error: e.message }));
    },
  );
  out.on('timeout', () => out.destroy(new Error(`no answer within ${options.timeoutMs ?? 60_000} ms`)));
  out.on('error', (e: NodeJS.ErrnoException) => done({ error: e.code ?? e.message }));
  out.end(body);
}
