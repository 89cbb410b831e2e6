// A seeded property test of earnBulk against the real reference provider over HTTP, through a proxy
// that injects latency, timeouts (answers held past the client's timeout, or forwarded only after
// it), 500/502 before or after the provider processed the request, 503, 429 with a Retry-After and
// dropped connections. Whatever the faults and timings, each outcome keeps its promise about the
// provider's ledger (read over GET /_admin/ledger): see AmbiguousAttempts in src/client/outcomes.ts.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CustomerOutcome, DirectEarnClient, earnBulk } from '../../src/client/index.js';
import {
  DEFAULT_BASIC_PASSWORD,
  DEFAULT_BASIC_USER,
  LOAD_CUSTOMER_ID_FIRST,
  LOAD_PROGRAM_ID,
  LOAD_PROMOTION_ID,
} from '../../src/config/defaults.js';
import { startProvider } from '../../src/provider/server.js';
import { readLedger, resetProvider } from '../support/client-support.js';

const FAULTS = [
  'ok',
  'slow',
  'late',
  'e500After',
  'e502Before',
  'e503',
  'e429',
  'dropBefore',
  'dropAfter',
] as const;
type Fault = (typeof FAULTS)[number];
/**
 * Client timeout; `slow` and `late` hold a request past it. Generous, so a loaded machine does not
 * turn every answer into a timeout (the promises hold either way; the runs just need each outcome).
 */
const TIMEOUT_MS = 400;

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

interface Plan {
  weights: Record<Fault, number>;
  random: () => number;
}

