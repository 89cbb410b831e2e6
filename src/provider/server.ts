// The listener of the reference provider: node:http in, `provider.respond` out. It asks the provider
// to refuse what it can from the head (route, auth, method, content type, declared length) before
// reading a body, so an unauthenticated client pins no memory; bodies have a deadline (408), heads
// too, connections are capped, and a pipelined request already taken is answered before a parse
// error closes the connection. The per-request path makes no closure, timer or listener unless a
// body is still arriving: docs/benchmarks.md (Provider) has what each protection costs.
// Here the server: node's own deadlines and connection cap set once, `Expect: 100-continue`
// answered from the head, and a request node cannot parse answered after those owed before it.
// One request's handling: listener-requests.ts; a connection's answers in order: listener-connection.ts.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_HOST } from '../config/defaults.js';
import { createProvider, type Provider, type ProviderOptions } from './index.js';
import {
  connectionOf,
  errorBody,
  rawResponse,
  type TrackedSocket,
  writeAfter,
  writeRawAndEnd,
} from './listener-connection.js';
import { refusedFromHead, Serve } from './listener-requests.js';

/** Defaults of the listener's limits (the serve flags document them). */
export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_CONNECTIONS = 1024;

export interface ListenOptions {
  /** Listen address (default 127.0.0.1). */
  host?: string;
  /** Port (default 0: any free port). */
  port?: number;
  /** Time for a request line and headers to arrive; then the connection gets 408 and closes. */
  headersTimeoutMs?: number;
  /** Time for a whole request (head and body) to arrive; a slower body is answered 408. */
  requestTimeoutMs?: number;
  /** Connections open at once; more are closed on arrival. */
  maxConnections?: number;
}

export interface Listening {
  /** Base URL, e.g. http://127.0.0.1:8080 */
  url: string;
  /** The port listened on (useful with port 0). */
  port: number;
  close(): Promise<void>;
}

/** Serves `provider` over HTTP/1.1 on host (default 127.0.0.1) and port (default 0: any free port). */
export function listen(provider: Provider, opts: ListenOptions = {}): Promise<Listening> {
  const host = opts.host ?? DEFAULT_HOST;
  const requestTimeoutMs = opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const headersTimeout = opts.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS;
  const serve = new Serve(provider, requestTimeoutMs);
  // node checks its head and request deadlines on this interval (30 s by default, too coarse for
  // short deadlines): the one deadline mechanism, per server, with nothing armed per request.
  const connectionsCheckingInterval = Math.max(50, Math.min(1_000, headersTimeout / 4, requestTimeoutMs / 4));
  const server = createServer({ keepAlive: true, connectionsCheckingInterval }, (req, res) =>
    serve.onRequest(req, res),
  );
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) =>
    answerContinue(server, provider, req, res),
  );
  // Set after creation: node refuses a headersTimeout above requestTimeout in the options, and a
  // request deadline shorter than the head's is a valid choice here (the first to pass answers).
  server.headersTimeout = headersTimeout;
  server.requestTimeout = requestTimeoutMs;
  server.maxConnections = opts.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  server.on('clientError', (err: NodeJS.ErrnoException, socket: TrackedSocket) =>
    answerClientError(server, serve, err, socket),
  );
  return listenOn(server, host, opts.port ?? 0);
}

/**
 * `Expect: 100-continue` (curl sends it for large bodies): a request refused from its head gets
 * its answer instead of the 100, so the client never sends the body at all.
 */
function answerContinue(server: Server, provider: Provider, req: IncomingMessage, res: ServerResponse): void {
  const refused = refusedFromHead(provider, {
    method: req.method ?? 'GET',
    url: req.url ?? '/',
    headers: req.headers,
    remoteAddress: req.url?.startsWith('/_admin') ? (req.socket.remoteAddress ?? '') : undefined,
  });
  if (!refused) res.writeContinue();
  server.emit('request', req, res);
}

/**
 * A request node cannot parse (bad request line or headers) or that missed a deadline still gets
 * a spec-shaped answer, after the answers owed to requests read before it on the connection.
 */
function answerClientError(
  server: Server,
  serve: Serve,
  err: NodeJS.ErrnoException,
  socket: TrackedSocket,
): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const conn = connectionOf(socket);
  const timedOut = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' || err.code === 'ERR_HTTP_HEADERS_TIMEOUT';
  const raw = timedOut
    ? serve.onTimeout(conn, server.headersTimeout)
    : rawResponse(400, 'Bad Request', errorBody(400));
  if (raw === undefined) return;
  if (conn.owed > 0) conn.pendingError = raw;
  else if (conn.last !== undefined && !conn.last.writableFinished) writeAfter(conn.last, socket, raw);
  else writeRawAndEnd(socket, raw);
}

/** Listens, and resolves with the URL (an IPv6 host in brackets) and a close that ends every connection. */
function listenOn(server: Server, host: string, port: number): Promise<Listening> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const { port } = server.address() as AddressInfo;
      const shownHost = host.includes(':') ? `[${host}]` : host;
      resolve({
        url: `http://${shownHost}:${port}`,
        port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

/** Creates a provider and serves it: what tests and other commands use for a live target. */
export async function startProvider(
  options: ProviderOptions & ListenOptions = {},
): Promise<{ url: string; provider: Provider; close(): Promise<void> }> {
  const { host, port, headersTimeoutMs, requestTimeoutMs, maxConnections, ...providerOptions } = options;
  const provider = createProvider(providerOptions);
  const listening = await listen(provider, {
    host,
    port,
    headersTimeoutMs,
    requestTimeoutMs,
    maxConnections,
  });
  return { url: listening.url, provider, close: listening.close };
}
