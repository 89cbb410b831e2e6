// The consumer client: credentials, typed outcomes and errors, strict mode, and the bulk helper's
// batching, concurrency and retry policy (which failures are retried, which are never re-sent).
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  type CustomerOutcome,
  classifyFailure,
  DirectEarnClient,
  DirectEarnHttpError,
  DirectEarnNetworkError,
  DirectEarnResponseError,
  earnBulk,
  parseRetryAfter,
} from '../../src/client/index.js';
import {
  DEFAULT_BASIC_PASSWORD,
  DEFAULT_BASIC_USER,
  DEFAULT_TOKEN,
  LOAD_CUSTOMER_ID_FIRST,
} from '../../src/config/defaults.js';
import {
  type CustomerIdentifier,
  type DirectEarnRequest,
  example,
  messageFor,
} from '../../src/openapi/index.js';
import { createProvider } from '../../src/provider/index.js';
import { fixedFetch, providerFetch } from '../support/client-support.js';

const BASE = 'http://directearn.test';
const basic = { kind: 'basic', user: DEFAULT_BASIC_USER, password: DEFAULT_BASIC_PASSWORD } as const;
const customers = (n: number, first = LOAD_CUSTOMER_ID_FIRST): CustomerIdentifier[] =>
  Array.from({ length: n }, (_, i) => ({ identifierValue: String(first + i), source: 'INSTORE' }));

