// The reference provider's real-CRM knobs (issue 19): a capacity to find (FIFO queue, 503 past its
// bound), a per-minute quota per credential (429 to the window's end) and the OAuth token endpoint
// whose tokens expire (401 after ttlSeconds).
import { describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/cli/command.js';
import { main } from '../../src/cli/main.js';
import { LOAD_CUSTOMER_ID_FIRST, OAUTH_TOKEN_PATH } from '../../src/config/defaults.js';
import { ENDPOINT_PATH, validateResponse } from '../../src/openapi/index.js';
import { createProvider, type Provider } from '../../src/provider/index.js';
import { startProvider } from '../../src/provider/server.js';
import { AUTH, JSON_CT, post, request } from '../support/provider-helpers.js';

const ids = (n: number, from = 0) => Array.from({ length: n }, (_, i) => LOAD_CUSTOMER_ID_FIRST + from + i);
const BASIC = { authorization: `Basic ${Buffer.from('directearn:directearn').toString('base64')}` };

async function token(p: Provider, key = 'k1', secret = 's1') {
  const res = await p.handle({
    method: 'POST',
    url: OAUTH_TOKEN_PATH,
    headers: JSON_CT,
    body: JSON.stringify({ key, secret }),
  });
  return { res, json: JSON.parse(res.body) };
}

describe('serve --capacity: one FIFO queue, 503 past its bound', () => {
  it('sheds a request that finds more queued work than the bound with 503 + Retry-After, issuing nothing', async () => {
    let now = 1_000_000;
    const p = createProvider({ capacity: { customersPerSecond: 1000, queueMs: 50 }, now: () => now });
    // 100 customers at 1000/s: the server is busy for 100 ms.
    const first = await post(p, request(469, 56799, ids(100)));
    expect(first.res.status).toBe(200);
    const shed = await post(p, request(469, 56799, ids(1, 100)));
    expect(shed.res.status).toBe(503);
    expect(shed.res.headers['retry-after']).toBe('1');
    expect(shed.json.errors[0]?.code).toBe(503);
    expect(p.stats().earned).toBe(100);
    expect(p.knobStats().shed).toBe(1);
    now += 60; // 40 ms left in the queue: under the bound
    expect((await post(p, request(469, 56799, ids(1, 100)))).res.status).toBe(200);
    expect(p.stats().earned).toBe(101);
    expect(p.knobStats().shed).toBe(1);
  });

  it('answers in arrival order, each after the work ahead of it: latency grows with the queue', async () => {
    const p = createProvider({ capacity: { customersPerSecond: 2000, overheadMs: 5 } });
    const started = performance.now();
    const done: number[] = [];
    // 6 requests of 100 customers: 55 ms each, so the last answers after at least 330 ms.
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        post(p, request(469, 56799, ids(100, i * 100))).then(() => done.push(i)),
      ),
    );
    expect(done).toEqual([0, 1, 2, 3, 4, 5]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(320);
    expect(p.stats().earned).toBe(600);
  });

  it('costs nothing when off: answers at once, no 503 however many wait', async () => {
    const p = createProvider();
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => post(p, request(469, 56799, ids(50, i * 50)))),
    );
    expect(answers.every((a) => a.res.status === 200)).toBe(true);
    expect(p.knobStats().shed).toBe(0);
  });

  it('the 503 is in the spec, marked inferred', () => {
    const body = { errors: [{ status: false, code: 503, message: 'x' }] };
    expect(validateResponse(503, body).ok).toBe(true);
  });
});

describe('serve --rate-limit-per-minute: per credential, 429 to the minute’s end', () => {
  it('refuses the 4th request of a credential in a minute, Retry-After the seconds left; others and the next minute go on', async () => {
    let now = 60_000 * 1000 + 15_000; // 15 s into a clock minute
    const p = createProvider({ rateLimitPerMinute: 3, now: () => now });
    for (let i = 0; i < 3; i++) {
      const ok = await post(p, request(469, 56799, ids(1, i)), { ...AUTH, ...JSON_CT });
      expect(ok.res.status).toBe(200);
      expect(ok.res.headers['x-ratelimit-limit']).toBe('3');
      expect(ok.res.headers['x-ratelimit-remaining']).toBe(String(2 - i));
    }
    const limited = await post(p, request(469, 56799, ids(1, 3)), { ...AUTH, ...JSON_CT });
    expect(limited.res.status).toBe(429);
    expect(limited.res.headers['retry-after']).toBe('45');
    // Another credential has its own window.
    expect((await post(p, request(469, 56799, ids(1, 4)), { ...BASIC, ...JSON_CT })).res.status).toBe(200);
    now += 45_000;
    expect((await post(p, request(469, 56799, ids(1, 5)), { ...AUTH, ...JSON_CT })).res.status).toBe(200);
    expect(p.stats().earned).toBe(5);
    expect(p.knobStats().quotaLimited).toBe(1);
  });

  it('counts the tokens generated from one API key against that key', async () => {
    const now = 0;
    const p = createProvider({ rateLimitPerMinute: 2, oauthClients: ['k1:s1'], now: () => now });
    const a = (await token(p)).json.data.accessToken as string;
    const b = (await token(p)).json.data.accessToken as string;
    expect(a).not.toBe(b);
    const send = (t: string, i: number) =>
      post(p, request(469, 56799, ids(1, i)), { 'x-cap-api-oauth-token': t, ...JSON_CT });
    expect((await send(a, 0)).res.status).toBe(200);
    expect((await send(b, 1)).res.status).toBe(200);
    expect((await send(a, 2)).res.status).toBe(429);
  });
});

