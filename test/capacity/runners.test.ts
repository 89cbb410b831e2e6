// `capacity --runners N` (issue 22 item 5): each step as N k6 processes with the k6-operator's
// execution segments, their figures merged. Real k6 steps of 1 s against an in-process host whose
// ledger counts what was issued: the merged counts are the runners' together, and the customer
// budget holds across runners (each keeps to its share of a step's cap, never the whole).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCapacity } from '../../src/capacity/run-capacity.js';
import { judge, stepFigures } from '../../src/capacity/step.js';
import type { K6SummaryData } from '../../src/load/read-k6-summary.js';
import { parseSlo } from '../../src/load/slo.js';
import { startProvider } from '../../src/provider/server.js';

describe('capacity --runners', () => {
  it('two runners per step: the ledger equals the merged counts, the budget cap holds across runners', async () => {
    const host = await startProvider({ capacity: { customersPerSecond: 5000 } });
    try {
      const { result } = await runCapacity({
        target: host.url,
        batchSizes: [10],
        stepSeconds: 1,
        coolDownSeconds: 0.2,
        startRate: 100,
        budgetCustomers: 250,
        runners: 2,
        out: mkdtempSync(join(tmpdir(), 'capacity-runners-')),
      });
      const b = result.batches[0];
      expect(result.runners).toBe(2);
      expect(b?.boundBy).toBe('budget');
      // What the host issued is what the merged steps say both runners sent (plus the preflight).
      expect(host.provider.stats().earned).toBe(result.customersSent);
      expect(result.customersSent).toBeLessThanOrEqual(250);
      // One step of 100 fits the budget (with the preflight's 3), the next of 200 would not; a step
      // k6 could not send on a busy machine is run once more. k6 schedules one arrival more than a
      // step is given; a runner that took the step's whole cap as its own would let it through (110).
      expect(b?.steps.filter((s) => s.verdict === 'good').map((s) => s.customersSent)).toEqual([100]);
      for (const s of b?.steps ?? []) {
        expect(s.runners).toBe(2);
        expect(s.requests * 10).toBe(s.customersSent);
        expect(s.customersSent).toBeLessThanOrEqual(100);
        if (s.verdict !== 'good') continue;
        expect(s.latencyMs.p50).toBeGreaterThan(0);
        expect(s.latencyMs.p50).toBeLessThanOrEqual(s.latencyMs.p95);
        expect(s.latencyMs.p95).toBeLessThanOrEqual(s.latencyMs.p99);
        // k6/sketch.ts's grid step (0.25) plus 100 x 2 runners / requests.
        expect(s.rankBoundPoints).toBeCloseTo(0.25 + 200 / s.requests, 2);
      }
    } finally {
      await host.close();
    }
  }, 30_000);

  it('merged figures: counts summed, the generator guard judged on the whole, served rates added', () => {
    const grid = (scale: number) =>
      Object.fromEntries([
        ['min', scale],
        ...Array.from({ length: 399 }, (_, i) => [`p(${(i + 1) / 4})`, scale * (1 + (i + 1) / 400)]),
        ['max', scale * 2],
      ]);
    const runner = (requests: number, dropped: number, scale: number): K6SummaryData =>
      ({
        metrics: {
          'http_reqs{scenario:step}': { values: { count: requests } },
          'http_req_duration{scenario:step}': { values: { count: requests, ...grid(scale) } },
          'directearn_requests_served{scenario:step}': { values: { count: requests } },
          'directearn_customers_sent{scenario:step}': { values: { count: requests * 10 } },
          'directearn_customers_answered{scenario:step}': { values: { count: requests * 10 } },
          'directearn_customers_issued{scenario:step}': { values: { count: requests * 10 } },
          'dropped_iterations{scenario:step}': { values: { count: dropped } },
          // Answers spread over 0.8 s between the 10th and 90th percentiles: (0.8 x (n - 1)) / 0.8 per s.
          directearn_answered_after_ms: { values: { 'p(10)': 100, 'p(90)': 900 } },
        },
      }) as unknown as K6SummaryData;
    const settings = { batchSize: 10, seconds: 1, maxVus: 10 };
    const [a, b] = [runner(11, 0, 10), runner(10, 1, 20)];
    const merged = stepFigures([a, b], settings, 22, 'up');
    expect(merged.requests).toBe(21);
    expect(merged.customersSent).toBe(210);
    expect(merged.droppedIterations).toBe(1);
    // Served: 10 + 9 per second added, below the 21 / (1 + 1/22) s k6 sent.
    expect(merged.servedRequestsPerSecond).toBe(19);
    // Half the samples between 10 and 20 ms, half between 20 and 40: the pooled median is 20.
    expect(merged.latencyMs.p50).toBeCloseTo(20, 0);
    expect(merged.latencyMs.p99).toBeGreaterThan(38);
    const slos = ['p95_ms<1000'].map((s) => parseSlo(s));
    // Runner a alone holds; the whole run dropped an iteration: the generator bound the step.
    expect(judge(stepFigures([a], settings, 11, 'up'), slos, 11).verdict).toBe('good');
    expect(judge(merged, slos, 22).verdict).toBe('generator');
    expect(judge(merged, slos, 22).reason).toMatch(/1 dropped iteration/);
  });
});
