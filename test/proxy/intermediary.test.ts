// `proxy` as an RFC 9110 intermediary: hop-by-hop headers never cross it either way, a target that is
// not a canonical path is refused instead of forwarded unchecked, the admin routes keep serve's
// Host/Origin rules, and an upstream that redirects or stalls is bounded and reported.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENDPOINT_PATH } from '../../src/openapi/index.js';
import { startProvider } from '../../src/provider/server.js';
import { type Exchange, startProxy } from '../../src/proxy/server.js';
import { startHostileHost } from '../support/hostile-host.js';

/** Sends raw request bytes and returns the raw answer (the socket is closed by the server or after 3 s). */
function raw(port: number, text: string): Promise<{ status: number; head: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let got = '';
    socket.setTimeout(3_000, () => socket.destroy());
    socket.on('data', (c) => (got += c.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => {
      const at = got.indexOf('\r\n\r\n');
      const head = at < 0 ? got : got.slice(0, at);
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), head, body: got.slice(at + 4) });
    });
    socket.write(text.replace(/\n/g, '\r\n'));
  });
}

/** An upstream recording the headers it gets, answering with hop-by-hop headers of its own. */
async function echoUpstream(): Promise<{
  server: Server;
  port: number;
  seen: IncomingHttpHeaders[];
  paths: string[];
}> {
  const seen: IncomingHttpHeaders[] = [];
  const paths: string[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      seen.push(req.headers);
      paths.push(req.url ?? '');
      res.writeHead(200, [
        'Content-Type',
        'application/json',
        'Connection',
        'X-Upstream-Secret',
        'X-Upstream-Secret',
        'hop',
        'Keep-Alive',
        'timeout=5',
        'Proxy-Authenticate',
        'Basic realm="upstream"',
        'X-End-To-End',
        'kept',
      ]);
      res.end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port, seen, paths };
}

describe('proxy as an intermediary', () => {
  let upstream: Awaited<ReturnType<typeof echoUpstream>>;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  const exchanges: Exchange[] = [];
  beforeAll(async () => {
    upstream = await echoUpstream();
    proxy = await startProxy({
      upstream: new URL(`http://127.0.0.1:${upstream.port}`),
      onExchange: (x) => exchanges.push(x),
    });
  });
  afterAll(async () => {
    await proxy.close();
    upstream.server.close();
  });

  it('drops hop-by-hop headers both ways, Connection-listed ones included, and survives Trailer', async () => {
    const got = await raw(
      proxy.port,
      `POST /anything HTTP/1.1
Host: 127.0.0.1
Connection: X-Consumer-Secret, close
X-Consumer-Secret: hop
Keep-Alive: timeout=5
TE: trailers
Trailer: X
Upgrade: websocket
Proxy-Authorization: Basic cHJveHk6c2VjcmV0
Authorization: Bearer end-to-end
Content-Type: application/json
Content-Length: 2

{}`,
    );
    expect(got.status).toBe(200);
    const sent = upstream.seen.at(-1) as IncomingHttpHeaders;
    for (const h of ['x-consumer-secret', 'keep-alive', 'te', 'trailer', 'upgrade', 'proxy-authorization'])
      expect(sent[h], h).toBeUndefined();
    expect(sent.authorization).toBe('Bearer end-to-end');
    expect(sent.host).toBe(`127.0.0.1:${upstream.port}`);
    const head = got.head.toLowerCase();
    expect(head).not.toContain('x-upstream-secret');
    expect(head).not.toContain('proxy-authenticate');
    expect(head).not.toContain('keep-alive');
    expect(head).toContain('x-end-to-end: kept');
  });

  it.each([
    ['absolute-form', `http://evil.example${ENDPOINT_PATH}`],
    ['a trailing slash', `${ENDPOINT_PATH}/`],
    ['a double slash', `/${ENDPOINT_PATH}`],
    ['a dot segment', `/.${ENDPOINT_PATH}`],
    ['a dot-dot segment', `/v2/x/..${ENDPOINT_PATH.slice(3)}`],
    ['a ;param', `${ENDPOINT_PATH};x=1`],
    ['an escaped letter', ENDPOINT_PATH.replace('directEarn', 'direct%45arn')],
    ['another case', ENDPOINT_PATH.toUpperCase()],
    ['an encoded slash', ENDPOINT_PATH.replace('/bulk/', '/bulk%2F')],
  ])('refuses a target with %s (400, not forwarded, a request-target violation)', async (_what, target) => {
    const before = upstream.paths.length;
    const got = await raw(
      proxy.port,
      `POST ${target} HTTP/1.1\nHost: 127.0.0.1\nConnection: close\nContent-Type: application/json\nContent-Length: 2\n\n{}`,
    );
    expect(got.status).toBe(400);
    expect(upstream.paths.length).toBe(before);
    const x = exchanges.at(-1) as Exchange;
    expect(x.violations.map((v) => v.rule)).toEqual(['request-target']);
  });

  it('forwards the canonical endpoint path as it came', async () => {
    const got = await raw(
      proxy.port,
      `POST ${ENDPOINT_PATH}?a=1 HTTP/1.1\nHost: 127.0.0.1\nConnection: close\nContent-Type: application/json\nContent-Length: 2\n\n{}`,
    );
    expect(got.status).toBe(200);
    expect(upstream.paths.at(-1)).toBe(`${ENDPOINT_PATH}?a=1`);
  });
});

