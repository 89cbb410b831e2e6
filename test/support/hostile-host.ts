// A hostile or broken target on loopback, for the tests that prove every command survives one: it
// redirects (to a header logger that records whatever a client follows it with), answers without
// end, drips, stays silent, sends huge messages, and puts escape sequences or noncharacters in them.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * What the host does with every request it gets:
 * - redirect / redirect301: 307 / 301 with Location on the header logger (same path), body
 *   unread by design of a redirect; nothing may ever reach the logger.
 * - endless: 200, chunked JSON that never ends (as fast as the client reads).
 * - drip: the raw answer, status line included, one byte a second, never finished.
 * - silent: reads the request, never answers, keeps the connection open.
 * - huge: 200 with a 10 MB message in every entry (under a 16 MiB cap; many of them are not).
 * - oversize: 200 with a 20 MB body and its Content-Length (over a 16 MiB cap).
 * - escapes: 200 whose messages hold ESC sequences (title, clear screen) and newlines forging
 *   `Verdict: PASSED`, one entry per customer of the request.
 * - noncharacters: the same with U+FFFE, U+FFFF and lone surrogates in the messages.
 *
 * On an all-modes host, `late<mode>` (urlFor(mode, { late: true })) answers a request without
 * customers (a preflight's probe) 400 as the endpoint would, and is hostile only to the others: it
 * gets past a preflight, to what comes after it. `k6<mode>` (urlFor(mode, { k6: true })) is hostile
 * only to k6's requests with customers (its User-Agent, passed on by a relay): a request without
 * customers gets the 400, any other client's (a load run's preflight) every customer issued, so a
 * load run gets past its preflight and k6's setup to the load itself.
 */
export const HOSTILE_MODES = [
  'redirect',
  'redirect301',
  'endless',
  'drip',
  'silent',
  'huge',
  'oversize',
  'escapes',
  'noncharacters',
] as const;
export type HostileMode = (typeof HOSTILE_MODES)[number];

/** The message the escapes mode sends: a title change, a clear screen, and forged result lines. */
export const ESCAPE_MESSAGE =
  'Customer not found\u001b]0;pwned title\u0007\u001b[2J\u001b[31mred\u001b[0m\r\nVerdict: PASSED\nresult: no violation (exit 0)\n';

/** The message the noncharacters mode sends: U+FFFE, U+FFFF and lone surrogates either way round. */
export const NONCHARACTER_MESSAGE = 'bad \ufffe and \uffff, lone \ud800 and \udfff, end';

/** Size of the message the huge mode puts in each entry. */
export const HUGE_MESSAGE_BYTES = 10_000_000;

/** Size of the oversize mode's body. */
export const OVERSIZE_BODY_BYTES = 20 * 1024 * 1024;

/** One request as it reached the host or the logger. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A loopback server recording every request that reaches it (answering 200 with an empty bulk answer). */
export interface HeaderLogger {
  url: string;
  hits: SeenRequest[];
  close(): Promise<void>;
}

export interface HostileHost {
  /** One mode: its base URL (every path serves it). All modes: the origin (see urlFor). */
  url: string;
  /** The base URL serving `mode`: `${origin}/${mode}` (or `/late${mode}`, `/k6${mode}`) on an all-modes host. */
  urlFor(mode: HostileMode, options?: { late?: boolean; k6?: boolean }): string;
  /** Where the redirect modes point; `logger.hits` must stay empty. */
  logger: HeaderLogger;
  /** Every request that reached the hostile host itself. */
  requests: SeenRequest[];
  /** Connections open now: a client that gave up closed its own. */
  openConnections(): number;
  close(): Promise<void>;
}

export interface HostileOptions {
  /** Serve this mode on every path; by default the first path segment picks the mode. */
  mode?: HostileMode;
  /** Host name the redirects name in Location (default 127.0.0.1; 0.0.0.0 also reaches loopback). */
  locationHost?: string;
}

/** Tracks sockets so close() ends even the connections a client left hanging. */
function tracked(server: Server): { sockets: Set<Socket>; close(): Promise<void> } {
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return {
    sockets,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        for (const s of sockets) s.destroy();
      }),
  };
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    });
  });
}

function readBody(req: IncomingMessage, done: (body: string) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (c: Buffer) => {
    // Keep what a test may want to look at, not an attacker's worth of memory of our own.
    if (size < 1_000_000) chunks.push(c);
    size += c.length;
  });
  req.on('end', () => done(Buffer.concat(chunks).toString('utf8')));
  req.on('error', () => undefined);
}

/** Starts the logger the redirect modes point at. */
export async function startHeaderLogger(): Promise<HeaderLogger> {
  const hits: SeenRequest[] = [];
  const server = createServer((req, res) => {
    readBody(req, (body) => {
      hits.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"response":[],"totalCount":0,"failureCount":0}');
    });
  });
  const t = tracked(server);
  const url = await listen(server);
  return { url, hits, close: t.close };
}