describe('DirectEarnClient', () => {
  it('sends each kind of credential the way the spec names it', async () => {
    const seen: { headers: Headers; body: string }[] = [];
    const provider = createProvider();
    const request = example<DirectEarnRequest>('doc-request');
    for (const auth of [
      basic,
      { kind: 'bearer', token: DEFAULT_TOKEN },
      { kind: 'cap-oauth', token: DEFAULT_TOKEN },
    ] as const) {
      const r = await new DirectEarnClient({
        baseUrl: BASE,
        auth,
        fetch: providerFetch(provider, seen),
      }).earn(request);
      expect(r.counts.earned).toBe(2);
    }
    expect(seen[0]?.headers.get('authorization')).toBe(
      `Basic ${Buffer.from(`${DEFAULT_BASIC_USER}:${DEFAULT_BASIC_PASSWORD}`).toString('base64')}`,
    );
    expect(seen[1]?.headers.get('authorization')).toBe(`Bearer ${DEFAULT_TOKEN}`);
    expect(seen[2]?.headers.get('x-cap-api-oauth-token')).toBe(DEFAULT_TOKEN);
    expect(seen[2]?.headers.get('content-type')).toBe('application/json');
  });

  it("maps the doc's mixed answer to one typed outcome per customer, in order", async () => {
    const client = new DirectEarnClient({
      baseUrl: BASE,
      auth: basic,
      fetch: providerFetch(createProvider()),
      strict: true,
    });
    const request = example<DirectEarnRequest>('request-mixed-earned-8890-promo-identifier');
    const r = await client.earn(request);
    expect(r.outcomes.map((o) => o.kind)).toEqual(['earned', 'earned', 'warned']);
    const [a, b, c] = r.outcomes as [CustomerOutcome, CustomerOutcome, CustomerOutcome];
    expect(a.kind === 'earned' && b.kind === 'earned' && a.earnedId !== b.earnedId).toBe(true);
    expect(a.kind === 'earned' && a.promoIdentifier).toBe('Promo_testMay13');
    expect(c).toMatchObject({
      kind: 'warned',
      code: 8890,
      case: '8890',
      message: messageFor(8890, 'warning'),
    });
    expect(r.outcomes.map((o) => o.customer)).toEqual(request.customers);
    expect(r.counts).toMatchObject({ total: 3, earned: 2, warned: 1, failed: 0 });
    expect(r.failureCount).toBe(0);
  });

  it('gives a failed outcome with the catalogue code for a documented error', async () => {
    const client = new DirectEarnClient({
      baseUrl: BASE,
      auth: basic,
      fetch: providerFetch(createProvider()),
    });
    const r = await client.earn(example<DirectEarnRequest>('request-8892'));
    expect(r.outcomes[0]).toMatchObject({
      kind: 'failed',
      code: 8892,
      case: '8892',
      message: messageFor(8892, 'error'),
    });
    expect(r.counts.failed).toBe(1);
  });

  it('throws a typed HTTP error carrying the server message, field and Retry-After', async () => {
    const none = new DirectEarnClient({ baseUrl: BASE, fetch: providerFetch(createProvider()) });
    const e401 = await none.earn(example('doc-request')).catch((e: unknown) => e);
    expect(e401).toBeInstanceOf(DirectEarnHttpError);
    expect(e401).toMatchObject({ status: 401, serverMessage: messageFor(401, 'http') });
    const bad = {
      ...example<DirectEarnRequest>('doc-request'),
      identifierName: 'phone',
    } as unknown as DirectEarnRequest;
    const client = new DirectEarnClient({
      baseUrl: BASE,
      auth: basic,
      fetch: providerFetch(createProvider()),
    });
    const e400 = (await client.earn(bad).catch((e: unknown) => e)) as DirectEarnHttpError;
    expect(e400.status).toBe(400);
    expect(e400.field).toBe('/identifierName');
    expect(e400.message).toContain('HTTP 400');
    const limited = new DirectEarnClient({
      baseUrl: BASE,
      fetch: fixedFetch(429, example('http-429'), { 'retry-after': '3' }),
    });
    expect(await limited.earn(example('doc-request')).catch((e: unknown) => e)).toMatchObject({
      status: 429,
      retryAfterMs: 3000,
    });
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });

  it('strict mode refuses an answer the spec does not allow, naming the field; lenient mode takes it', async () => {
    const body = example<{ failureCount: unknown }>('error-8892');
    body.failureCount = '1';
    const strict = new DirectEarnClient({ baseUrl: BASE, fetch: fixedFetch(200, body), strict: true });
    const e = (await strict
      .earn(example('request-8892'))
      .catch((x: unknown) => x)) as DirectEarnResponseError;
    expect(e).toBeInstanceOf(DirectEarnResponseError);
    expect(e.issues.map((i) => i.path)).toContain('/failureCount');
    const lenient = new DirectEarnClient({ baseUrl: BASE, fetch: fixedFetch(200, body) });
    expect((await lenient.earn(example('request-8892'))).outcomes[0]?.kind).toBe('failed');
  });

  it('refuses an answer that does not have one entry per customer', async () => {
    const client = new DirectEarnClient({ baseUrl: BASE, fetch: fixedFetch(200, example('error-8892')) });
    await expect(client.earn(example('doc-request'))).rejects.toThrow(/1 entries for 2 customers/);
  });

  it('times out with a network error that says the request may have been processed', async () => {
    const hanging = ((_u: unknown, init?: RequestInit) =>
      new Promise((_r, reject) => {
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason));
      })) as typeof fetch;
    const client = new DirectEarnClient({ baseUrl: BASE, fetch: hanging, timeoutMs: 50 });
    const e = (await client.earn(example('doc-request')).catch((x: unknown) => x)) as DirectEarnNetworkError;
    expect(e).toBeInstanceOf(DirectEarnNetworkError);
    expect(e).toMatchObject({ code: 'TIMEOUT', maybeProcessed: true });
  });

  it('a refused connection is a network error the server never saw', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const client = new DirectEarnClient({ baseUrl: `http://127.0.0.1:${port}` });
    const e = (await client.earn(example('doc-request')).catch((x: unknown) => x)) as DirectEarnNetworkError;
    expect(e).toMatchObject({ code: 'ECONNREFUSED', maybeProcessed: false });
  });

  it('names a bad base URL', () => {
    expect(() => new DirectEarnClient({ baseUrl: 'eucrm.example.com' })).toThrow(
      /baseUrl must be an absolute/,
    );
    expect(() => new DirectEarnClient({ baseUrl: 'ftp://x' })).toThrow(/http\(s\)/);
  });
});

