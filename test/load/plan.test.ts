// `directearn plan` on recorded summaries (test/fixtures/load): the chosen batch size, concurrency,
// duration and the warnings for a deadline that cannot be met, a low rate limit and redirection.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { durationSeconds as deadlineSeconds } from '../../src/input/duration.js';
import { DEFAULT_UTILISATION, planCampaign, planLines } from '../../src/load/plan.js';
import { recommendation } from '../../src/load/report.js';
import { type LoadSummary, readSummary } from '../../src/load/summary.js';
import { packageRoot } from '../../src/util/package-root.js';
import { captureIO } from '../support/cli-io.js';

const fixtures = join(packageRoot, 'test', 'fixtures', 'load');
const v2 = join(fixtures, 'summary-v2.json');
const v1 = join(fixtures, 'summary-v1.json');
const summary = (): LoadSummary => readSummary(v2, 'fixture');

async function plan(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureIO({ cwd: fixtures, env: {} });
  const code = await main(['plan', ...args], io);
  return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
}

describe('planCampaign', () => {
  it("without a deadline takes the fastest clean batch size, its concurrency within the run's VUs", () => {
    const p = planCampaign(summary(), { customers: 1_000_000 });
    expect(p.chosen?.batchSize).toBe(100);
    // 70% of the measured 300 requests/s: 210/s at p95 80 ms needs 17 in flight; the run had 16
    // VUs, which carry 200/s at p95.
    expect(p.chosen?.bound).toEqual({ kind: 'measured capacity', rps: 300 });
    expect(p.chosen?.requestsPerSecond).toBeCloseTo(210, 6);
    expect(p.chosen?.concurrency).toBe(16);
    expect(p.chosen?.expectedSeconds).toBeCloseTo(10_000 / 210, 6);
    expect(p.chosen?.p95Seconds).toBeCloseTo(10_000 / 200, 6);
    expect(p.warnings).toEqual([]);
    expect(p.holds).toBe(true);
  });

  it('with a deadline takes the smallest batch size that meets it at p95, and reports the headroom', () => {
    const p = planCampaign(summary(), { customers: 1_000_000, deadlineSeconds: 120 });
    // batch 10 needs 125 s at its measured rate: too slow; batch 100 takes 50 s at p95.
    expect(p.chosen?.batchSize).toBe(100);
    expect(p.headroomSeconds).toBeCloseTo(120 - 10_000 / 200, 6);
    expect(p.holds).toBe(true);
    const long = planCampaign(summary(), { customers: 1_000_000, deadlineSeconds: 3600 });
    expect(long.chosen?.batchSize).toBe(1);
  });

  it('a deadline that cannot be met: warns with the needed and measured rates, does not hold', () => {
    const p = planCampaign(summary(), { customers: 1_000_000, deadlineSeconds: 10 });
    expect(p.chosen?.batchSize).toBe(100);
    expect(p.holds).toBe(false);
    expect(p.headroomSeconds).toBeLessThan(0);
    expect(p.warnings).toHaveLength(1);
    expect(p.warnings[0]).toMatch(
      /deadline \(10 s\) cannot be met: it needs 100000 customers\/s, the best measured batch size \(100\) gives 21000 customers\/s at 70% utilisation/,
    );
  });

  it('a rate limit below the measured capacity: the plan sends 70% of the limit and says which bound', () => {
    const p = planCampaign(summary(), { customers: 1_000_000, rateLimitRps: 100 });
    expect(p.rateLimit).toEqual({ rps: 100, source: 'declared' });
    expect(p.chosen?.batchSize).toBe(100);
    expect(p.chosen?.bound).toEqual({ kind: 'rate limit', rps: 100 });
    expect(p.chosen?.requestsPerSecond).toBeCloseTo(70, 6);
    expect(p.chosen?.concurrency).toBe(6);
    expect(p.chosen?.p95Seconds).toBeCloseTo(10_000 / 70, 6);
    expect(p.chosen?.expectedSeconds).toBeCloseTo(10_000 / 70, 6);
    expect(planLines(p)).toContain(
      'utilisation: 70% of the rate limit (100 requests/s, declared), the lower bound',
    );
    expect(p.warnings).toHaveLength(1);
    expect(p.warnings[0]).toMatch(
      /rate limit \(100 requests\/s, declared\) is below the rate the run offered at batch size 100 \(5000 requests\/s\)/,
    );
  });

  it('takes the limit a rate run detected when none is declared', () => {
    const s = { ...summary(), rate: { detectedLimitRps: 200, retryAfterHonoured: true } };
    expect(planCampaign(s, { customers: 10 }).chosen).toBeUndefined();
    expect(planCampaign(s, { customers: 10 }).warnings[0]).toMatch(/rate run/);
  });

  it('keeps within the redirection batch size, and warns when no measured size fits it', () => {
    expect(planCampaign(summary(), { customers: 1000, redirectionBatchSize: 10 }).chosen?.batchSize).toBe(10);
    const big = { ...summary(), batches: summary().batches.filter((b) => b.batchSize === 100) };
    const p = planCampaign(big, { customers: 1000, redirectionBatchSize: 10 });
    expect(p.chosen?.batchSize).toBe(100);
    expect(p.holds).toBe(false);
    expect(p.warnings.join('\n')).toMatch(/batch size 100 exceeds the redirection batch size 10/);
  });

  it('never picks a batch size whose run failed while a clean one exists (schemaVersion 1 file)', () => {
    const old = readSummary(v1, 'fixture');
    const p = planCampaign(old, { customers: 1_000_000 });
    // batch 1000 is fastest but 2% of its requests failed.
    expect(p.chosen?.batchSize).toBe(100);
    expect(p.options.find((o) => o.batchSize === 1000)?.flawed).toEqual(['2.00% of requests failed']);
  });

  it('says when the chosen batch size ran saturated (dropped iterations)', () => {
    const old = readSummary(v1, 'fixture');
    const p = planCampaign(old, { customers: 1000, redirectionBatchSize: 1 });
    expect(p.chosen?.batchSize).toBe(1);
    expect(p.notes[0]).toMatch(/batch size 1 was saturated \(k6 dropped 19800 iterations at its VUs\)/);
    expect(planCampaign(summary(), { customers: 1000 }).notes).toEqual([]);
  });
});

