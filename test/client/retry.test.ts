// The bulk helper's retry policy on fixed answers: 429 waits apart from failure attempts, jitter
// above Retry-After, and `unknown` (never `rejected`) once a request may have issued.
import { describe, expect, it } from 'vitest';
import { DirectEarnClient, earnBulk, rateLimitDelay } from '../../src/client/index.js';
import { example } from '../../src/openapi/index.js';
import { createProvider } from '../../src/provider/index.js';
import { providerFetch } from '../support/client-support.js';

const BASE = 'http://crm.test';
const basic = { kind: 'basic', user: 'directearn', password: 'directearn' } as const;
const promotionDetails = { programId: 469, promotionId: 56799 };
const customers = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ identifierValue: String(500000000 + i) }));
const noSleep = async () => {};
const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
const boom = { errors: [{ status: false, code: 500, message: 'boom' }] };

/** A fetch that answers from a script (one entry per call), then from the provider. */
function scripted(script: (number | 'provider')[]) {
  const provider = createProvider();
  const inner = providerFetch(provider);
  let call = 0;
  const fetch = (async (u: string, init?: RequestInit) => {
    const step = script[call++] ?? 'provider';
    if (step === 'provider') return inner(u, init);
    if (step === 500) {
      // Processed, then the answer is lost behind a 500: the ambiguous case.
      await inner(u, init);
      return json(500, boom);
    }
    const body =
      step === 429 ? example('http-429') : { errors: [{ status: false, code: step, message: 'busy' }] };
    return json(step, body, { 'retry-after': '1' });
  }) as typeof globalThis.fetch;
  return { provider, fetch, calls: () => call };
}

describe('earnBulk: rejected only when nothing can have been issued', () => {
  it('retryAmbiguous with every attempt ambiguous: unknown with the attempts that may have issued', async () => {
    const { provider, fetch } = scripted([500, 500, 500, 500]);
    const r = await earnBulk(new DirectEarnClient({ baseUrl: BASE, auth: basic, fetch }), {
      promotionDetails,
      identifierName: 'id',
      customers: customers(4),
      maxAttempts: 2,
      retryAmbiguous: true,
      sleep: noSleep,
    });
    expect(provider.stats().earned).toBe(8);
    expect(r.counts).toMatchObject({ unknown: 4, rejected: 0 });
    expect(r.outcomes.every((o) => o.kind === 'unknown' && o.ambiguousAttempts === 2)).toBe(true);
  });

  it('an ambiguous 500 then 429s until the wait budget runs out: unknown, naming the earlier failure', async () => {
    const { fetch } = scripted([500, 429, 429, 429]);
    const r = await earnBulk(new DirectEarnClient({ baseUrl: BASE, auth: basic, fetch }), {
      promotionDetails,
      identifierName: 'id',
      customers: customers(2),
      retryAmbiguous: true,
      maxRateLimitWaits: 2,
      sleep: noSleep,
    });
    expect(r.outcomes[0]).toMatchObject({ kind: 'unknown', ambiguousAttempts: 1 });
    expect(r.outcomes[0]?.kind === 'unknown' && r.outcomes[0].reason).toMatch(
      /HTTP 429.*an earlier request may have issued \(HTTP 500: boom\)/,
    );
  });

  it('an ambiguous 500 then a 200: earned, marked possibly duplicated', async () => {
    const { provider, fetch } = scripted([500, 'provider']);
    const r = await earnBulk(new DirectEarnClient({ baseUrl: BASE, auth: basic, fetch }), {
      promotionDetails,
      identifierName: 'id',
      customers: customers(3),
      retryAmbiguous: true,
      sleep: noSleep,
    });
    expect(provider.stats().earned).toBe(6);
    expect(r.counts.earned).toBe(3);
    expect(r.possiblyDuplicated).toBe(3);
    expect(r.outcomes.every((o) => o.kind === 'earned' && o.ambiguousAttempts === 1)).toBe(true);
  });

  it('503 until the attempts run out: rejected (the server processed nothing)', async () => {
    const { provider, fetch, calls } = scripted([503, 503, 503]);
    const r = await earnBulk(new DirectEarnClient({ baseUrl: BASE, auth: basic, fetch }), {
      promotionDetails,
      identifierName: 'id',
      customers: customers(2),
      maxAttempts: 3,
      sleep: noSleep,
    });
    expect(calls()).toBe(3);
    expect(provider.stats().earned).toBe(0);
    expect(r.outcomes.every((o) => o.kind === 'rejected' && o.status === 503)).toBe(true);
  });

  it('429 waits do not use up failure attempts: 3 429s and 2 503s still earn with maxAttempts 3', async () => {
    const { fetch } = scripted([429, 503, 429, 503, 429]);
    const events: string[] = [];
    const r = await earnBulk(new DirectEarnClient({ baseUrl: BASE, auth: basic, fetch }), {
      promotionDetails,
      identifierName: 'id',
      customers: customers(2),
      maxAttempts: 3,
      maxRateLimitWaits: 3,
      sleep: noSleep,
      onEvent: (e) => {
        if (e.type === 'retry') events.push(`${e.cause}:${e.attempt}`);
      },
    });
    expect(r.counts.earned).toBe(2);
    expect(events).toEqual(['rate-limit:1', 'failure:2', 'rate-limit:2', 'failure:3', 'rate-limit:3']);
  });
});

describe('rateLimitDelay: jitter above Retry-After', () => {
  const backoff = (random: () => number) => ({ baseMs: 100, maxMs: 5_000, random });

  it('never earlier than Retry-After, spread over a window at least as wide', () => {
    expect(
      rateLimitDelay(
        1_000,
        1,
        backoff(() => 0),
      ),
    ).toBe(1_000);
    expect(
      rateLimitDelay(
        1_000,
        1,
        backoff(() => 0.999),
      ),
    ).toBeGreaterThan(1_990);
    expect(
      rateLimitDelay(
        1_000,
        1,
        backoff(() => 0.999),
      ),
    ).toBeLessThan(2_000);
  });

  it('32 workers told "1 s" at once come back spread out, not in lockstep', async () => {
    let s = 42;
    const random = () => {
      s = (s * 1664525 + 1013904223) >>> 0;
      return s / 2 ** 32;
    };
    const delays = Array.from({ length: 32 }, () => rateLimitDelay(1_000, 1, backoff(random)));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(1_000);
    // Spread over most of the 1..2 s window, and no two workers within the same millisecond.
    expect(Math.max(...delays) - Math.min(...delays)).toBeGreaterThan(700);
    expect(new Set(delays.map((d) => Math.round(d))).size).toBe(32);
  });

  it('the window widens with consecutive 429s (capped), and without Retry-After it is full jitter', () => {
    expect(
      rateLimitDelay(
        100,
        4,
        backoff(() => 0.999),
      ),
    ).toBeGreaterThan(100 + 790);
    expect(
      rateLimitDelay(
        100,
        30,
        backoff(() => 0.999),
      ),
    ).toBeLessThanOrEqual(100 + 5_000);
    expect(
      rateLimitDelay(
        undefined,
        1,
        backoff(() => 0),
      ),
    ).toBe(0);
  });

  it('earnBulk sleeps the jittered delay, drawn from the injected random', async () => {
    const { fetch } = scripted([429]);
    const slept: number[] = [];
    await earnBulk(new DirectEarnClient({ baseUrl: BASE, auth: basic, fetch }), {
      promotionDetails,
      identifierName: 'id',
      customers: customers(1),
      random: () => 0.5,
      sleep: async (ms) => {
        slept.push(ms);
      },
    });
    expect(slept).toEqual([1_500]);
  });
});
