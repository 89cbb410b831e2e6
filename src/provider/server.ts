// The listener of the reference provider: node:http in, `provider.respond` out. It asks the provider
// to refuse what it can from the head (route, auth, method, content type, declared length) before
// reading a body, so an unauthenticated client pins no memory; bodies have a deadline (408), heads
// too, connections are capped, and a pipelined request already taken is answered before a parse
// error closes the connection. The per-request path makes no closure, timer or listener unless a
// body is still arriving: README's provider section has what each protection costs.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { DEFAULT_HOST } from '../config/defaults.js';
import { messageFor } from '../openapi/index.js';
import {
  createProvider,
  type Provider,
  type ProviderOptions,
  type ProviderRequest,
  type ProviderResponse,
} from './index.js';

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

/**
 * Per connection, made once when its first request comes (no per-request state lives anywhere
 * else): answers still owed, the last answer in wire order, the request whose body is being read
 * as it arrives, and a parse error to send once the owed answers are out.
 */
class Connection {
  owed = 0;
  last: ServerResponse | undefined = undefined;
  reading: Exchange | undefined = undefined;
  pendingError: string | undefined = undefined;

  constructor(readonly socket: Socket) {}
}

/** One request in flight: its head (the provider request, filled with the body once read) and its answer. */
interface Exchange {
  readonly conn: Connection;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly head: ProviderRequest;
  readonly limit: number;
  /** Answered (or answering): a body event or deadline after it does nothing. */
  done: boolean;
}

const kConnection = Symbol('directearn.connection');
type TrackedSocket = Socket & { [kConnection]?: Connection };

/** The listener's request handling for one provider: what runs per request, with no closure made per request. */
class Serve {
  /** Requests whose bodies are read in the next check phase, in arrival order. */
  private waiting: Exchange[] = [];
  private scheduled = false;
  /** Bound once: reads the bodies of the waiting requests once node has parsed what it read. */
  private readonly drain = () => {
    this.scheduled = false;
    const waiting = this.waiting;
    this.waiting = [];
    for (let i = 0; i < waiting.length; i++) this.readBody(waiting[i] as Exchange);
  };

  constructor(
    private readonly provider: Provider,
    readonly requestTimeoutMs: number,
  ) {}

  connectionOf(socket: TrackedSocket): Connection {
    let conn = socket[kConnection];
    if (conn === undefined) {
      conn = new Connection(socket);
      socket[kConnection] = conn;
    }
    return conn;
  }

