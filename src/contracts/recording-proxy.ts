// A loopback HTTP proxy between the pact-verifier and the target that records every exchange, so the
// doc's invariants can be checked on the answers the verifier really received (it runs no code of
// ours per answer) without sending any request a second time.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ANSWER_CAP_BYTES,
  type BoundedExchangeError,
  boundedExchange,
  exchangeDeadlineMs,
  keepAliveAgent,
} from '../util/bounded-http.js';

/** One request the verifier sent and the target's answer. */
export interface Exchange {
  method: string;
  /** Path and query, as sent. */
  path: string;
  requestHeaders: IncomingHttpHeaders;
  requestBody: string;
  /** The target's status; 0 when it gave no answer (the verifier got a 502). */
  status: number;
  responseBody: string;
  /**
   * Why the target's answer was not passed on (the verifier got a 502): a redirect, an answer over
   * the cap or past the deadline, a request the verifier gave up on, or one not sent at all because
   * the target broke a bound before. One line, from "the target ...".
   */
  refused?: string;
}

/** A running recording proxy. */
export interface RecordingProxy {
  /** http://127.0.0.1:PORT: give it to the verifier instead of the target's origin. */
  url: string;
  /** Exchanges in the order they completed. */
  exchanges: Exchange[];
  /**
   * Every request body sent toward the target, added before it is sent (an exchange is recorded
   * only once it ends): what the ID pool reads to know which customers a run may give back. A
   * request answered 502 unsent (after a broken bound) is not in it.
   */
  forwarded: string[];
  /** The first bound the target broke (redirect, size, time); every later request was answered 502 unsent. */
  tripped(): string | undefined;
  /**
   * Resolves once no exchange is waiting on the target (each ends by its deadline at the latest):
   * with `clientLeaves: 'finish'`, what the target did with the exchanges its client left is known
   * only then.
   */
  settle(): Promise<void>;
  /** Stops listening and aborts every exchange still waiting on the target. */
  close(): Promise<void>;
}

export interface RecordingOptions {
  /** Total time per exchange with the target (default: DIRECTEARN_EXCHANGE_DEADLINE_MS or 30 s). */
  deadlineMs?: number;
  /** Largest answer passed on (default ANSWER_CAP_BYTES, 16 MiB). */
  capBytes?: number;
  /** Keep the bodies in `exchanges` (default true; a relay that judges nothing keeps none). */
  keepBodies?: boolean;
  /**
   * When the client leaves before the answer came: 'abort' (default) ends the exchange, and the
   * target is taken to have failed it (the verifier gives up on its own timeout, longer than none of
   * ours); 'finish' lets the exchange run on to its deadline and judges the target by that alone
   * (k6 leaves in-flight requests when a run ends, and on a busy machine an honest host's answer can
   * come after that: not the host's fault).
   */
  clientLeaves?: 'abort' | 'finish';
}

/** Largest request body the proxy takes from its own client (the verifier's are a few KB). */
const REQUEST_CAP_BYTES = 64 * 1024 * 1024;

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'proxy-connection',
  'upgrade',
  'te',
  'trailer',
  'expect',
]);

/**
 * Starts a proxy to `origin` (scheme://host:port) on a free loopback port. The target's answers are
 * bounded (src/util/bounded-http.ts): a redirect is answered 502 naming its Location, never passed
 * on, so nothing follows it with our credentials; after the first broken bound, nothing more is
 * sent to the target.
 */