const wait = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** An HTTP proxy in front of the provider that answers each request with a fault drawn from the plan. */
async function faultProxy(
  target: string,
): Promise<{ url: string; plan: Plan; idle(): Promise<void>; close(): Promise<void> }> {
  const plan: Plan = {
    weights: Object.fromEntries(FAULTS.map((f) => [f, 1])) as Record<Fault, number>,
    random: Math.random,
  };
  const pending = new Set<Promise<void>>();
  const draw = (): Fault => {
    const total = FAULTS.reduce((a, f) => a + plan.weights[f], 0);
    let roll = plan.random() * total;
    for (const f of FAULTS) {
      roll -= plan.weights[f];
      if (roll < 0) return f;
    }
    return 'ok';
  };
  const forward = async (req: IncomingMessage, body: Buffer) => {
    const res = await fetch(`${target}${req.url}`, {
      method: 'POST',
      headers: {
        'content-type': String(req.headers['content-type']),
        authorization: String(req.headers.authorization),
      },
      body,
    });
    return { status: res.status, headers: res.headers, text: await res.text() };
  };
  const answer = (
    res: ServerResponse,
    status: number,
    text: string,
    headers: Record<string, string> = {},
  ) => {
    if (res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(text);
  };
  const error = (code: number) =>
    JSON.stringify({ errors: [{ status: false, code, message: `injected ${code}` }] });
  const handle = async (req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> => {
    const fault = draw();
    const latency = plan.random() * 20;
    switch (fault) {
      case 'ok': {
        const r = await forward(req, body);
        await wait(latency);
        return answer(res, r.status, r.text, Object.fromEntries(r.headers));
      }
      case 'slow': {
        await forward(req, body);
        await wait(TIMEOUT_MS + 100);
        return answer(res, 500, error(500));
      }
      case 'late':
        // Processed only after the client has given up on it.
        await wait(TIMEOUT_MS + 100);
        await forward(req, body);
        return;
      case 'e500After':
        await forward(req, body);
        return answer(res, 500, error(500));
      case 'e502Before':
        return answer(res, 502, error(502));
      case 'e503':
        return answer(res, 503, error(503), { 'retry-after': '0.01' });
      case 'e429':
        return answer(res, 429, error(429), { 'retry-after': (plan.random() * 0.02).toFixed(3) });
      case 'dropBefore':
        res.socket?.destroy();
        return;
      case 'dropAfter':
        await forward(req, body);
        res.socket?.destroy();
        return;
    }
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const p = handle(req, res, Buffer.concat(chunks)).catch(() => {
        res.socket?.destroy();
      });
      pending.add(p);
      void p.finally(() => pending.delete(p));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    plan,
    async idle() {
      // Bounded: every branch of handle ends within TIMEOUT_MS + 100 ms plus a forward.
      for (let i = 0; i < 200 && pending.size > 0; i++) await Promise.allSettled([...pending]);
    },
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

/** Checks each outcome's promise about the ledger; returns the first broken one, or undefined. */
function broken(
  outcomes: CustomerOutcome[],
  perCustomer: Map<number, number>,
  retryAmbiguous: boolean,
): string | undefined {
  for (const o of outcomes) {
    const n = perCustomer.get(Number(o.customer.identifierValue)) ?? 0;
    const k = o.kind === 'rejected' ? 0 : (o.ambiguousAttempts ?? 0);
    const [lo, hi] =
      o.kind === 'earned'
        ? [1, 1 + k]
        : o.kind === 'rejected'
          ? [0, 0]
          : o.kind === 'unknown'
            ? [0, k]
            : [0, k];
    if (o.kind === 'unknown' && k < 1) return `unknown without ambiguousAttempts: ${JSON.stringify(o)}`;
    if (!retryAmbiguous && o.kind !== 'unknown' && k !== 0)
      return `ambiguousAttempts without retryAmbiguous: ${JSON.stringify(o)}`;
    if (n < lo || n > hi)
      return `${o.kind} (ambiguousAttempts ${k}) but ${n} earns in the ledger: ${JSON.stringify(o)}`;
    if (!retryAmbiguous && n > 1) return `${n} earns without retryAmbiguous`;
  }
  return undefined;
}

describe('earnBulk against the reference provider under random faults (seeded property)', () => {
  let served: Awaited<ReturnType<typeof startProvider>>;
  let proxy: Awaited<ReturnType<typeof faultProxy>>;
  beforeAll(async () => {
    served = await startProvider({ host: '127.0.0.1', port: 0, admin: true });
    proxy = await faultProxy(served.url);
  });
  afterAll(async () => {
    await proxy?.close();
    await served?.close();
  });

  const client = () =>
    new DirectEarnClient({
      baseUrl: proxy.url,
      auth: { kind: 'basic', user: DEFAULT_BASIC_USER, password: DEFAULT_BASIC_PASSWORD },
      timeoutMs: TIMEOUT_MS,
    });
  const customers = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ identifierValue: String(LOAD_CUSTOMER_ID_FIRST + i) }));

  // Most of this test's time is the faults' own waits (a held answer costs the client its 400 ms
  // timeout, run after run): 10-14 s in a full npm test, 18-30 s at load 20. The time limit only catches a
  // hang, so it leaves a busy machine three times what an idle one needs.
  it('earned is in the ledger once (1..1+k when possibly duplicated), rejected never, unknown at most k times', async () => {
    const weight = fc.integer({ min: 0, max: 3 });
    const scenario = fc.record({
      seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      customers: fc.integer({ min: 1, max: 30 }),
      batchSize: fc.integer({ min: 1, max: 6 }),
      concurrency: fc.integer({ min: 1, max: 6 }),
      maxAttempts: fc.integer({ min: 1, max: 4 }),
      maxRateLimitWaits: fc.integer({ min: 0, max: 4 }),
      retryAmbiguous: fc.boolean(),
      weights: fc.record(Object.fromEntries(FAULTS.map((f) => [f, weight])) as Record<Fault, typeof weight>),
    });
    const seen = { rejected: 0, unknown: 0, earned: 0, duplicated: 0 };
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        await proxy.idle();
        await resetProvider(served.url);
        proxy.plan.weights = { ...s.weights, ok: s.weights.ok + 1 };
        proxy.plan.random = seeded(s.seed);
        const r = await earnBulk(client(), {
          promotionDetails: { programId: LOAD_PROGRAM_ID, promotionId: LOAD_PROMOTION_ID },
          identifierName: 'id',
          customers: customers(s.customers),
          batchSize: s.batchSize,
          concurrency: s.concurrency,
          maxAttempts: s.maxAttempts,
          maxRateLimitWaits: s.maxRateLimitWaits,
          retryAmbiguous: s.retryAmbiguous,
          backoffBaseMs: 1,
          backoffMaxMs: 10,
          random: seeded(s.seed + 1),
        });
        // Requests the client gave up on may still reach the provider: wait for the proxy to finish.
        await proxy.idle();
        const perCustomer = new Map<number, number>();
        for (const e of await readLedger(served.url)) {
          perCustomer.set(e.customerId, (perCustomer.get(e.customerId) ?? 0) + 1);
        }
        expect(r.outcomes).toHaveLength(s.customers);
        expect(broken(r.outcomes, perCustomer, s.retryAmbiguous)).toBeUndefined();
        seen.rejected += r.counts.rejected;
        seen.unknown += r.counts.unknown;
        seen.earned += r.counts.earned;
        seen.duplicated += r.possiblyDuplicated;
      }),
      { seed: 20261126, numRuns: 20, endOnFailure: true },
    );
    // The runs exercised every kind of outcome the property speaks about.
    expect(seen.rejected).toBeGreaterThan(0);
    expect(seen.unknown).toBeGreaterThan(0);
    expect(seen.earned).toBeGreaterThan(0);
    expect(seen.duplicated).toBeGreaterThan(0);
  }, 180_000);

  it('the reported case: retryAmbiguous, every request timing out after it issued -> unknown, never rejected', async () => {
    await proxy.idle();
    await resetProvider(served.url);
    proxy.plan.weights = Object.fromEntries(FAULTS.map((f) => [f, f === 'slow' ? 1 : 0])) as Record<
      Fault,
      number
    >;
    const r = await earnBulk(client(), {
      promotionDetails: { programId: LOAD_PROGRAM_ID, promotionId: LOAD_PROMOTION_ID },
      identifierName: 'id',
      customers: customers(20),
      batchSize: 5,
      maxAttempts: 2,
      retryAmbiguous: true,
      backoffBaseMs: 1,
      backoffMaxMs: 5,
    });
    await proxy.idle();
    const ledger = await readLedger(served.url);
    expect(ledger).toHaveLength(40);
    expect(r.counts).toMatchObject({ total: 20, unknown: 20, rejected: 0 });
    expect(r.outcomes.every((o) => o.kind === 'unknown' && o.ambiguousAttempts === 2)).toBe(true);
  });
});

