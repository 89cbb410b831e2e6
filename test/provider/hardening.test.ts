// The reference provider under hostile input, over real sockets: refusals before any body is read,
// deadlines (408), the connection cap, pipelined answers before a parse error, and the guarded,
// strict admin routes (issue 10 and 14).
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TOKEN } from '../../src/config/defaults.js';
import { ENDPOINT_PATH, validateResponse } from '../../src/openapi/index.js';
import { startProvider } from '../../src/provider/server.js';
import { STATES } from '../../src/states/index.js';

const AUTH = `Bearer ${DEFAULT_TOKEN}`;
const ONE = JSON.stringify({
  type: 'CUSTOMER',
  promotionDetails: { programId: 469, promotionId: 56799 },
  identifierName: 'id',
  customers: [{ identifierValue: '98662653' }],
});

/** Writes raw bytes on a new connection; resolves with everything read until the server closes (or `until` matches). */
function raw(port: number, bytes: string, until?: RegExp): Promise<string> {
  return new Promise((resolve) => {
    let got = '';
    const socket = connect(port, '127.0.0.1', () => socket.write(bytes));
    socket.on('data', (d) => {
      got += d;
      if (until?.test(got)) socket.destroy();
    });
    socket.on('close', () => resolve(got));
    socket.on('error', () => resolve(got));
  });
}