export function startRecordingProxy(origin: string, options: RecordingOptions = {}): Promise<RecordingProxy> {
  const target = new URL(origin);
  const rec: Recorder = {
    target,
    deadlineMs: options.deadlineMs ?? exchangeDeadlineMs(),
    capBytes: options.capBytes ?? ANSWER_CAP_BYTES,
    keep: options.keepBodies !== false,
    finishLeft: options.clientLeaves === 'finish',
    exchanges: [],
    forwarded: [],
    open: new Set(),
    tripped: undefined,
    agent: keepAliveAgent(target),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= REQUEST_CAP_BYTES) chunks.push(c);
    });
    req.on('error', () => undefined);
    req.on('end', () => sendOn(rec, req, res, Buffer.concat(chunks), size));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        exchanges: rec.exchanges,
        forwarded: rec.forwarded,
        tripped: () => rec.tripped,
        settle: async () => {
          while (rec.open.size > 0) await Promise.allSettled([...rec.open].map((x) => x.answer));
        },
        close: () =>
          new Promise<void>((done) => {
            for (const x of rec.open) x.abort();
            rec.agent.destroy();
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

/** What every exchange of one recording proxy shares. */
interface Recorder {
  target: URL;
  deadlineMs: number;
  capBytes: number;
  keep: boolean;
  /** clientLeaves 'finish': an exchange its client left runs on to its deadline. */
  finishLeft: boolean;
  exchanges: Exchange[];
  forwarded: string[];
  /** Exchanges waiting on the target, aborted on close. */
  open: Set<{ abort(): void; answer: Promise<unknown> }>;
  /** The first bound the target broke: nothing more is sent once it is set. */
  tripped: string | undefined;
  agent: ReturnType<typeof keepAliveAgent>;
}

/**
 * Sends one request of the verifier (`size` bytes, `body` holding them up to the cap) on to the
 * target, within the bounds, and records the exchange; refuses it with a 502 unsent when it is over
 * the cap, not a path, or comes after the target broke a bound.
 */
function sendOn(rec: Recorder, req: IncomingMessage, res: ServerResponse, body: Buffer, size: number) {
  const headers: IncomingHttpHeaders = { ...req.headers, host: rec.target.host };
  for (const h of HOP_BY_HOP) delete headers[h];
  const record = (status: number, responseBody: string, refused?: string) =>
    rec.exchanges.push({
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      requestHeaders: req.headers,
      requestBody: rec.keep ? body.toString('utf8') : '',
      status,
      responseBody: rec.keep ? responseBody : '',
      ...(refused !== undefined ? { refused } : {}),
    });
  const refuse = (status: number, why: string) => {
    record(status, '', why);
    if (!res.headersSent && !res.destroyed) {
      res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
      res.end(`recording proxy: ${why}\n`);
    }
  };
  if (size > REQUEST_CAP_BYTES) return refuse(0, `request over ${REQUEST_CAP_BYTES} bytes, not sent`);
  if (rec.tripped !== undefined) return refuse(0, `not sent: ${rec.tripped}`);
  const path = req.url ?? '/';
  if (!path.startsWith('/'))
    return refuse(0, `request target ${JSON.stringify(path)} is not a path, not sent`);
  rec.forwarded.push(body.toString('utf8'));
  // Appended to the origin as text: new URL('//other/x', origin) would leave for another host.
  const x = boundedExchange(new URL(`${rec.target.origin}${path}`), {
    method: req.method,
    headers: { ...headers, 'content-length': String(body.length) },
    body,
    deadlineMs: rec.deadlineMs,
    capBytes: rec.capBytes,
    agent: rec.agent,
  });
  rec.open.add(x);
  // The client gave up: the verifier on its own timeout (no answer awaited), k6 at a run's end (the
  // exchange runs on to its deadline when the proxy was started with clientLeaves 'finish').
  res.on('close', () => {
    if (!res.writableFinished && !rec.finishLeft) x.abort();
  });
  x.answer.then(
    (answer) => {
      rec.open.delete(x);
      record(answer.status, rec.keep ? answer.body.toString('utf8') : '');
      const out = { ...answer.headers };
      for (const h of HOP_BY_HOP) delete out[h];
      if (res.destroyed) return;
      res.writeHead(answer.status, { ...out, 'content-length': String(answer.body.length) });
      res.end(answer.body);
    },
    (e: BoundedExchangeError) => {
      rec.open.delete(x);
      const why = `the target ${e.kind === 'redirect' ? e.message : e.kind === 'network' ? `did not answer (${e.message})` : e.kind === 'aborted' ? 'gave no answer before its client (the verifier, or k6) gave up' : `broke a bound: ${e.message}`}`;
      // A host that redirects, floods or stalls gets no further request (nor our credentials).
      if (e.kind !== 'network') rec.tripped ??= `${why} (${req.method} ${req.url})`;
      refuse(e.status ?? 0, why);
    },
  );
}