describe('readLedger: both shapes of GET /_admin/ledger', () => {
  it('reads one unpaged answer, and follows ?after=next pages until next is null', async () => {
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(req.url ?? '');
      const after = new URL(req.url ?? '/', 'http://x').searchParams.get('after');
      const page =
        after === null
          ? { entries: [{ earnedId: '1', customerId: 7 }], next: '1' }
          : after === '1'
            ? { entries: [{ earnedId: '2', customerId: 8 }], next: '2' }
            : { entries: [{ earnedId: '3', customerId: 7 }], next: null };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(page));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      expect((await readLedger(url, 1)).map((e) => e.customerId)).toEqual([7, 8, 7]);
      expect(seen).toEqual([
        '/_admin/ledger',
        '/_admin/ledger?after=1&limit=1',
        '/_admin/ledger?after=2&limit=1',
      ]);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
    // The unpaged shape: this worktree's provider over HTTP.
    const served = await startProvider({ host: '127.0.0.1', port: 0, admin: true });
    try {
      expect(await readLedger(served.url)).toEqual([]);
    } finally {
      await served.close();
    }
  });
});

describe('earnBulk against the provider rate limit (issue 10: 66 customers gave up at batch 1, concurrency 32)', () => {
  // 10 requests/s (a bucket of 10): 50 requests at concurrency 32 meet the limit unless this process
  // sends slower than 10/s; at 20/s a machine at load 24 sent them too slowly to meet it.
  it('batch 1, concurrency 32, 10 requests/s: every customer earns once, no 429 gives up', async () => {
    const served = await startProvider({ host: '127.0.0.1', port: 0, admin: true, rateLimit: 10 });
    try {
      let waits = 0;
      const r = await earnBulk(
        new DirectEarnClient({
          baseUrl: served.url,
          auth: { kind: 'basic', user: DEFAULT_BASIC_USER, password: DEFAULT_BASIC_PASSWORD },
        }),
        {
          promotionDetails: { programId: LOAD_PROGRAM_ID, promotionId: LOAD_PROMOTION_ID },
          identifierName: 'id',
          customers: Array.from({ length: 50 }, (_, i) => ({
            identifierValue: String(LOAD_CUSTOMER_ID_FIRST + i),
          })),
          batchSize: 1,
          concurrency: 32,
          random: seeded(5),
          onEvent: (e) => {
            if (e.type === 'retry' && e.cause === 'rate-limit') waits++;
          },
        },
      );
      expect(r.counts).toMatchObject({ total: 50, earned: 50, rejected: 0, unknown: 0 });
      // The limit really was hit, and the waits did not use up failure attempts.
      expect(waits).toBeGreaterThan(0);
      const ledger = await readLedger(served.url);
      expect(new Set(ledger.map((e) => e.customerId)).size).toBe(50);
      expect(ledger).toHaveLength(50);
    } finally {
      await served.close();
    }
  }, 60_000);
});
