// The thin listener of the reference provider: node:http in, `provider.handle` out, nothing else.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_HOST } from '../config/defaults.js';
import { messageFor } from '../spec/index.js';
import { createProvider, type Provider, type ProviderOptions, type ProviderRequest } from './index.js';

/** Bytes of an over-limit body drained (and dropped) before answering 413, at least. */
const DRAIN_CAP_BYTES = 64 * 1024 * 1024;
const EMPTY = Buffer.alloc(0);
/** Body limit of the /_admin routes at least (state changes are small JSON documents). */
const ADMIN_BODY_LIMIT_BYTES = 1024 * 1024;

export interface Listening {
  /** Base URL, e.g. http://127.0.0.1:8080 */
  url: string;
  close(): Promise<void>;
}

/** Serves `provider` over HTTP/1.1 on host (default 127.0.0.1) and port (default 0: any free port). */
export function listen(provider: Provider, opts: { host?: string; port?: number } = {}): Promise<Listening> {
  const host = opts.host ?? DEFAULT_HOST;
  const server = createServer({ keepAlive: true }, (req, res) => {
    // Read per request: a provider state (request bodies are limited to N bytes) changes it live.
    // The admin routes keep room for state-change bodies however low a state set the limit.
    const limit = req.url?.startsWith('/_admin')
      ? Math.max(provider.options.bodyLimit, ADMIN_BODY_LIMIT_BYTES)
      : provider.options.bodyLimit;
    readBody(req, limit, (body, overLimit, early) => {
      const request: ProviderRequest = {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: req.headers,
        body,
        // Only the admin routes need the peer address (a syscall per request otherwise).
        remoteAddress: req.url?.startsWith('/_admin') ? (req.socket.remoteAddress ?? '') : undefined,
        bodyOverLimit: overLimit,
      };
      provider.handle(request).then(
        (answer) => {
          // A body cut short leaves bytes on the connection: close it after the answer.
          if (early) answer.headers.connection = 'close';
          send(res, answer.status, answer.headers, answer.body);
        },
        () => send(res, 500, { 'content-type': 'application/json; charset=utf-8' }, errorBody(500)),
      );
    });
  });
  // A request node cannot even parse (bad request line or headers) still gets a spec-shaped 400.
  server.on('clientError', (_err, socket) => {
    if (!socket.writable) return socket.destroy();
    const body = errorBody(400);
    socket.end(
      `HTTP/1.1 400 Bad Request\r\nContent-Type: application/json; charset=utf-8\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      const { port } = server.address() as AddressInfo;
      const shownHost = host.includes(':') ? `[${host}]` : host;
      resolve({
        url: `http://${shownHost}:${port}`,
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
  options: ProviderOptions & { host?: string; port?: number } = {},
): Promise<{ url: string; provider: Provider; close(): Promise<void> }> {
  const { host, port, ...providerOptions } = options;
  const provider = createProvider(providerOptions);
  const listening = await listen(provider, { host, port });
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
  const declared = Number(req.headers['content-length']);
  if (declared > cap) {
    done(EMPTY, true, true);
    return;
  }
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
  res.writeHead(status, headers);
  res.end(body);
}

function errorBody(status: number): string {
  return JSON.stringify({ errors: [{ status: false, code: status, message: messageFor(status, 'http') }] });
}