/** The v2 fixture with batch 500 at 173,500 customers/s, almost all warned 8890 (as the issue's run). */
function withWarnedBatch(warned: number): LoadSummary {
  const s = summary();
  const b = s.batches[0] as LoadSummary['batches'][number];
  s.batches.push({
    ...b,
    batchSize: 500,
    requestsPerSecond: 347,
    customersPerSecond: 173_500,
    warningRate: warned,
    issuedRate: 1 - warned,
    issuedPerSecond: 173_500 * (1 - warned),
  });
  return s;
}

describe('one decision for plan and report', () => {
  it('the report names the batch size plan chooses; a batch size that mostly did not issue is neither', () => {
    // 40% issued of 173,500 customers/s is still the most issued/s: not issuing mostly rules it out.
    const s = withWarnedBatch(0.6);
    const p = planCampaign(s, { customers: 1_000_000 });
    expect(p.chosen?.batchSize).toBe(100);
    expect(p.options.find((o) => o.batchSize === 500)?.notIssued).toMatch(/the promotion did not issue/);
    expect(recommendation(s.batches)).toMatch(/^Batch size 100 issues the most customers per second/);
    // A deadline moves the plan to the smallest batch size meeting it; the plan's report follows.
    const long = planCampaign(s, { customers: 1_000_000, deadlineSeconds: 3600 });
    expect(long.chosen?.batchSize).toBe(1);
    expect(recommendation(s.batches, long)).toMatch(/^Batch size 1 is the smallest that meets the deadline/);
  });

  it('never plans the host above the utilisation of its lower bound', () => {
    for (const rateLimitRps of [undefined, 50, 100, 1e6]) {
      const p = planCampaign(summary(), { customers: 1000, ...(rateLimitRps ? { rateLimitRps } : {}) });
      for (const o of p.options) {
        const measured = summary().batches.find((b) => b.batchSize === o.batchSize)?.requestsPerSecond ?? 0;
        const lower = Math.min(measured, rateLimitRps ?? Number.POSITIVE_INFINITY);
        expect(o.requestsPerSecond).toBeCloseTo(DEFAULT_UTILISATION * lower, 6);
        expect(o.bound.kind).toBe(lower === measured ? 'measured capacity' : 'rate limit');
      }
    }
    expect(planCampaign(summary(), { customers: 1000, utilisation: 0.5 }).chosen?.requestsPerSecond).toBe(
      150,
    );
  });

  it('refuses a run that mostly did not issue, saying why', () => {
    const s = summary();
    s.batches = s.batches.map((b) => ({ ...b, warningRate: 0.99, issuedRate: 0.01, issuedPerSecond: 1 }));
    const p = planCampaign(s, { customers: 1000 });
    expect(p.chosen).toBeUndefined();
    expect(p.holds).toBe(false);
    expect(p.warnings[0]).toMatch(
      /^no plan from this run: it mostly did not issue \(batch 1: the promotion did not issue: 99% of customers were warned 8890/,
    );
    expect(recommendation(s.batches)).toMatch(
      /^No batch size to choose: batch 1: the promotion did not issue/,
    );
  });
});

describe('directearn plan', () => {
  it('prints the plan and exits 0 when it holds', async () => {
    const r = await plan(['--customers', '1000000', '--deadline', '2m', '--summary', v2]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      /batch size 100, concurrency 16: 210 requests\/s, 21000 customers\/s \(21000 issued\/s\)/,
    );
    expect(r.out).toMatch(/^utilisation: 70% of the measured capacity \(300 requests\/s\), the lower bound/m);
    expect(r.out).toMatch(/1000000 customers take 47.6 s \(p95: 50 s\)/);
    expect(r.out).toMatch(/headroom: 1 min 10 s \(58% of the 2 min 0 s deadline\) at p95/);
  });

  it('exits 1 on a summary that mostly did not issue; --utilisation sets the share', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plan-'));
    const s = summary();
    s.batches = s.batches.map((b) => ({ ...b, warningRate: 1, issuedRate: 0, issuedPerSecond: 0 }));
    writeFileSync(join(dir, 'warned.json'), JSON.stringify({ ...s, schemaVersion: 3 }));
    const r = await plan(['--customers', '1000', '--summary', join(dir, 'warned.json')]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^WARNING: no plan from this run: it mostly did not issue/m);
    const half = await plan(['--customers', '1000', '--summary', v2, '--utilisation', '50%']);
    expect(half.out).toMatch(/^utilisation: 50% of the measured capacity/m);
    expect((await plan(['--customers', '1000', '--summary', v2, '--utilisation', '0'])).code).toBe(2);
  });

  it('--json carries the same plan; a missed deadline exits 1', async () => {
    const r = await plan(['--customers', '1000000', '--deadline', '10s', '--summary', v2, '--json']);
    expect(r.code).toBe(1);
    const json = JSON.parse(r.out);
    expect(json.chosen.batchSize).toBe(100);
    expect(json.holds).toBe(false);
    expect(json.warnings[0]).toMatch(/cannot be met/);
  });

  it('reads the rate limit and redirection from the host variables', async () => {
    const io = captureIO({
      cwd: fixtures,
      env: { DIRECTEARN_RATE_LIMIT: '100', BULK_API_REDIRECTION_ENABLED: 'true' },
    });
    expect(await main(['plan', '--customers', '1000', '--summary', v2, '--json'], io)).toBe(0);
    const json = JSON.parse(io.stdout.join('\n'));
    expect(json.redirectionBatchSize).toBe(10);
    expect(json.chosen.batchSize).toBe(10);
    expect(json.rateLimit.rps).toBe(100);
  });

  it.each([
    [['--deadline', '1h'], /--customers N is required/],
    [['--customers', 'many'], /--customers must be a whole number/],
    [['--customers', '5', '--deadline', 'soon'], /--deadline must be seconds or a duration from 1ms, like/],
    [['--customers', '5', '--rate-limit=0'], /--rate-limit must be/],
  ])('rejects %j with one line, exit 2', async (args, message) => {
    const r = await plan([...args, '--summary', v2]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });

  it('a summary that is missing or not a summary: one line naming it, exit 1', async () => {
    const missing = await plan(['--customers', '5', '--summary', 'nope.json']);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/--summary .*nope\.json cannot be read: ENOENT/);
    const notSummary = await plan(['--customers', '5', '--summary', join(packageRoot, 'package.json')]);
    expect(notSummary.code).toBe(1);
    expect(notSummary.err).toMatch(/is not a load summary: schemaVersion is undefined/);
  });

  it('--html writes the report with the plan in "What to choose"', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plan-'));
    const r = await plan([
      '--customers',
      '1000000',
      '--deadline',
      '10s',
      '--summary',
      v2,
      '--html',
      join(dir, 'plan.html'),
    ]);
    expect(r.code).toBe(1);
    const html = readFileSync(join(dir, 'plan.html'), 'utf8');
    expect(html).toMatch(
      /<div id="plan"><h3>Campaign plan<\/h3><ul><li>for 1000000 customers:<\/li><li>batch size 100, concurrency 16/,
    );
    expect(html).toMatch(/<li class="fail">WARNING: the deadline \(10 s\) cannot be met/);
  });

  it('reads compound deadlines', () => {
    expect(deadlineSeconds('1h30m')).toBe(5400);
    expect(deadlineSeconds('90s')).toBe(90);
    expect(deadlineSeconds('1d')).toBeUndefined();
    expect(JSON.parse(readFileSync(v1, 'utf8')).schemaVersion).toBe(1);
  });
});
