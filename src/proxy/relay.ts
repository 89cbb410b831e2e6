// What crosses the validating proxy unchanged and how: hop-by-hop headers dropped both ways (RFC 9110
// §7.6.1), a request read whole under a cap, the upstream's answer passed on as it came, and the
// proxy's own errors answered in the spec's error shape.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BoundedAnswer } from '../util/bounded-http.js';

/** Largest request body the proxy holds in memory (a 1000-customer request is ~50 KB). */
export const PROXY_BODY_CAP_BYTES = 64 * 1024 * 1024;

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
export function hopByHop(connection: string | string[] | undefined): ReadonlySet<string> {
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

/** Answers an error of the proxy's own, unless an answer already left. */
export function answerError(res: ServerResponse, status: number, message: string): void {
  if (res.headersSent || res.destroyed) return;
  // In the spec's error shape, so a consumer's client reads it like any error of the endpoint.
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', connection: 'close' });
  res.end(JSON.stringify({ errors: [{ status: false, code: status, message }] }));
}

/** Sends the upstream's answer on, hop-by-hop headers dropped; false when Node refused its head. */
export function passOn(res: ServerResponse, answer: BoundedAnswer): boolean {
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

/** Reads a request body whole; `tooBig` when it is over PROXY_BODY_CAP_BYTES (then nothing is kept). */
export function readAll(req: IncomingMessage, done: (body: Buffer, tooBig: boolean) => void): void {
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
