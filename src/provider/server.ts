// The listener of the reference provider: node:http in, `provider.handle` out. It asks the provider
// to refuse what it can from the head (route, auth, method, content type, declared length) before
// reading a body, so an unauthenticated client pins no memory; bodies have a deadline (408), heads
// too, connections are capped, and a pipelined request already taken is answered before a parse
// error closes the connection.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { DEFAULT_HOST } from '../config/defaults.js';
import { messageFor } from '../spec/index.js';
import { createProvider, type Provider, type ProviderOptions, type ProviderRequest } from './index.js';

/** Bytes of an over-limit body drained (and dropped) before answering 413, at least. */
const DRAIN_CAP_BYTES = 64 * 1024 * 1024;
const EMPTY = Buffer.alloc(0);
/** Body limit of the /_admin routes at least (state changes are small JSON documents). */
const ADMIN_BODY_LIMIT_BYTES = 1024 * 1024;
/**
 * A refused request's body up to this size is read and dropped (node does it) so the connection
 * stays usable; a larger one is not read at all: the answer says `Connection: close`.
 */
const DISCARD_BODY_BYTES = 64 * 1024;

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

/** Per connection: answers still owed, and a parse error to report once they are sent. */
interface ConnectionState {
  owed: number;
  pendingError?: string;
}

/** Serves `provider` over HTTP/1.1 on host (default 127.0.0.1) and port (default 0: any free port). */
export function listen(provider: Provider, opts: ListenOptions = {}): Promise<Listening> {
  const host = opts.host ?? DEFAULT_HOST;
  const requestTimeoutMs = opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const connections = new WeakMap<Socket, ConnectionState>();
  const stateOf = (socket: Socket): ConnectionState => {
    let state = connections.get(socket);
    if (state === undefined) {
      state = { owed: 0 };
      connections.set(socket, state);
    }
    return state;
  };

  const headersTimeout = opts.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS;
  // node checks its head and request deadlines on this interval (30 s by default, too coarse for
  // short deadlines).
  const connectionsCheckingInterval = Math.max(50, Math.min(1_000, headersTimeout / 4, requestTimeoutMs / 4));
  const server = createServer({ keepAlive: true, connectionsCheckingInterval }, (req, res) => {
    const socket = req.socket;
    const state = stateOf(socket);
    state.owed++;
    res.once('close', () => {
      state.owed--;
      if (state.owed === 0 && state.pendingError !== undefined) writeRawAndEnd(socket, state.pendingError);
    });
    const admin = req.url?.startsWith('/_admin') === true;
    const head: ProviderRequest = {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers: req.headers,
      // Only the admin routes need the peer address (a syscall per request otherwise).
      remoteAddress: admin ? (socket.remoteAddress ?? '') : undefined,
    };
    const answer = (request: ProviderRequest, close: boolean) =>
      provider.handle(request).then(
        (a) => {
          if (close) a.headers.connection = 'close';
          send(res, a.status, a.headers, a.body);
        },
        () => send(res, 500, { 'content-type': 'application/json; charset=utf-8' }, errorBody(500)),
      );

    if (provider.preflight(head) !== undefined) {
      // Refused from the head: the body is never buffered. A small one is dropped by node and the
      // connection lives on; a large or unknown one is not read, and the connection closes.
      const declared = Number(req.headers['content-length'] ?? 0);
      const big = req.headers['transfer-encoding'] !== undefined || !(declared <= DISCARD_BODY_BYTES);
      void answer(head, big && !req.complete);
      return;
    }
    // Read per request: a provider state (request bodies are limited to N bytes) changes it live.
    // The admin routes keep room for state-change bodies however low a state set the limit.
    const limit = admin
      ? Math.max(provider.options.bodyLimit, ADMIN_BODY_LIMIT_BYTES)
      : provider.options.bodyLimit;
    const timer = setTimeout(() => {
      finished = true;
      req.pause();
      send(
        res,
        408,
        { 'content-type': 'application/json; charset=utf-8', connection: 'close' },
        timeoutBody(requestTimeoutMs),
      );
    }, requestTimeoutMs);
    let finished = false;
    readBody(req, limit, (body, overLimit, early) => {
      clearTimeout(timer);
      if (finished) return;
      finished = true;
      void answer({ ...head, body, bodyOverLimit: overLimit }, early);
    });
  });
  // `Expect: 100-continue` (curl sends it for large bodies): a request refused from its head gets
  // its answer instead of the 100, so the client never sends the body at all.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    const refused = provider.preflight({
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers: req.headers,
      remoteAddress: req.url?.startsWith('/_admin') ? (req.socket.remoteAddress ?? '') : undefined,
    });
    if (refused === undefined) res.writeContinue();
    server.emit('request', req, res);
  });
  server.headersTimeout = headersTimeout;
  // node's own deadline backs up the body timer above (and bounds bodies of refused requests).
  server.requestTimeout = Math.max(requestTimeoutMs + 5_000, server.headersTimeout);
  server.maxConnections = opts.maxConnections ?? DEFAULT_MAX_CONNECTIONS;

  // A request node cannot parse (bad request line or headers, a head too slow) still gets a
  // spec-shaped answer, after the answers owed to requests read before it on the connection.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable) return socket.destroy();
    const timedOut = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' || err.code === 'ERR_HTTP_HEADERS_TIMEOUT';
    const raw = timedOut
      ? rawResponse(408, 'Request Timeout', timeoutBody(server.headersTimeout))
      : rawResponse(400, 'Bad Request', errorBody(400));
    const state = connections.get(socket);
    if (state !== undefined && state.owed > 0) state.pendingError = raw;
    else writeRawAndEnd(socket, raw);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
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

/**
 * Reads the body up to `limit` bytes. Over the limit it stops keeping bytes but drains the rest up to
 * a cap, so a client that sends its whole body before reading (k6, fetch) gets the 413 instead of a
 * connection reset; past the cap it answers at once and closes (`early`).
 */
function readBody(
  req: IncomingMessage,
  limit: number,
  done: (body: Buffer, overLimit: boolean, early: boolean) => void,
): void {
  const cap = Math.max(limit * 4, DRAIN_CAP_BYTES);
  const chunks: Buffer[] = [];
  let size = 0;
  let finished = false;
  req.on('data', (chunk: Buffer) => {
    if (finished) return;
    size += chunk.length;
    if (size > cap) {
      finished = true;
      done(EMPTY, true, true);
      return;
    }
    if (size > limit) chunks.length = 0;
    else chunks.push(chunk);
  });
  req.on('end', () => {
    if (finished) return;
    finished = true;
    if (size > limit) done(EMPTY, true, false);
    else done(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size), false, false);
  });
  req.on('error', () => {
    finished = true;
  });
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  if (res.headersSent || res.destroyed) return;
  headers['content-length'] = String(Buffer.byteLength(body));
  res.writeHead(status, headers);
  res.end(body);
}

function writeRawAndEnd(socket: Socket, raw: string): void {
  if (socket.writable) socket.end(raw);
  else socket.destroy();
}

function rawResponse(status: number, reason: string, body: string): string {
  return `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

function errorBody(status: number): string {
  return JSON.stringify({ errors: [{ status: false, code: status, message: messageFor(status, 'http') }] });
}

/** 408 is the listener's own answer (not a case of the endpoint's catalogue), so its message lives here. */
function timeoutBody(ms: number): string {
  const message = `the request did not arrive within ${ms / 1000} s`;
  return JSON.stringify({ errors: [{ status: false, code: 408, message }] });
}