describe('classifyFailure: what is safe to retry', () => {
  const http = (status: number) => new DirectEarnHttpError(status, 'm', undefined, undefined, undefined);
  it.each([
    [429, 'wait'],
    [503, 'retry'],
    [413, 'split'],
    [400, 'reject'],
    [401, 'reject'],
    [403, 'reject'],
    [415, 'reject'],
    [500, 'unknown'],
    [502, 'unknown'],
    [504, 'unknown'],
  ])('HTTP %i -> %s', (status, action) => {
    expect(classifyFailure(http(status)).action).toBe(action);
  });
  it('a connection never made is retried; one lost after sending is not, unless asked', () => {
    expect(classifyFailure(new DirectEarnNetworkError('x', 'ECONNREFUSED', false)).action).toBe('retry');
    expect(classifyFailure(new DirectEarnNetworkError('x', 'ECONNRESET', true)).action).toBe('unknown');
    expect(classifyFailure(new DirectEarnNetworkError('x', 'ECONNRESET', true), true).action).toBe('retry');
    expect(classifyFailure(http(500), true).action).toBe('retry');
  });
});

describe('earnBulk', () => {
  const promotionDetails = { programId: 469, promotionId: 56799 };
  const noSleep = async () => {};

  it('cuts batches no larger than the redirection batch size, keeps input order, bounds concurrency', async () => {
    const provider = createProvider({ redirection: { enabled: true, batchSize: 7 } });
    const inner = providerFetch(provider);
    const sizes: number[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const fetch = (async (u: string, init?: RequestInit) => {
      sizes.push(JSON.parse(String(init?.body)).customers.length);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      try {
        return await inner(u, init);
      } finally {
        inFlight--;
      }
    }) as typeof globalThis.fetch;
    const client = new DirectEarnClient({ baseUrl: BASE, auth: basic, fetch });
    const input = customers(50);
    const r = await earnBulk(client, {
      promotionDetails,
      identifierName: 'id',
      customers: input,
      batchSize: 20,
      redirectionBatchSize: 7,
      concurrency: 3,
    });
    expect(Math.max(...sizes)).toBe(7);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(50);
    expect(maxInFlight).toBeLessThanOrEqual(3);
    expect(maxInFlight).toBeGreaterThan(1);
    expect(r.outcomes.map((o) => o.customer)).toEqual(input);
    expect(r.counts).toMatchObject({ total: 50, earned: 50 });
    expect(r.batches).toBe(8);
  });

  it('retries a 429 after the Retry-After the server asked for', async () => {
    const provider = createProvider();
    const inner = providerFetch(provider);
    let calls = 0;
    const fetch = (async (u: string, init?: RequestInit) => {
      calls++;
      if (calls <= 2) {
        return new Response(JSON.stringify(example('http-429')), {
          status: 429,
          headers: { 'retry-after': '2' },
        });
      }
      return inner(u, init);
    }) as typeof globalThis.fetch;
    const slept: number[] = [];
    const r = await earnBulk(new DirectEarnClient({ baseUrl: BASE, auth: basic, fetch }), {
      promotionDetails,
      identifierName: 'id',
      customers: customers(3),
      // The lowest jitter draw: exactly the Retry-After (it is a floor; test/client-retry covers the spread).
      random: () => 0,
      sleep: async (ms) => {
        slept.push(ms);
      },
    });
    expect(slept).toEqual([2000, 2000]);
    expect(r.counts.earned).toBe(3);
    expect(r.retries).toBe(2);
    expect(provider.stats().earned).toBe(3);
  });

  it('gives up after maxRateLimitWaits 429s with rejected outcomes (nothing was issued)', async () => {
    const fetch = fixedFetch(429, example('http-429'));
    const r = await earnBulk(new DirectEarnClient({ baseUrl: BASE, fetch }), {
      promotionDetails,
      identifierName: 'id',
      customers: customers(4),
      // 429 waits do not use up failure attempts: one attempt, still two waits.
      maxAttempts: 1,
      maxRateLimitWaits: 2,
      sleep: noSleep,
    });
    expect(fetch.calls).toBe(3);
    expect(r.outcomes.every((o) => o.kind === 'rejected' && o.status === 429)).toBe(true);
  });

  it('never re-sends a batch after a 500 by default: its customers are unknown', async () => {
    const fetch = fixedFetch(500, { errors: [{ status: false, code: 500, message: 'boom' }] });
    const r = await earnBulk(new DirectEarnClient({ baseUrl: BASE, fetch }), {
      promotionDetails,
      identifierName: 'id',
      customers: customers(5),
      batchSize: 2,
      sleep: noSleep,
    });
    expect(fetch.calls).toBe(3);
    expect(r.counts).toMatchObject({ total: 5, unknown: 5 });
    expect(r.outcomes[0]).toMatchObject({ kind: 'unknown', reason: 'HTTP 500: boom' });
  });

  it('re-sends after a 500 when reconcile says the batch was not processed, or takes its outcomes', async () => {
    const provider = createProvider();
    const inner = providerFetch(provider);
    let calls = 0;
    const fetch = (async (u: string, init?: RequestInit) => {
      calls++;
      if (calls === 1)
        return new Response('{"errors":[{"status":false,"code":500,"message":"x"}]}', { status: 500 });
      return inner(u, init);
    }) as typeof globalThis.fetch;
    const asked: number[] = [];
    const r = await earnBulk(new DirectEarnClient({ baseUrl: BASE, auth: basic, fetch }), {
      promotionDetails,
      identifierName: 'id',
      customers: customers(2),
      sleep: noSleep,
      reconcile: async (req) => {
        asked.push(req.customers.length);
        return 'not-processed';
      },
    });
    expect(asked).toEqual([2]);
    expect(r.counts.earned).toBe(2);
    const told = await earnBulk(new DirectEarnClient({ baseUrl: BASE, fetch: fixedFetch(502, '') }), {
      promotionDetails,
      identifierName: 'id',
      customers: customers(2),
      reconcile: async (req) =>
        req.customers.map(
          (customer) => ({ kind: 'failed', customer, code: 8015, message: 'm', case: '8015' }) as const,
        ),
    });
    expect(told.outcomes.map((o) => o.kind)).toEqual(['failed', 'failed']);
  });

  it('splits a batch answered 413 and rejects a 401 without retrying', async () => {
    const provider = createProvider({ bodyLimit: 400 });
    const client = new DirectEarnClient({ baseUrl: BASE, auth: basic, fetch: providerFetch(provider) });
    const r = await earnBulk(client, {
      promotionDetails,
      identifierName: 'id',
      customers: customers(8),
      batchSize: 8,
    });
    expect(r.counts.earned).toBe(8);
    expect(r.requests).toBeGreaterThan(1);
    const unauth = fixedFetch(401, example('http-401'));
    const r401 = await earnBulk(new DirectEarnClient({ baseUrl: BASE, fetch: unauth }), {
      promotionDetails,
      identifierName: 'id',
      customers: customers(3),
    });
    expect(unauth.calls).toBe(1);
    expect(r401.outcomes[0]).toMatchObject({ kind: 'rejected', status: 401 });
  });

  it('names a bad option', async () => {
    const client = new DirectEarnClient({ baseUrl: BASE });
    await expect(
      earnBulk(client, { promotionDetails, identifierName: 'id', customers: [], batchSize: 0 }),
    ).rejects.toThrow(/batchSize must be a whole number >= 1, got 0/);
  });
});

describe('strict mode on error answers', () => {
  it('keeps a 429 a typed HTTP error (still retryable) and lists how its body breaks the spec', async () => {
    const client = new DirectEarnClient({
      baseUrl: BASE,
      fetch: fixedFetch(429, { oops: true }, { 'retry-after': '1' }),
      strict: true,
    });
    const e = (await client.earn(example('doc-request')).catch((x: unknown) => x)) as DirectEarnHttpError;
    expect(e).toBeInstanceOf(DirectEarnHttpError);
    expect(e.status).toBe(429);
    expect(e.specIssues.map((i) => i.path)).toContain('/errors');
    expect(classifyFailure(e).action).toBe('wait');
  });
});