  /** The 'request' handler: head checks, then the body is read once the parser's chunk is done. */
  onRequest(req: IncomingMessage, res: ServerResponse): void {
    const conn = this.connectionOf(req.socket);
    conn.owed++;
    // Answers go out in request order (node queues an early one): this one is the last on the wire.
    conn.last = res;
    const url = req.url ?? '/';
    const admin = url.startsWith('/_admin');
    const head: ProviderRequest = {
      method: req.method ?? 'GET',
      url,
      headers: req.headers,
      // Only the admin routes need the peer address (a syscall per request otherwise).
      remoteAddress: admin ? (req.socket.remoteAddress ?? '') : undefined,
      body: undefined,
      bodyOverLimit: false,
    };
    if (refusedFromHead(this.provider, head)) {
      // Refused from the head: the body is never buffered. A small one is dropped by node and the
      // connection lives on; a large or unknown one is not read, and the connection closes.
      const declared = Number(req.headers['content-length'] ?? 0);
      const big = req.headers['transfer-encoding'] !== undefined || !(declared <= DISCARD_BODY_BYTES);
      this.answer(conn, res, head, big);
      return;
    }
    // Read per request: a provider state (request bodies are limited to N bytes) changes it live.
    // The admin routes keep room for state-change bodies however low a state set the limit.
    const limit = admin
      ? Math.max(this.provider.options.bodyLimit, ADMIN_BODY_LIMIT_BYTES)
      : this.provider.options.bodyLimit;
    // node parses the rest of what it read (the body, often) after this handler returns, and runs
    // microtasks in between: one immediate per turn of the event loop, for every connection, finds
    // small bodies complete and reads each in one call, with no listener on the request.
    this.waiting.push({ conn, req, res, head, limit, done: false });
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.drain);
    }
  }

  /**
   * Reads the body up to `limit` bytes: at once when node has parsed all of it, else as it
   * arrives. Over the limit it stops keeping bytes but drains the rest up to a cap, so a client that
   * sends its whole body before reading (k6, fetch) gets the 413 instead of a connection reset;
   * past the cap it answers at once and closes.
   */
  readBody(x: Exchange): void {
    const req = x.req;
    if (req.complete) {
      const body = req.read() as Buffer | null;
      const size = body === null ? 0 : body.length;
      if (size > x.limit) this.answerBody(x, EMPTY, true, false);
      else this.answerBody(x, body ?? EMPTY, false, false);
      return;
    }
    // The body goes on past this chunk (large, or slow): read it as it comes, under the deadline.
    x.conn.reading = x;
    const cap = Math.max(x.limit * 4, DRAIN_CAP_BYTES);
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      if (x.done) return;
      size += chunk.length;
      if (size > cap) {
        this.answerBody(x, EMPTY, true, true);
        return;
      }
      if (size > x.limit) chunks.length = 0;
      else chunks.push(chunk);
    });
    req.on('end', () => {
      if (x.done) return;
      if (size > x.limit) this.answerBody(x, EMPTY, true, false);
      else
        this.answerBody(
          x,
          chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size),
          false,
          false,
        );
    });
  }

  private answerBody(x: Exchange, body: Buffer, overLimit: boolean, close: boolean): void {
    x.done = true;
    if (x.conn.reading === x) x.conn.reading = undefined;
    x.head.body = body;
    x.head.bodyOverLimit = overLimit;
    this.answer(x.conn, x.res, x.head, close);
  }

  /** Answers a request through the provider: at once when its answer is ready, else when it is. */
  answer(conn: Connection, res: ServerResponse, request: ProviderRequest, close: boolean): void {
    let a: ProviderResponse | Promise<ProviderResponse>;
    try {
      a = this.provider.respond(request);
    } catch {
      a = INTERNAL_ERROR;
    }
    if (a instanceof Promise)
      a.then(
        (late) => send(conn, res, late, close),
        () => send(conn, res, INTERNAL_ERROR, close),
      );
    else send(conn, res, a, close);
  }

  /**
   * node's own deadlines (one interval per server checks every connection: no timer per request)
   * end here. A body still being read gets its 408 on its own response; a head that did not arrive
   * gets a raw 408 after the answers owed on the connection.
   */
  onTimeout(conn: Connection, headersTimeoutMs: number): string | undefined {
    const x = conn.reading;
    if (x === undefined) {
      return rawResponse(
        408,
        'Request Timeout',
        timeoutBody(Math.min(headersTimeoutMs, this.requestTimeoutMs)),
      );
    }
    x.done = true;
    conn.reading = undefined;
    x.req.pause();
    send(conn, x.res, { status: 408, headers: JSON_HEADERS, body: timeoutBody(this.requestTimeoutMs) }, true);
    return undefined;
  }
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
  // `Expect: 100-continue` (curl sends it for large bodies): a request refused from its head gets
  // its answer instead of the 100, so the client never sends the body at all.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    const refused = refusedFromHead(provider, {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers: req.headers,
      remoteAddress: req.url?.startsWith('/_admin') ? (req.socket.remoteAddress ?? '') : undefined,
    });
    if (!refused) res.writeContinue();
    server.emit('request', req, res);
  });
  // Set after creation: node refuses a headersTimeout above requestTimeout in the options, and a
  // request deadline shorter than the head's is a valid choice here (the first to pass answers).
  server.headersTimeout = headersTimeout;
  server.requestTimeout = requestTimeoutMs;
  server.maxConnections = opts.maxConnections ?? DEFAULT_MAX_CONNECTIONS;

  // A request node cannot parse (bad request line or headers) or that missed a deadline still gets
  // a spec-shaped answer, after the answers owed to requests read before it on the connection.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: TrackedSocket) => {
    if (!socket.writable) return socket.destroy();
    const conn = serve.connectionOf(socket);
    const timedOut = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' || err.code === 'ERR_HTTP_HEADERS_TIMEOUT';
    const raw = timedOut
      ? serve.onTimeout(conn, server.headersTimeout)
      : rawResponse(400, 'Bad Request', errorBody(400));
    if (raw === undefined) return;
    if (conn.owed > 0) conn.pendingError = raw;
    else if (conn.last !== undefined && !conn.last.writableFinished) writeAfter(conn.last, socket, raw);
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

/** Writes an answer (`close`: with `Connection: close`, and node closes the connection after it). */
function send(conn: Connection, res: ServerResponse, a: ProviderResponse, close: boolean): void {
  if (!res.headersSent && !res.destroyed) {
    // A flat list, so the provider's (shared, frozen) headers are read, never copied or changed;
    // Content-Length is set here, or node frames a body after writeHead as chunked.
    const list: string[] = [];
    const headers = a.headers;
    for (const name in headers) list.push(name, headers[name] as string);
    list.push('content-length', String(Buffer.byteLength(a.body)));
    if (close) list.push('connection', 'close');
    res.writeHead(a.status, list);
    res.end(a.body);
  }
  if (--conn.owed === 0 && conn.pendingError !== undefined) {
    const raw = conn.pendingError;
    conn.pendingError = undefined;
    writeAfter(conn.last ?? res, conn.socket, raw);
  }
}

/** Writes a raw answer and closes once `res` (the last answer owed on the connection) is out. */
function writeAfter(res: ServerResponse, socket: Socket, raw: string): void {
  if (res.writableFinished || res.destroyed) writeRawAndEnd(socket, raw);
  else res.once('finish', () => writeRawAndEnd(socket, raw));
}

/** Whether the provider refuses a request from its head; a throwing check counts as a refusal (`handle` then answers 500). */
function refusedFromHead(provider: Provider, head: ProviderRequest): boolean {
  try {
    return provider.preflight(head) !== undefined;
  } catch {
    return true;
  }
}

const JSON_HEADERS: Record<string, string> = Object.freeze({
  'content-type': 'application/json; charset=utf-8',
});
const INTERNAL_ERROR: ProviderResponse = { status: 500, headers: JSON_HEADERS, body: errorBody(500) };

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