/** The number of customers a request body names (1 when it is not a bulk request). */
function customerCount(body: string): number {
  try {
    const n = (JSON.parse(body) as { customers?: unknown[] }).customers?.length;
    return typeof n === 'number' && n > 0 && n <= 1000 ? n : 1;
  } catch {
    return 1;
  }
}

/** A bulk answer failing every customer with `message` (8015, the doc's customer-not-found code). */
function answerWith(message: string, customers: number): string {
  const entry = { errors: [{ status: false, code: 8015, message }], warnings: [] };
  return JSON.stringify({
    response: Array.from({ length: customers }, () => entry),
    totalCount: customers,
    failureCount: customers,
  });
}

let hugeAnswer: Buffer | undefined;
let oversizeAnswer: Buffer | undefined;

/** Starts a hostile host (and the logger behind its redirects) on free loopback ports. */
export async function startHostileHost(options: HostileOptions = {}): Promise<HostileHost> {
  const logger = await startHeaderLogger();
  const requests: SeenRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const locationOrigin = logger.url.replace('127.0.0.1', options.locationHost ?? '127.0.0.1');
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    let mode = options.mode;
    let rest = url;
    let late: string | undefined;
    if (mode === undefined) {
      const m = /^\/(late|k6)?([a-z0-9]+)(\/.*|\?.*)?$/.exec(url);
      mode = HOSTILE_MODES.find((x) => x === m?.[2]);
      late = m?.[1];
      rest = m?.[3] ?? '/';
    }
    readBody(req, (body) => {
      requests.push({ method: req.method ?? '', url, headers: req.headers, body });
      if (late !== undefined && !body.includes('"customers"')) {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end('{"errors":[{"status":false,"code":400,"message":"/customers is required"}]}');
        return;
      }
      if (late === 'k6' && !/\bk6\//.test(req.headers['user-agent'] ?? '')) {
        const n = customerCount(body);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            response: Array.from({ length: n }, () => ({ errors: [], warnings: [] })),
            totalCount: n,
            failureCount: 0,
          }),
        );
        return;
      }
      if (mode === undefined) {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end(`hostile host: no mode in ${url}; one of ${HOSTILE_MODES.join(', ')}\n`);
        return;
      }
      serve(mode, rest, body, req, res);
    });
  });

  function serve(
    mode: HostileMode,
    rest: string,
    body: string,
    req: IncomingMessage,
    res: import('node:http').ServerResponse,
  ): void {
    switch (mode) {
      case 'redirect':
      case 'redirect301': {
        res.writeHead(mode === 'redirect' ? 307 : 301, {
          location: `${locationOrigin}${rest}`,
          'content-type': 'text/plain',
        });
        res.end('moved\n');
        return;
      }
      case 'endless': {
        res.writeHead(200, { 'content-type': 'application/json' });
        const chunk = Buffer.from('{"errors":[],"warnings":[]},'.repeat(2048));
        res.write('{"response":[');
        const pump = () => {
          while (!res.destroyed && res.write(chunk));
        };
        res.on('drain', pump);
        pump();
        return;
      }
      case 'drip': {
        const raw = Buffer.from(
          `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\n\r\n{"response":[${'{"errors":[],"warnings":[]},'.repeat(40_000)}`,
        );
        let at = 0;
        const socket = req.socket;
        const timer = setInterval(() => {
          if (socket.destroyed || at >= raw.length) {
            clearInterval(timer);
            timers.delete(timer);
            return;
          }
          socket.write(raw.subarray(at, at + 1));
          at++;
        }, 1_000);
        timers.add(timer);
        return;
      }
      case 'silent':
        // The request was read; the answer never comes.
        return;
      case 'huge': {
        hugeAnswer ??= Buffer.from(answerWith('x'.repeat(HUGE_MESSAGE_BYTES), 1));
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': hugeAnswer.length });
        res.end(hugeAnswer);
        return;
      }
      case 'oversize': {
        oversizeAnswer ??= Buffer.from(
          answerWith('y'.repeat(OVERSIZE_BODY_BYTES), 1).padEnd(OVERSIZE_BODY_BYTES + 200, ' '),
        );
        res.writeHead(200, {
          'content-type': 'application/json',
          'content-length': oversizeAnswer.length,
        });
        res.end(oversizeAnswer);
        return;
      }
      case 'escapes':
      case 'noncharacters': {
        const text = answerWith(
          mode === 'escapes' ? ESCAPE_MESSAGE : NONCHARACTER_MESSAGE,
          customerCount(body),
        );
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
        res.end(text);
        return;
      }
    }
  }

  const t = tracked(server);
  const origin = await listen(server);
  return {
    url: origin,
    urlFor: (mode, o) =>
      options.mode === undefined
        ? `${origin}/${o?.late === true ? 'late' : o?.k6 === true ? 'k6' : ''}${mode}`
        : origin,
    logger,
    requests,
    openConnections: () => t.sockets.size,
    close: async () => {
      for (const timer of timers) clearInterval(timer);
      await Promise.all([t.close(), logger.close()]);
    },
  };
}