describe('POST /v3/oauth/token/generate and expiring tokens', () => {
  it('gives a token for a known key and secret that works until ttlSeconds pass, then 401', async () => {
    let now = 5_000;
    const p = createProvider({ oauthClients: ['k1:s1'], tokenTtlSeconds: 2, now: () => now });
    const { res, json } = await token(p);
    expect(res.status).toBe(200);
    expect(json).toEqual({ data: { accessToken: expect.any(String), ttlSeconds: 2 }, errors: null });
    const t = json.data.accessToken as string;
    expect(
      (await post(p, request(469, 56799, ids(1)), { 'x-cap-api-oauth-token': t, ...JSON_CT })).res.status,
    ).toBe(200);
    expect(
      (await post(p, request(469, 56799, ids(1)), { authorization: `Bearer ${t}`, ...JSON_CT })).res.status,
    ).toBe(200);
    now += 1_999;
    expect(
      (await post(p, request(469, 56799, ids(1)), { 'x-cap-api-oauth-token': t, ...JSON_CT })).res.status,
    ).toBe(200);
    now += 1;
    const expired = await post(p, request(469, 56799, ids(1)), { 'x-cap-api-oauth-token': t, ...JSON_CT });
    expect(expired.res.status).toBe(401);
    expect(p.knobStats().tokensGenerated).toBe(1);
  });

  it('refuses a wrong secret (401), a body without key (400), another method (405); a configured token still works', async () => {
    const p = createProvider({ oauthClients: ['k1:s1'] });
    const wrong = await token(p, 'k1', 's2');
    expect(wrong.res.status).toBe(401);
    expect(wrong.json).toEqual({
      data: null,
      errors: [{ status: false, code: 401, message: 'invalid key or secret' }],
    });
    const noKey = await p.handle({
      method: 'POST',
      url: OAUTH_TOKEN_PATH,
      headers: JSON_CT,
      body: '{"secret":"s1"}',
    });
    expect(noKey.status).toBe(400);
    expect(JSON.parse(noKey.body).errors[0].message).toMatch(/^"key" must/);
    const get = await p.handle({ method: 'GET', url: OAUTH_TOKEN_PATH, headers: {} });
    expect(get.status).toBe(405);
    expect(p.knobStats().tokensGenerated).toBe(0);
    expect((await post(p, request(469, 56799, ids(1)))).res.status).toBe(200);
    // An unknown token is refused as before.
    const unknown = await p.handle({
      method: 'POST',
      url: ENDPOINT_PATH,
      headers: { 'x-cap-api-oauth-token': 'nope', ...JSON_CT },
      body: JSON.stringify(request(469, 56799, ids(1))),
    });
    expect(unknown.status).toBe(401);
  });

  it('serves the token endpoint over HTTP (its body is read, not refused from the head)', async () => {
    const server = await startProvider({ oauthClients: ['k1:s1'], tokenTtlSeconds: 60 });
    try {
      const res = await fetch(`${server.url}${OAUTH_TOKEN_PATH}`, {
        method: 'POST',
        headers: JSON_CT,
        body: JSON.stringify({ key: 'k1', secret: 's1' }),
      });
      expect(res.status).toBe(200);
      const t = ((await res.json()) as { data: { accessToken: string } }).data.accessToken;
      const earn = await fetch(`${server.url}${ENDPOINT_PATH}`, {
        method: 'POST',
        headers: { ...JSON_CT, 'x-cap-api-oauth-token': t },
        body: JSON.stringify(request(469, 56799, ids(1))),
      });
      expect(earn.status).toBe(200);
    } finally {
      await server.close();
    }
  });
});

describe('serve flags of the knobs', () => {
  const run = async (args: string[]) => {
    const err: string[] = [];
    const io: CliIO = { out: () => {}, err: (l) => err.push(l), color: false, env: {}, cwd: process.cwd() };
    return { code: await main(['serve', ...args], io), err: err.join('\n') };
  };
  it.each([
    [['--capacity-queue', '50'], /--capacity-queue goes with --capacity/],
    [['--capacity', 'fast'], /--capacity must be a number/],
    [['--token-ttl', '0'], /--token-ttl must be between 1/],
    [['--oauth', 'nokey'], /--oauth must be KEY:SECRET/],
    [['--rate-limit-per-minute', '1.5'], /--rate-limit-per-minute must be a whole number/],
  ])('%j is a usage error naming the flag', async (args, message) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });
});
