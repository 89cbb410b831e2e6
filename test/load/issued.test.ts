// Issued, warned (8890: not issued) and failed customers kept apart: summary.json's figures from k6's
// counters, older summaries read with issued figures derived, and a real k6 run on a promotion whose
// customers use up their earn limit, which must exit 1 saying the promotion did not issue.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { preflight } from '../../src/load/identity.js';
import { notIssuedReason } from '../../src/load/issued.js';
import { batchFigures, type K6SummaryData } from '../../src/load/read-k6-summary.js';
import { recommendation } from '../../src/load/report.js';
import { findK6 } from '../../src/load/run-load.js';
import {
  type BatchFigures,
  type LoadSummary,
  readSummary,
  summaryProblem,
  withIssued,
} from '../../src/load/summary.js';
import { startProvider } from '../../src/provider/server.js';
import { packageRoot } from '../../src/util/package-root.js';
import { captureIO } from '../support/cli-io.js';

const fixtures = join(packageRoot, 'test', 'fixtures', 'load');

/** k6 end-of-test data of one batch size's scenario with these counters. */
function k6Data(counts: {
  requests: number;
  answered: number;
  failed: number;
  warned: number;
}): K6SummaryData {
  const sel = (name: string) => `${name}{scenario:batch_100}`;
  return {
    metrics: {
      [sel('http_reqs')]: { type: 'counter', values: { count: counts.requests } },
      [sel('http_req_failed')]: { type: 'rate', values: { rate: 0 } },
      [sel('http_req_duration')]: { type: 'trend', values: { 'p(50)': 2, 'p(95)': 4, 'p(99)': 5 } },
      [sel('directearn_customers_answered')]: { type: 'counter', values: { count: counts.answered } },
      [sel('directearn_customers_failed')]: { type: 'counter', values: { count: counts.failed } },
      [sel('directearn_customers_warned')]: { type: 'counter', values: { count: counts.warned } },
      [sel('directearn_answers_read_every')]: { type: 'gauge', values: { value: 10 } },
    },
  };
}

/** A batch size's figures with these shares of answered customers. */
function batch(batchSize: number, customersPerSecond: number, warned: number, failed = 0): BatchFigures {
  return withIssued({
    schemaVersion: 2,
    target: 'x',
    startedAt: 'x',
    batches: [
      {
        batchSize,
        requests: 1000,
        requestsPerSecond: customersPerSecond / batchSize,
        customersPerSecond,
        latencyMs: { p50: 1, p95: 2, p99: 3 },
        failedRequestRate: 0,
        entityFailureRate: failed,
        warningRate: warned,
        droppedIterations: 0,
      } as BatchFigures,
    ],
  }).batches[0] as BatchFigures;
}

