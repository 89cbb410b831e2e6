// `directearn plan` on recorded summaries (test/fixtures/load): the chosen batch size, concurrency,
// duration and the warnings for a deadline that cannot be met, a low rate limit and redirection.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deadlineSeconds } from '../src/cli/commands/plan.js';
import { main } from '../src/cli/main.js';
import { planCampaign } from '../src/load/plan.js';
import { type LoadSummary, readSummary } from '../src/load/summary.js';
import { packageRoot } from '../src/spec/index.js';
import { captureIO } from './support/cli-io.js';

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
    // 300 requests/s at p95 80 ms needs 24 in flight; the run had 16 VUs, which carry 200/s at p95.
    expect(p.chosen?.concurrency).toBe(16);
    expect(p.chosen?.expectedSeconds).toBeCloseTo(10_000 / 300, 6);
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
      /deadline \(10 s\) cannot be met: it needs 100000 customers\/s, the best measured batch size \(100\) gives 30000 customers\/s/,
    );
  });

  it('a rate limit below the offered rate caps the plan at 90% of the limit and says so', () => {
    const p = planCampaign(summary(), { customers: 1_000_000, rateLimitRps: 100 });
    expect(p.rateLimit).toEqual({ rps: 100, source: 'declared' });
    expect(p.chosen?.batchSize).toBe(100);
    expect(p.chosen?.requestsPerSecond).toBeCloseTo(90, 6);
    expect(p.chosen?.concurrency).toBe(8);
    expect(p.chosen?.p95Seconds).toBeCloseTo(10_000 / 90, 6);
    expect(p.chosen?.expectedSeconds).toBeCloseTo(10_000 / 90, 6);
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

describe('directearn plan', () => {
  it('prints the plan and exits 0 when it holds', async () => {
    const r = await plan(['--customers', '1000000', '--deadline', '2m', '--summary', v2]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/batch size 100, concurrency 16: 300 requests\/s, 30000 customers\/s/);
    expect(r.out).toMatch(/1000000 customers take 33.3 s \(p95: 50 s\)/);
    expect(r.out).toMatch(/headroom: 1 min 10 s \(58% of the 2 min 0 s deadline\) at p95/);
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
    [['--customers', '5', '--deadline', 'soon'], /--deadline must be a duration/],
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