describe('proxy in front of serve with the admin routes on', () => {
  it('refuses a rebinding Host or a foreign Origin before the admin routes, as serve does; lets a loopback Host through', async () => {
    const serve = await startProvider({ port: 0, admin: true });
    const exchanges: Exchange[] = [];
    const proxy = await startProxy({ upstream: new URL(serve.url), onExchange: (x) => exchanges.push(x) });
    try {
      const ask = (headers: string) =>
        raw(proxy.port, `GET /_admin/stats HTTP/1.1\n${headers}\nConnection: close\n\n`);
      expect((await ask('Host: rebound.example:8081')).status).toBe(403);
      expect((await ask(`Host: 127.0.0.1:${proxy.port}\nOrigin: http://evil.example`)).status).toBe(403);
      expect((await ask(`Host: 127.0.0.1:${proxy.port}\nSec-Fetch-Site: cross-site`)).status).toBe(403);
      expect(exchanges.map((x) => x.refused !== undefined)).toEqual([true, true, true]);
      expect((await ask(`Host: 127.0.0.1:${proxy.port}`)).status).toBe(200);
    } finally {
      await proxy.close();
      await serve.close();
    }
  });
});

describe('proxy in front of a hostile upstream', () => {
  it('answers a redirect 502 naming its Location, and follows nothing', async () => {
    const host = await startHostileHost({ mode: 'redirect' });
    const exchanges: Exchange[] = [];
    const proxy = await startProxy({ upstream: new URL(host.url), onExchange: (x) => exchanges.push(x) });
    try {
      const got = await raw(
        proxy.port,
        `POST ${ENDPOINT_PATH} HTTP/1.1\nHost: 127.0.0.1\nConnection: close\nAuthorization: Bearer t\nContent-Length: 2\n\n{}`,
      );
      expect(got.status).toBe(502);
      expect(got.head.toLowerCase()).not.toContain('location');
      expect(got.body).toContain(`${host.logger.url}${ENDPOINT_PATH}`);
      expect(exchanges[0]?.status).toBe(307);
      expect(exchanges[0]?.violations.map((v) => [v.rule, v.field])).toEqual([
        ['upstream-answer', 'header location'],
      ]);
      expect(host.logger.hits).toEqual([]);
    } finally {
      await proxy.close();
      await host.close();
    }
  });

  it('aborts the upstream request when the consumer leaves, and reports it', async () => {
    const host = await startHostileHost({ mode: 'silent' });
    const exchanges: Exchange[] = [];
    const proxy = await startProxy({ upstream: new URL(host.url), onExchange: (x) => exchanges.push(x) });
    try {
      const socket = connect(proxy.port, '127.0.0.1');
      socket.write(`POST ${ENDPOINT_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\n\r\n{}`);
      while (host.requests.length === 0) await new Promise((r) => setTimeout(r, 20));
      expect(host.openConnections()).toBe(1);
      socket.destroy();
      while (exchanges.length === 0) await new Promise((r) => setTimeout(r, 20));
      expect(host.openConnections()).toBe(0);
      expect(exchanges[0]?.violations.map((v) => v.rule)).toEqual(['upstream-answer']);
      expect(exchanges[0]?.violations[0]?.message).toMatch(/consumer left/);
    } finally {
      await proxy.close();
      await host.close();
    }
  });

  it('cuts an endless answer at the cap and a dripping one at the deadline', async () => {
    const host = await startHostileHost();
    const exchanges: Exchange[] = [];
    const endless = await startProxy({
      upstream: new URL(host.urlFor('endless')),
      onExchange: (x) => exchanges.push(x),
      capBytes: 1024 * 1024,
    });
    const drip = await startProxy({
      upstream: new URL(host.urlFor('drip')),
      onExchange: (x) => exchanges.push(x),
      timeoutMs: 1_000,
    });
    try {
      const post = `POST ${ENDPOINT_PATH} HTTP/1.1\nHost: 127.0.0.1\nConnection: close\nContent-Length: 2\n\n{}`;
      expect((await raw(endless.port, post)).status).toBe(502);
      expect((await raw(drip.port, post)).status).toBe(504);
      expect(exchanges.map((x) => x.violations[0]?.message)).toEqual([
        expect.stringMatching(/over the 1048576-byte cap/),
        expect.stringMatching(/no whole answer within 1000 ms/),
      ]);
    } finally {
      await endless.close();
      await drip.close();
      await host.close();
    }
  });
});