/** A request with any Host and headers (fetch cannot set Host). */
function call(
  url: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; json: unknown; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}${path}`, { method, headers }, (res) => {
      let text = '';
      res.on('data', (d) => {
        text += d;
      });
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          json: text === '' ? undefined : JSON.parse(text),
          headers: res.headers,
        }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

const head = (length: number, extra = '') =>
  `POST ${ENDPOINT_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n${extra}Content-Length: ${length}\r\n\r\n`;

describe('the listener under hostile input', () => {
  let server: Awaited<ReturnType<typeof startProvider>>;
  let port: number;
  beforeAll(async () => {
    server = await startProvider({ admin: true, requestTimeoutMs: 300, headersTimeoutMs: 300 });
    port = Number(new URL(server.url).port);
  });
  afterAll(() => server.close());

  it('answers the processed request before the parse error that follows it in the same write', async () => {
    const before = server.provider.stats().earned;
    const got = await raw(
      port,
      `${head(Buffer.byteLength(ONE), `Authorization: ${AUTH}\r\n`)}${ONE}GARBAGE\r\n\r\n`,
    );
    expect(got.indexOf('HTTP/1.1 200 ')).toBe(0);
    expect(got.indexOf('HTTP/1.1 400 ')).toBeGreaterThan(0);
    expect(server.provider.stats().earned).toBe(before + 1);
  });

  it('answers pipelined requests in order, a head refusal between bodies read later, the parse error last', async () => {
    // The 401 is decided from its head at once, the 200s once their bodies are read: node must still
    // send them in request order, and the raw 400 only after all three.
    const ok = `${head(Buffer.byteLength(ONE), `Authorization: ${AUTH}\r\n`)}${ONE}`;
    const refused = `${head(Buffer.byteLength(ONE))}${ONE}`;
    const got = await raw(port, `${ok}${refused}${ok}GARBAGE\r\n\r\n`);
    const statuses = [...got.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => m[1]);
    expect(statuses).toEqual(['200', '401', '200', '400']);
  });

  it('reads a body that arrives in later writes, within the deadline, and keeps the connection', async () => {
    const bytes = `${head(Buffer.byteLength(ONE), `Authorization: ${AUTH}\r\n`)}${ONE}`;
    const cut = bytes.indexOf('\r\n\r\n') + 10;
    const got = await new Promise<string>((resolve) => {
      let text = '';
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(bytes.slice(0, cut));
        setTimeout(() => socket.write(bytes.slice(cut, cut + 20)), 30);
        setTimeout(() => socket.write(bytes.slice(cut + 20)), 60);
      });
      socket.on('data', (d) => {
        text += d;
        // Two answers on one connection: the body read in pieces left it usable.
        if (text.endsWith('}') && text.split('HTTP/1.1 ').length === 2) socket.write(bytes);
        if (text.split('HTTP/1.1 200 ').length === 3 && text.endsWith('}')) socket.destroy();
      });
      socket.on('close', () => resolve(text));
    });
    expect([...got.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => m[1])).toEqual(['200', '200']);
    expect(got).not.toMatch(/connection: close/i);
  });

  it('answers an unauthenticated request 401 from its head, before any byte of its 4 MiB body', async () => {
    const got = await raw(port, head(4 * 1024 * 1024), /\r\n\r\n[\s\S]*\}\]\}/);
    expect(got).toMatch(/^HTTP\/1\.1 401 /);
    expect(got).toMatch(/www-authenticate: Basic realm="directearn"/i);
    expect(got).toMatch(/connection: close/i);
  });

  it('answers an unauthenticated chunked body 401 without reading it, and closes', async () => {
    const got = await raw(
      port,
      `POST ${ENDPOINT_PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n`,
      /\}\]\}/,
    );
    expect(got).toMatch(/^HTTP\/1\.1 401 /);
    expect(got).toMatch(/connection: close/i);
  });

  it('answers a declared length over the limit 413 and a wrong content type 415 before the body', async () => {
    const big = await raw(port, head(5 * 1024 * 1024, `Authorization: ${AUTH}\r\n`), /\}\]\}/);
    expect(big).toMatch(/^HTTP\/1\.1 413 /);
    const text = await raw(
      port,
      `POST ${ENDPOINT_PATH} HTTP/1.1\r\nHost: x\r\nAuthorization: ${AUTH}\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\n`,
      /\}\]\}/,
    );
    expect(text).toMatch(/^HTTP\/1\.1 415 /);
  });

  it('answers Expect: 100-continue with the refusal when the head is refused, else with 100 Continue', async () => {
    const refused = await raw(port, head(1000, 'Expect: 100-continue\r\n'), /\}\]\}/);
    expect(refused).toMatch(/^HTTP\/1\.1 401 /);
    const body = ONE;
    const accepted = await raw(
      port,
      head(Buffer.byteLength(body), `Authorization: ${AUTH}\r\nExpect: 100-continue\r\n`),
      /100 Continue/,
    );
    expect(accepted).toMatch(/^HTTP\/1\.1 100 Continue/);
  });

  it('answers a body slower than the request deadline 408', async () => {
    const got = await raw(port, `${head(100, `Authorization: ${AUTH}\r\n`)}{"type":`);
    expect(got).toMatch(/^HTTP\/1\.1 408 /);
    const body = JSON.parse(got.slice(got.indexOf('{')));
    expect(body.errors[0].code).toBe(408);
  });

  it('closes a connection whose head does not arrive in time, with 408', async () => {
    const got = await raw(port, `POST ${ENDPOINT_PATH} HTTP/1.1\r\nHost: x\r\n`);
    expect(got).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('answers GET /_health 200 without credentials and counts neither it nor admin calls', async () => {
    await fetch(`${server.url}/_admin/reset`, { method: 'POST' });
    const health = await fetch(`${server.url}/_health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    await fetch(`${server.url}/_admin/stats`);
    await fetch(`${server.url}/_admin/ledger`);
    const stats = await (await fetch(`${server.url}/_admin/stats`)).json();
    expect(stats).toEqual({ earned: 0, requests: 0 });
  });
});

