// The bulk helper against the reference provider over real sockets, with injected 429s
// (rateLimit), 500s (faultRate) and connections dropped by a TCP proxy before or after the
// provider processed the request: every customer gets exactly one outcome, and the provider's
// ledger shows no customer earning twice.
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BulkEvent, type CustomerOutcome, DirectEarnClient, earnBulk } from '../../src/client/index.js';
import {
  DEFAULT_BASIC_PASSWORD,
  DEFAULT_BASIC_USER,
  LOAD_CUSTOMER_ID_FIRST,
  LOAD_PROGRAM_ID,
  LOAD_PROMOTION_ID,
} from '../../src/config/defaults.js';
import type { CustomerIdentifier, DirectEarnRequest } from '../../src/openapi/index.js';
import type { Provider } from '../../src/provider/index.js';
import { startProvider } from '../../src/provider/server.js';

/** A seeded random source, so the injected faults are the same on every run. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * Forwards TCP to the provider; for a share of requests it closes the client's connection either
 * before forwarding (the provider never sees the request) or once the provider starts answering
 * (processed, answer lost).
 */
function droppingProxy(
  target: URL,
  dropRate: number,
  random: () => number,
): Promise<{ url: string; dropped: { before: number; after: number }; close(): Promise<void> }> {
  const dropped = { before: 0, after: 0 };
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    const upstream = createConnection({ host: target.hostname, port: Number(target.port) });
    sockets.add(upstream);
    let dropOnAnswer = false;
    client.on('data', (chunk) => {
      const roll = random();
      if (roll < dropRate / 2) {
        dropped.before++;
        client.destroy();
        upstream.destroy();
        return;
      }
      if (roll < dropRate) dropOnAnswer = true;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (dropOnAnswer) {
        dropped.after++;
        client.destroy();
        upstream.destroy();
        return;
      }
      client.write(chunk);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({
        url: `http://127.0.0.1:${port}`,
        dropped,
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

/** The caller's way to ask "did that request issue?": here the provider's ledger, by customer. */
function ledgerReconcile(provider: Provider) {
  return async (request: DirectEarnRequest): Promise<CustomerOutcome[] | 'not-processed' | undefined> => {
    const ids = request.customers.map((c) => Number(c.identifierValue));
    const entries = provider.ledger().filter((e) => ids.includes(e.customerId));
    if (entries.length === 0) return 'not-processed';
    if (entries.length !== ids.length) return undefined;
    return request.customers.map((customer, i) => {
      const e = entries.find((x) => x.customerId === ids[i]);
      if (e === undefined) throw new Error('unreachable');
      return {
        kind: 'earned',
        customer,
        entityId: e.customerId,
        earnedId: String(e.earnedId),
        issualId: String(e.issualId),
        programId: e.programId,
        promotionId: e.promotionId,
        promoIdentifier: undefined,
      };
    });
  };
}

const N = 240;
const input: CustomerIdentifier[] = Array.from({ length: N }, (_, i) => ({
  identifierValue: String(LOAD_CUSTOMER_ID_FIRST + 10_000 + i),
  source: 'INSTORE',
}));

function earnsPerCustomer(provider: Provider): Map<number, number> {
  const counts = new Map<number, number>();
  for (const e of provider.ledger()) counts.set(e.customerId, (counts.get(e.customerId) ?? 0) + 1);
  return counts;
}

describe('earnBulk under 429s, 500s and dropped connections from the reference provider', () => {
  let served: Awaited<ReturnType<typeof startProvider>>;
  let proxy: Awaited<ReturnType<typeof droppingProxy>>;
  beforeAll(async () => {
    served = await startProvider({
      host: '127.0.0.1',
      port: 0,
      rateLimit: 10,
      faultRate: 0.2,
      random: seeded(7),
    });
    proxy = await droppingProxy(new URL(served.url), 0.2, seeded(11));
  });
  afterAll(async () => {
    await proxy.close();
    await served.close();
  });

  const run = (reconcile: boolean) => {
    const events: BulkEvent[] = [];
    const client = new DirectEarnClient({
      baseUrl: proxy.url,
      auth: { kind: 'basic', user: DEFAULT_BASIC_USER, password: DEFAULT_BASIC_PASSWORD },
      timeoutMs: 5_000,
    });
    return earnBulk(client, {
      promotionDetails: { programId: LOAD_PROGRAM_ID, promotionId: LOAD_PROMOTION_ID },
      identifierName: 'id',
      customers: input,
      batchSize: 10,
      concurrency: 4,
      maxAttempts: 30,
      backoffBaseMs: 10,
      backoffMaxMs: 200,
      ...(reconcile ? { reconcile: ledgerReconcile(served.provider) } : {}),
      onEvent: (e) => events.push(e),
    }).then((r) => ({ ...r, events }));
  };

  it('without reconcile: one outcome each, in order; nothing earned twice; unknown only where a batch may have been processed', async () => {
    served.provider.reset();
    const r = await run(false);
    expect(r.outcomes).toHaveLength(N);
    expect(r.outcomes.map((o) => o.customer)).toEqual(input);
    const per = earnsPerCustomer(served.provider);
    expect(Math.max(...per.values())).toBe(1);
    for (const o of r.outcomes) {
      const id = Number(o.customer.identifierValue);
      if (o.kind === 'earned') expect(per.get(id)).toBe(1);
      else expect(o.kind).toBe('unknown');
    }
    expect(r.counts.unknown).toBeGreaterThan(0);
    expect(r.events.some((e) => e.type === 'retry' && e.reason.startsWith('HTTP 429'))).toBe(true);
  });

  it('with a reconcile hook: every customer earns exactly once, through 429s, 500s and drops', async () => {
    served.provider.reset();
    const droppedBefore = { ...proxy.dropped };
    const r = await run(true);
    expect(r.outcomes.map((o) => o.customer)).toEqual(input);
    expect(r.counts).toMatchObject({ total: N, earned: N, unknown: 0, rejected: 0 });
    const per = earnsPerCustomer(served.provider);
    expect(per.size).toBe(N);
    expect(Math.max(...per.values())).toBe(1);
    expect(served.provider.stats().earned).toBe(N);
    const ledgerIds = new Set(served.provider.ledger().map((e) => String(e.earnedId)));
    expect(r.outcomes.every((o) => o.kind === 'earned' && ledgerIds.has(o.earnedId))).toBe(true);
    // The faults really happened in this run.
    const reasons = r.events
      .filter((e) => e.type === 'retry' || e.type === 'reconciled')
      .map((e) => e.reason);
    expect(reasons.some((x) => x.startsWith('HTTP 429'))).toBe(true);
    expect(reasons.some((x) => x.startsWith('HTTP 500'))).toBe(true);
    expect(reasons.some((x) => /request to .* failed/.test(x))).toBe(true);
    expect(proxy.dropped.before + proxy.dropped.after).toBeGreaterThan(
      droppedBefore.before + droppedBefore.after,
    );
    expect(r.events.some((e) => e.type === 'reconciled' && e.processed)).toBe(
      proxy.dropped.after > droppedBefore.after,
    );
  });
});
