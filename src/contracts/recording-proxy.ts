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
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'upgrade']);

/** Starts a proxy to `origin` (scheme://host:port) on a free loopback port. */
export function startRecordingProxy(origin: string): Promise<RecordingProxy> {
  const target = new URL(origin);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const exchanges: Exchange[] = [];
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
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
