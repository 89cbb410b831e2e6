// What bounds a capacity search besides the host's knee (issue 19), with real k6 steps of 1 s: a
// per-minute quota (boundBy rate-limit, naming it), a generator that cannot send the offered rate
// (boundBy generator, exit 1, never called the host's capacity), and the customer budget (never
// exceeded: the provider's ledger proves it). Each test has its own host; they run side by side.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCapacity } from '../../src/capacity/run-capacity.js';
import { main } from '../../src/cli/main.js';
import { startProvider } from '../../src/provider/server.js';
import { captureIO } from '../support/cli-io.js';

const dir = (name: string) => mkdtempSync(join(tmpdir(), `capacity-${name}-`));
const quick = { stepSeconds: 1, coolDownSeconds: 0.2, batchSizes: [10] };

describe.concurrent('what bounds a capacity search', () => {
  it('a per-minute quota below the capacity: boundBy rate-limit, naming 60/min', async () => {
    const host = await startProvider({ capacity: { customersPerSecond: 5000 }, rateLimitPerMinute: 60 });
    try {
      const { result } = await runCapacity({ ...quick, target: host.url, startRate: 100, out: dir('quota') });
      const b = result.batches[0];
      expect(b?.boundBy).toBe('rate-limit');
      expect(b?.rateLimit).toEqual({
        perSecond: 1,
        perMinute: 60,
        window: 'minute',
        source: 'X-RateLimit-Limit',
      });
      expect(b?.steps.at(-1)?.verdict).toBe('rate-limit');
      expect(b?.steps.at(-1)?.rateLimitedShare).toBeGreaterThan(0);
      expect(host.provider.knobStats().quotaLimited).toBeGreaterThan(0);
    } finally {
      await host.close();
    }
  });

  it('--max-vus 1 against a slow host: boundBy generator, exit 1, not presented as capacity', async () => {
    const host = await startProvider({ latencyMs: 50 });
    try {
      const io = captureIO({ env: { PATH: process.env.PATH, HOME: process.env.HOME } });
      const code = await main(
        [
          'capacity',
          '--target',
          host.url,
          '--batch-sizes',
          '10',
          '--step-duration',
          '1s',
          '--cool-down',
          '200ms',
          '--start-rate',
          '120',
          '--max-vus',
          '1',
          '--out',
          dir('generator'),
          '--json',
        ],
        io,
      );
      const result = JSON.parse(io.stdout.join('\n'));
      expect(code, io.stderr.join('\n')).toBe(1);
      expect(result.batches[0].boundBy).toBe('generator');
      expect(result.batches[0].isHostCapacity).toBe(false);
      expect(result.batches[0].steps.at(-1).reason).toMatch(/k6 could not send the offered rate/);
      expect(io.stderr.join('\n')).toMatch(/batch 10: bound by the generator .*not the host's capacity/);
      // One progress line per step.
      expect(io.stderr.join('\n').match(/^batch 10 (up|down|binary|confirm) /gm)).toHaveLength(
        result.batches[0].steps.length,
      );
    } finally {
      await host.close();
    }
  });

  it('--budget-customers is never exceeded: the search stops before a step it cannot pay, the ledger agrees', async () => {
    const host = await startProvider({ capacity: { customersPerSecond: 5000 } });
    try {
      const { result } = await runCapacity({
        ...quick,
        target: host.url,
        startRate: 100,
        budgetCustomers: 250,
        out: dir('budget'),
      });
      const b = result.batches[0];
      expect(b?.boundBy).toBe('budget');
      expect(b?.isHostCapacity).toBe(false);
      expect(b?.note).toMatch(/--budget-customers/);
      expect(host.provider.stats().earned).toBe(result.customersSent);
      expect(result.customersSent).toBeLessThanOrEqual(250);
      // One step of 100 fits (with the preflight's 3), the next of 200 would not. Each step sent at
      // most what it was given (k6 schedules one more arrival than that), a good one all of it; a
      // step k6 could not send on a busy machine is run once more, within the budget too.
      expect(b?.steps.filter((s) => s.verdict === 'good').map((s) => s.customersSent)).toEqual([100]);
      for (const s of b?.steps ?? []) expect(s.customersSent).toBeLessThanOrEqual(100);
    } finally {
      await host.close();
    }
  });

  it('with --oauth-key/--oauth-secret and 1 s tokens, no step of the search gets a 401', async () => {
    const host = await startProvider({
      capacity: { customersPerSecond: 5000 },
      oauthClients: ['cap-key:cap-secret'],
      tokenTtlSeconds: 1,
    });
    try {
      const out = dir('oauth');
      // Steps of 2 s outlast the 1 s token however slowly a loaded machine runs them: every VU
      // renews within its first step, so a search that stops after one step still renews.
      const { result } = await runCapacity({
        ...quick,
        stepSeconds: 2,
        target: host.url,
        startRate: 50,
        maxRate: 100,
        oauth: { key: 'cap-key', secret: 'cap-secret' },
        out,
      });
      // The key and secret reach k6's environment only, no file of the run.
      for (const file of readdirSync(out))
        expect(readFileSync(join(out, file), 'utf8')).not.toMatch(/cap-secret|cap-key/);
      const b = result.batches[0];
      // A 401 is an error of the step: none, in any step, though every token died after 1 s.
      expect(b?.steps.map((s) => s.errorShare)).toEqual(b?.steps.map(() => 0));
      // However far a loaded machine lets the search go (k6 may be the limit), tokens were renewed.
      expect(b?.steps.length).toBeGreaterThanOrEqual(1);
      expect(host.provider.knobStats().tokensGenerated).toBeGreaterThanOrEqual(2);
    } finally {
      await host.close();
    }
  });

  it("a step whose k6 setup is refused (HTTP 401) fails with k6's reason, not as the generator's limit", async () => {
    const host = await startProvider({ capacity: { customersPerSecond: 5000 } });
    // In front of the provider: every request passes but k6 setup's probe (a body of `{}`), refused.
    const front = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const body = Buffer.concat(chunks).toString();
        if (body === '{}') {
          res.writeHead(401, { 'Content-Type': 'application/json' }).end('{}');
          return;
        }
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers))
          if (typeof v === 'string' && k !== 'host' && k !== 'content-length') headers[k] = v;
        const answer = await fetch(`${host.url}${req.url}`, { method: req.method ?? 'POST', headers, body });
        res.writeHead(answer.status, { 'Content-Type': 'application/json' }).end(await answer.text());
      });
    });
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
      await expect(
        runCapacity({ ...quick, target: url, startRate: 50, out: dir('refused') }),
      ).rejects.toThrow(/k6 stopped the step: .*refused the credentials \(HTTP 401\)/);
    } finally {
      front.close();
      await host.close();
    }
  });
});