describe('the connection cap', () => {
  it('closes connections past --max-connections and serves again once they go', async () => {
    const server = await startProvider({ maxConnections: 2 });
    const port = Number(new URL(server.url).port);
    const held = [connect(port, '127.0.0.1'), connect(port, '127.0.0.1')];
    await Promise.all(held.map((s) => new Promise((r) => s.once('connect', r))));
    await new Promise((r) => setTimeout(r, 50));
    const third = await raw(port, `GET /_health HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(third).toBe('');
    for (const s of held) s.destroy();
    await new Promise((r) => setTimeout(r, 50));
    expect((await fetch(`${server.url}/_health`)).status).toBe(200);
    await server.close();
  });
});

describe('the admin routes', () => {
  let server: Awaited<ReturnType<typeof startProvider>>;
  let token: Awaited<ReturnType<typeof startProvider>>;
  beforeAll(async () => {
    server = await startProvider({ admin: true, ledgerWindow: 3000 });
    token = await startProvider({ admin: true, adminToken: 's3cret' });
  });
  afterAll(async () => {
    await server.close();
    await token.close();
  });
  const state = (body: unknown) => JSON.stringify(body);

  it('refuse a foreign Origin, a non-loopback Host (DNS rebinding), cross-site fetches and non-JSON bodies', async () => {
    const host = new URL(server.url).host;
    expect((await call(server.url, 'POST', '/_admin/reset', { origin: 'http://evil.example' })).status).toBe(
      403,
    );
    expect((await call(server.url, 'POST', '/_admin/reset', { origin: 'http://localhost:1' })).status).toBe(
      403,
    );
    expect((await call(server.url, 'POST', '/_admin/reset', { host: 'evil.example' })).status).toBe(403);
    expect(
      (await call(server.url, 'GET', '/_admin/stats', { host: `evil.example:${new URL(server.url).port}` }))
        .status,
    ).toBe(403);
    expect((await call(server.url, 'POST', '/_admin/reset', { 'sec-fetch-site': 'cross-site' })).status).toBe(
      403,
    );
    expect((await call(server.url, 'POST', '/_admin/reset', { origin: `http://${host}` })).status).toBe(200);
    const form = await call(
      server.url,
      'POST',
      '/_admin/provider-states',
      { 'content-type': 'text/plain' },
      state({ state: STATES.programMissing, params: { programId: 1 } }),
    );
    expect(form.status).toBe(415);
    expect(
      (
        await call(
          server.url,
          'POST',
          '/_admin/reset',
          { 'content-type': 'application/x-www-form-urlencoded' },
          'a=1',
        )
      ).status,
    ).toBe(415);
  });

  it('answer 413 to a state-change body over the body limit', async () => {
    const big = JSON.stringify({
      state: STATES.programMissing,
      params: { programId: 1 },
      pad: 'x'.repeat(5 * 2 ** 20),
    });
    const res = await call(
      server.url,
      'POST',
      '/_admin/provider-states',
      { 'content-type': 'application/json' },
      big,
    );
    expect(res.status).toBe(413);
  });

  it('need the admin token when one is set', async () => {
    expect((await call(token.url, 'GET', '/_admin/stats', {})).status).toBe(401);
    expect(
      (await call(token.url, 'GET', '/_admin/stats', { 'x-directearn-admin-token': 'nope' })).status,
    ).toBe(401);
    expect(
      (await call(token.url, 'GET', '/_admin/stats', { 'x-directearn-admin-token': 's3cret' })).status,
    ).toBe(200);
    // The endpoint itself does not need it.
    expect((await call(token.url, 'GET', '/_health', {})).status).toBe(200);
  });

  it('bound state parameters and refuse unknown ones, naming them', async () => {
    const post = (body: unknown) =>
      call(
        server.url,
        'POST',
        '/_admin/provider-states',
        { 'content-type': 'application/json' },
        state(body),
      );
    const huge = await post({ state: STATES.bodyLimited, params: { bytes: 2 ** 53 } });
    expect(huge.status).toBe(400);
    expect(JSON.stringify(huge.json)).toContain('bytes between 1 and');
    const typo = await post({
      state: STATES.promotionActive,
      params: { programId: 1, promotionId: 2, earnLimitPerCustmer: 1 },
    });
    expect(typo.status).toBe(400);
    expect(JSON.stringify(typo.json)).toContain('no parameter earnLimitPerCustmer');
    expect(server.provider.options.bodyLimit).toBe(4 * 1024 * 1024);
  });

  it('list every state with its parameters and the case it produces', async () => {
    const listed = await call(server.url, 'GET', '/_admin/provider-states', {});
    expect(listed.status).toBe(200);
    const states = (
      listed.json as {
        states: { name: string; params: Record<string, { type: string; required: boolean }>; case: string }[];
      }
    ).states;
    expect(states.map((s) => s.name).sort()).toEqual(Object.values(STATES).sort());
    const active = states.find((s) => s.name === STATES.promotionActive);
    expect(active?.case).toBe('earned');
    expect(active?.params.earnLimitPerCustomer).toMatchObject({ type: 'integer', required: false });
    expect(active?.params.programId).toMatchObject({ type: 'integer', required: true });
    expect(states.filter((s) => s.case === '8890')).toHaveLength(2);
    expect(states.find((s) => s.name === STATES.bodyLimited)?.case).toBe('http-413');
  });

  it('page the ledger by earnedId with a cursor, refusing bad paging parameters', async () => {
    await call(server.url, 'POST', '/_admin/reset', {});
    const customers = Array.from({ length: 2500 }, (_, i) => ({ identifierValue: String(500_000_000 + i) }));
    const res = await fetch(`${server.url}${ENDPOINT_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: AUTH },
      body: JSON.stringify({ ...JSON.parse(ONE), customers }),
    });
    expect(res.status).toBe(200);
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const page = (await (
        await fetch(`${server.url}/_admin/ledger${after === null ? '' : `?after=${after}`}`)
      ).json()) as {
        entries: { earnedId: string }[];
        next: string | null;
      };
      seen.push(...page.entries.map((e) => e.earnedId));
      after = page.next;
      pages++;
    } while (after !== null && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(2500);
    expect(new Set(seen).size).toBe(2500);
    const small = (await (await fetch(`${server.url}/_admin/ledger?limit=2&after=${seen[10]}`)).json()) as {
      entries: { earnedId: string }[];
      next: string | null;
    };
    expect(small.entries.map((e) => e.earnedId)).toEqual([seen[11], seen[12]]);
    expect(small.next).toBe(seen[12]);
    for (const q of ['limit=10001', 'limit=0', 'after=-1', 'after=x', 'page=2', 'limit=1&limit=2']) {
      const bad = await fetch(`${server.url}/_admin/ledger?${q}`);
      expect(bad.status, q).toBe(400);
    }
  });
});

describe('int64 IDs and earnedIds', () => {
  it('refuses an ID past 2^53 - 1 with 400 naming the field and the number as sent', async () => {
    const server = await startProvider();
    const body = ONE.replace('"programId":469', '"programId":9007199254740993');
    const res = await fetch(`${server.url}${ENDPOINT_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: AUTH },
      body,
    });
    const json = (await res.json()) as { errors: { field?: string; message: string }[] };
    expect(res.status).toBe(400);
    expect(validateResponse(400, json).ok).toBe(true);
    expect(json.errors[0]?.field).toBe('/promotionDetails/programId');
    expect(json.errors[0]?.message).toContain('9007199254740993');
    expect(json.errors[0]?.message).toContain('<= 9007199254740991');
    const low = await fetch(`${server.url}${ENDPOINT_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: AUTH },
      body: ONE.replace('"promotionId":56799', '"promotionId":-9223372036854775809'),
    });
    const lowJson = (await low.json()) as { errors: { field?: string; message: string }[] };
    expect(low.status).toBe(400);
    expect(lowJson.errors[0]?.field).toBe('/promotionDetails/promotionId');
    expect(lowJson.errors[0]?.message).toContain('>= -9007199254740991 (received -9223372036854775809)');
    await server.close();
  });

  it('hands out exact, unique earnedIds past 2^53, across resets and teardowns', async () => {
    const server = await startProvider({
      admin: true,
      fixtures: {
        programs: [{ id: 1, promotions: [{ id: 2, active: true }] }],
        customers: [{ id: 3 }],
        firstEarnedId: 9007199254740990,
      },
    });
    const earn = async () => {
      const res = await fetch(`${server.url}${ENDPOINT_PATH}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: AUTH },
        body: JSON.stringify({
          type: 'CUSTOMER',
          promotionDetails: { programId: 1, promotionId: 2 },
          identifierName: 'id',
          customers: [{ identifierValue: '3' }, { identifierValue: '3' }],
        }),
      });
      const json = (await res.json()) as { response: { result?: { earnedId?: string } }[] };
      return json.response.map((e) => e.result?.earnedId as string);
    };
    const ids = [...(await earn())];
    await fetch(`${server.url}/_admin/reset`, { method: 'POST' });
    ids.push(...(await earn()));
    await fetch(`${server.url}/_admin/provider-states`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ state: STATES.programMissing, params: { programId: 9 }, action: 'teardown' }),
    });
    ids.push(...(await earn()));
    expect(ids).toEqual([
      '9007199254740990',
      '9007199254740991',
      '9007199254740992',
      '9007199254740993',
      '9007199254740994',
      '9007199254740995',
    ]);
    const page = (await (await fetch(`${server.url}/_admin/ledger?after=9007199254740993`)).json()) as {
      entries: { earnedId: string }[];
    };
    expect(page.entries.map((e) => e.earnedId)).toEqual(['9007199254740994', '9007199254740995']);
    await server.close();
  });
});
