// A loopback HTTP proxy between the pact-verifier and the target that records every exchange, so the
// doc's invariants can be checked on the answers the verifier really received (it runs no code of
// ours per answer) without sending any request a second time.
import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';

/** One request the verifier sent and the target's answer. */
export interface Exchange {
  method: string;
  /** Path and query, as sent. */
  path: string;
  requestHeaders: IncomingHttpHeaders;
  requestBody: string;
  /** The target's status; 0 when it could not be reached (the verifier got a 502). */
  status: number;
  responseBody: string;
}

/** A running recording proxy. */
export interface RecordingProxy {
  /** http://127.0.0.1:PORT: give it to the verifier instead of the target's origin. */
  url: string;
  /** Exchanges in the order they completed. */
  exchanges: Exchange[];
  /**
   * Every request body sent toward the target, added before it is sent (an exchange is recorded
   * only once it ends): what the ID pool reads to know which customers a run may give back.
   */
  forwarded: string[];
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'upgrade']);

/** Starts a proxy to `origin` (scheme://host:port) on a free loopback port. */
export function startRecordingProxy(origin: string): Promise<RecordingProxy> {
  const target = new URL(origin);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const exchanges: Exchange[] = [];
  const forwarded: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const headers: IncomingHttpHeaders = { ...req.headers, host: target.host };
      for (const h of HOP_BY_HOP) delete headers[h];
      const record = (status: number, responseBody: string) =>
        exchanges.push({
          method: req.method ?? 'GET',
          path: req.url ?? '/',
          requestHeaders: req.headers,
          requestBody: body.toString('utf8'),
          status,
          responseBody,
        });
      forwarded.push(body.toString('utf8'));
      const upstream = send(
        {
          protocol: target.protocol,
          hostname: target.hostname.replace(/^\[|\]$/g, ''),
          port: target.port === '' ? undefined : Number(target.port),
          method: req.method,
          path: req.url,
          headers: { ...headers, 'content-length': String(body.length) },
        },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on('data', (c: Buffer) => parts.push(c));
          answer.on('end', () => {
            const text = Buffer.concat(parts);
            record(answer.statusCode ?? 0, text.toString('utf8'));
            const out = { ...answer.headers };
            for (const h of HOP_BY_HOP) delete out[h];
            res.writeHead(answer.statusCode ?? 502, { ...out, 'content-length': String(text.length) });
            res.end(text);
          });
        },
      );
      upstream.on('error', (e) => {
        record(0, '');
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`recording proxy: ${origin} did not answer: ${e.message}`);
      });
      upstream.end(body);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        exchanges,
        forwarded,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

/** Sorted-key JSON, so a recorded body and a pact body compare equal whatever the key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

/** JSON.parse, or undefined for text that is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * What tells one replayed request from another: its body and credential headers. The key of a
 * pact interaction (as it will be sent) equals the key of the exchange that replayed it.
 */
export function pactRequestKey(raw: Record<string, unknown>): string {
  const req = raw.request as { body?: { content?: unknown }; headers?: Record<string, string | string[]> };
  const h = req.headers ?? {};
  const one = (v: string | string[] | undefined) => (Array.isArray(v) ? (v[0] ?? '') : (v ?? ''));
  return `${canonical(req.body?.content ?? null)}|${one(h.Authorization)}|${one(h['X-CAP-API-OAUTH-TOKEN'])}`;
}

/** The key of a recorded exchange (see pactRequestKey). */
export function exchangeKey(x: Exchange): string {
  const one = (v: string | string[] | undefined) => (Array.isArray(v) ? (v[0] ?? '') : (v ?? ''));
  const body = x.requestBody === '' ? null : parseJson(x.requestBody);
  return `${canonical(body ?? null)}|${one(x.requestHeaders.authorization)}|${one(x.requestHeaders['x-cap-api-oauth-token'])}`;
}
