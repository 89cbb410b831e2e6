// One connection of the provider's listener (server.ts) and the answers owed on it, in wire order:
// an answer is written with its length (and `Connection: close` when the connection must end), and
// a raw answer node's parser asked for (400, a head's 408) goes out only after the answers owed to
// requests read before it. The per-connection state is made once, on the connection's first request.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { messageFor } from '../openapi/index.js';
import type { ProviderRequest, ProviderResponse } from './index.js';

/**
 * Per connection, made once when its first request comes (no per-request state lives anywhere
 * else): answers still owed, the last answer in wire order, the request whose body is being read
 * as it arrives, and a parse error to send once the owed answers are out.
 */
export class Connection {
  owed = 0;
  last: ServerResponse | undefined = undefined;
  reading: Exchange | undefined = undefined;
  pendingError: string | undefined = undefined;

  constructor(readonly socket: Socket) {}
}

/** One request in flight: its head (the provider request, filled with the body once read) and its answer. */
export interface Exchange {
  readonly conn: Connection;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly head: ProviderRequest;
  readonly limit: number;
  /** Answered (or answering): a body event or deadline after it does nothing. */
  done: boolean;
}

const kConnection = Symbol('directearn.connection');
export type TrackedSocket = Socket & { [kConnection]?: Connection };

/** The connection of a socket, made on its first request (or its first parse error). */
export function connectionOf(socket: TrackedSocket): Connection {
  let conn = socket[kConnection];
  if (conn === undefined) {
    conn = new Connection(socket);
    socket[kConnection] = conn;
  }
  return conn;
}

/** Writes an answer (`close`: with `Connection: close`, and node closes the connection after it). */
export function send(conn: Connection, res: ServerResponse, a: ProviderResponse, close: boolean): void {
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
export function writeAfter(res: ServerResponse, socket: Socket, raw: string): void {
  if (res.writableFinished || res.destroyed) writeRawAndEnd(socket, raw);
  else res.once('finish', () => writeRawAndEnd(socket, raw));
}

export const JSON_HEADERS: Record<string, string> = Object.freeze({
  'content-type': 'application/json; charset=utf-8',
});
export const INTERNAL_ERROR: ProviderResponse = { status: 500, headers: JSON_HEADERS, body: errorBody(500) };

export function writeRawAndEnd(socket: Socket, raw: string): void {
  if (socket.writable) socket.end(raw);
  else socket.destroy();
}

export function rawResponse(status: number, reason: string, body: string): string {
  return `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

export function errorBody(status: number): string {
  return JSON.stringify({ errors: [{ status: false, code: status, message: messageFor(status, 'http') }] });
}

/** 408 is the listener's own answer (not a case of the endpoint's catalogue), so its message lives here. */
export function timeoutBody(ms: number): string {
  const message = `the request did not arrive within ${ms / 1000} s`;
  return JSON.stringify({ errors: [{ status: false, code: 408, message }] });
}
