// report.html pieces without a browser: tick values, the "What to choose" wording for saturated runs,
// and a schemaVersion 1 summary rendering (the Chromium checks are in test/load/load.test.ts).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { niceTicks, recommendation, renderReport } from '../../src/load/report.js';
import { type BatchFigures, readSummary } from '../../src/load/summary.js';
import { packageRoot } from '../../src/util/package-root.js';

const fixtures = join(packageRoot, 'test', 'fixtures', 'load');

describe('niceTicks', () => {
  it.each([
    [66.4, [0, 20, 40, 60, 80]],
    [31_100, [0, 10_000, 20_000, 30_000, 40_000]],
    [1228, [0, 500, 1000, 1500]],
    [4, [0, 1, 2, 3, 4]],
    [0.7, [0, 0.2, 0.4, 0.6, 0.8]],
    [0, [0, 1]],
  ])('max %d: %j', (max, ticks) => {
    expect(niceTicks(max)).toEqual(ticks);
  });
});

describe('What to choose', () => {
  const b = (batchSize: number, customersPerSecond: number, droppedIterations: number): BatchFigures => ({
    batchSize,
    requests: 100,
    requestsPerSecond: customersPerSecond / batchSize,
    customersPerSecond,
    issuedPerSecond: customersPerSecond,
    latencyMs: { p50: 1, p95: 2, p99: 3 },
    failedRequestRate: 0,
    entityFailureRate: 0,
    warningRate: 0,
    issuedRate: 1,
    droppedIterations,
    maxVus: 16,
  });

  it('says when the recommended batch size ran saturated', () => {
    expect(recommendation([b(1, 100, 0), b(100, 1000, 9722)])).toMatch(
      /Batch size 100 issues the most customers per second .*Its run dropped 9,722 iterations: the target was saturated at 16 concurrent requests/,
    );
    expect(recommendation([b(1, 100, 0), b(100, 1000, 0)])).not.toMatch(/dropped/);
  });

  it('renders a schemaVersion 1 summary (no offered rate, no VUs)', () => {
    const html = renderReport(readSummary(join(fixtures, 'summary-v1.json'), 'fixture'), {
      scenario: 'throughput',
    });
    expect(html).toContain('<tr data-batch="1000">');
    // batch 1000 is fastest but 2% of its requests failed: 100 is recommended.
    expect(html).toMatch(
      /Batch size 100 issues the most customers per second \(30,000 issued\/s measured, p95 80.2 ms\)\.</,
    );
    expect(html).not.toContain('undefined');
  });
});
