// The listener's handling of one request (server.ts listens): refuse what the provider can from the
// head before any body is read (an unauthenticated client pins no memory), read small bodies whole
// in one call once node has parsed them and larger ones as they arrive up to the limit (and a drain
// cap past it), answer through `provider.respond`, and end a body that missed its deadline with 408.
// The per-request path makes no closure, timer or listener unless a body is still arriving.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Provider, ProviderRequest, ProviderResponse } from './index.js';
import {
  type Connection,
  connectionOf,
  type Exchange,
  INTERNAL_ERROR,
  JSON_HEADERS,
  rawResponse,
  send,
  timeoutBody,
} from './listener-connection.js';

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

/** The listener's request handling for one provider: what runs per request, with no closure made per request. */
export class Serve {
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

  /** The 'request' handler: head checks, then the body is read once the parser's chunk is done. */
  onRequest(req: IncomingMessage, res: ServerResponse): void {
    const conn = connectionOf(req.socket);
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

/** Whether the provider refuses a request from its head; a throwing check counts as a refusal (`handle` then answers 500). */
export function refusedFromHead(provider: Provider, head: ProviderRequest): boolean {
  try {
    return provider.preflight(head) !== undefined;
  } catch {
    return true;
  }
}