describe('issued, warned and failed customers in summary.json (schemaVersion 3)', () => {
  it('issued = answered - warned - failed, and issuedPerSecond counts only them', () => {
    const b = batchFigures(
      k6Data({ requests: 500, answered: 5000, failed: 0, warned: 4940 }),
      100,
      'scenario:batch_100',
      1,
    );
    expect(b.customersPerSecond).toBe(50_000);
    expect(b).toMatchObject({ issued: 60, warned: 4940, failed: 0, warningRate: 0.988, issuedRate: 0.012 });
    expect(b.issuedPerSecond).toBe(600);
    expect(notIssuedReason(b)).toMatch(
      /^batch 100: the promotion did not issue: 98\.8% of customers were warned 8890 \(not issued.*1\.2% issued; use fresh customers \(--customers-csv\) or a promotion with a higher earn limit$/,
    );
  });

  it('a run that answered nothing issued nothing', () => {
    const b = batchFigures(
      k6Data({ requests: 0, answered: 0, failed: 0, warned: 0 }),
      100,
      'scenario:batch_100',
      1,
    );
    expect(b.issuedRate).toBe(0);
    expect(b.issuedPerSecond).toBe(0);
    expect(notIssuedReason(b)).toBe('batch 100: no request was sent');
  });

  it('reads schemaVersion 1 and 2 with issued figures derived from their shares', () => {
    const v2 = readSummary(join(fixtures, 'summary-v2.json'), 'fixture');
    expect(v2.schemaVersion).toBe(2);
    for (const b of v2.batches) {
      expect(b.issuedRate).toBe(1);
      expect(b.issuedPerSecond).toBe(b.customersPerSecond);
      expect(b.warned).toBeUndefined();
    }
    const v1 = readSummary(join(fixtures, 'summary-v1.json'), 'fixture');
    const flawed = v1.batches.find((b) => b.batchSize === 1000) as BatchFigures;
    expect(flawed.issuedPerSecond).toBeCloseTo(flawed.customersPerSecond * (1 - flawed.failedRequestRate), 0);
    const warned = batch(500, 173_500, 0.99);
    expect(warned.issuedRate).toBe(0.01);
    expect(warned.issuedPerSecond).toBe(1735);
  });

  it('a version 3 file must carry issuedPerSecond and issuedRate', () => {
    const v3: LoadSummary = { schemaVersion: 3, target: 'x', startedAt: 'x', batches: [batch(1, 10, 0)] };
    expect(summaryProblem(v3)).toBeUndefined();
    const { issuedPerSecond: _, ...without } = v3.batches[0] as BatchFigures;
    expect(summaryProblem({ ...v3, batches: [without] })).toBe('batches[0].issuedPerSecond is not a number');
  });

  it('"What to choose" never names a batch size that mostly did not issue', () => {
    const text = recommendation([batch(1, 1000, 0), batch(100, 90_000, 0.5), batch(500, 173_500, 0.99)]);
    expect(text).toMatch(/^Batch size 100 issues the most customers per second \(45,000 issued\/s/);
    expect(recommendation([batch(500, 173_500, 1)])).toMatch(
      /^No batch size to choose: batch 500: the promotion did not issue/,
    );
  });
});

const k6 = findK6();
const withK6 = k6 === undefined ? describe.skip : describe;
if (k6 === undefined) console.warn('load-issued k6 tests skipped: k6 not found (npm run k6:install)');

withK6('a throughput run on a promotion whose customers use up their limit (k6)', () => {
  let host: Awaited<ReturnType<typeof startProvider>>;
  const dir = mkdtempSync(join(tmpdir(), 'directearn-issued-'));
  beforeAll(async () => {
    host = await startProvider({ port: 0 });
  });
  afterAll(async () => {
    await host.close();
  });

  it('exits 1 with a line saying the promotion did not issue; the report never calls it the best', async () => {
    // Program 2844's promotion 200206 issues once per customer; each VU reuses its bodies' customers.
    const io = captureIO({ cwd: dir });
    const code = await main(
      ['load', '--target', host.url, '--program', '2844', '--promotion', '200206'].concat([
        '--batch-sizes',
        '100',
        '--duration',
        '1s',
        '--max-vus',
        '2',
        '--quiet',
        '--out',
        'warned',
      ]),
      io,
    );
    const out = io.stdout.join('\n');
    expect(code, `${out}\n${io.stderr.join('\n')}`).toBe(1);
    expect(out).toMatch(
      /^NOT ISSUED: batch 100: the promotion did not issue: [\d.]+% of customers were warned 8890/m,
    );
    expect(out).toMatch(/^SLO crossed: batch 100 warned_customers<=0\.05/m);
    const summary = JSON.parse(readFileSync(join(dir, 'warned', 'summary.json'), 'utf8')) as LoadSummary;
    const b = summary.batches[0] as BatchFigures;
    expect(b.warningRate).toBeGreaterThan(0.5);
    expect(b.issuedPerSecond).toBeLessThan(b.customersPerSecond / 2);
    expect((b.issued ?? 0) + (b.warned ?? 0) + (b.failed ?? 0)).toBeGreaterThan(0);
    const html = readFileSync(join(dir, 'warned', 'report.html'), 'utf8');
    expect(html).toMatch(/class="verdict">No batch size to choose: batch 100: the promotion did not issue/);
  }, 60_000);

  it('the next run stops at the preflight: its first customers are now answered 8890', async () => {
    const io = captureIO({ cwd: dir });
    const code = await main(
      ['load', '--target', host.url, '--program', '2844', '--promotion', '200206'].concat([
        '--batch-sizes',
        '100',
        '--duration',
        '1s',
        '--quiet',
        '--out',
        'again',
      ]),
      io,
    );
    expect(code).toBe(1);
    expect(io.stderr.join('\n')).toMatch(
      /preflight: program 2844, promotion 200206, identifierName id did not issue to customer 500000000: warning 8890 "promotion not issued due to config issues or customer exhausted limits" \(not issued\); no load was sent \(use fresh customers, --customers-csv, or a promotion with a higher earn limit\)/,
    );
  }, 60_000);
});

describe('the preflight requires its customers to be issued', () => {
  it('an 8890 answer stops it like an error, naming the warning and what to do', async () => {
    const host = await startProvider({ port: 0 });
    try {
      const identity = { programId: 2844, promotionId: 200206, identifierName: 'id' as const };
      const auth = `Basic ${Buffer.from('directearn:directearn').toString('base64')}`;
      await expect(preflight(host.url, identity, auth, ['500000007'])).resolves.toBeUndefined();
      await expect(preflight(host.url, identity, auth, ['500000008', '500000007'])).rejects.toThrow(
        /did not issue to customer 500000007: warning 8890 .*\(not issued\); no load was sent/,
      );
    } finally {
      await host.close();
    }
  });
});
