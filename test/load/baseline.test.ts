// `--baseline`: issued customers/s and p95 per batch size against earlier summary.json files, with
// the regression threshold tested just above and just below, the runs' spread (repeats) deciding
// whether a change beyond it is noise; SLOs and identity parsed before any traffic.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import {
  DEFAULT_LOAD_OFFERED_CUSTOMERS_PER_S,
  DEFAULT_LOAD_OFFERED_MAX_RPS,
  LOAD_PROGRAM_ID,
  LOAD_PROMOTION_ID,
} from '../../src/config/defaults.js';
import { SLO } from '../../src/config/k6-contract.js';
import {
  compareRuns,
  comparisonLines,
  comparisonMarkdown,
  parseRegression,
} from '../../src/load/baseline.js';
import { identityVars, resolveIdentity } from '../../src/load/identity.js';
import { offeredRps } from '../../src/load/run-load.js';
import { checkSlos, DEFAULT_SLO_TEXT, parseSlo, readSloFile } from '../../src/load/slo.js';
import { type LoadSummary, readSummary, summaryProblem } from '../../src/load/summary.js';
import { packageRoot } from '../../src/util/package-root.js';
import { captureIO } from '../support/cli-io.js';

const fixtures = join(packageRoot, 'test', 'fixtures', 'load');
const baseline = readSummary(join(fixtures, 'summary-v2.json'), 'fixture');

/** The baseline with issued/s of every batch size times `cps` and p95 times `p95`. */
function scaled(cps: number, p95: number): LoadSummary {
  return {
    ...baseline,
    startedAt: '2026-11-27T00:00:00.000Z',
    batches: baseline.batches.map((b) => ({
      ...b,
      issuedPerSecond: b.issuedPerSecond * cps,
      latencyMs: { ...b.latencyMs, p95: b.latencyMs.p95 * p95 },
    })),
  };
}

/** A summary of one batch size whose repeated runs gave these issued/s and p95 figures. */
function repeated(issued: number[], p95: number[]): LoadSummary {
  const b = baseline.batches[0] as LoadSummary['batches'][number];
  return {
    ...baseline,
    batches: [
      { ...b, issuedPerSecond: issued[0] as number, repeats: { issuedPerSecond: issued, p95Ms: p95 } },
    ],
  };
}

describe('compareRuns', () => {
  it('customers/s 10.1% lower regresses at 10%, 9.9% lower does not', () => {
    expect(compareRuns(scaled(0.899, 1), baseline, 0.1).regressed).toBe(true);
    const below = compareRuns(scaled(0.901, 1), baseline, 0.1);
    expect(below.regressed).toBe(false);
    expect(below.deltas[0]?.issuedPerSecond.change).toBeCloseTo(-0.099, 4);
    expect(below.deltas[0]?.issuedPerSecond.sure).toBe('no spread');
  });

  it('p95 10.1% higher regresses at 10%, 9.9% higher does not; exactly 10% is allowed', () => {
    expect(compareRuns(scaled(1, 1.101), baseline, 0.1).regressed).toBe(true);
    expect(compareRuns(scaled(1, 1.099), baseline, 0.1).regressed).toBe(false);
    expect(compareRuns(scaled(0.9, 1.1), baseline, 0.1).regressed).toBe(false);
  });

  it('faster runs never regress, and only the batch size that got worse is marked', () => {
    const run = scaled(1.5, 0.5);
    run.batches[1] = { ...(run.batches[1] as LoadSummary['batches'][number]), issuedPerSecond: 1 };
    const c = compareRuns(run, baseline, 0.1);
    expect(c.deltas.map((d) => d.regressed)).toEqual([false, true, false]);
    expect(comparisonLines(c).join('\n')).toMatch(/^\s+10 .* REGRESSED$/m);
  });

  it('names the batch sizes only one run measured (a schemaVersion 1 baseline)', () => {
    const old = readSummary(join(fixtures, 'summary-v1.json'), 'fixture');
    const c = compareRuns(baseline, old, 0.1);
    expect(c.deltas.map((d) => d.batchSize)).toEqual([1, 10, 100]);
    expect(c.onlyInBaseline).toEqual([1000]);
  });

  it('repeated runs: a change beyond the threshold is a regression only when the ranges are apart', () => {
    const before = repeated([1000, 1100, 1200], [10, 11, 12]);
    // -20% at the median, but the worst baseline run (1000) is below the best run now (1000): noise.
    const overlap = compareRuns(repeated([800, 880, 1000], [10, 11, 12]), before, 0.1);
    expect(overlap.deltas[0]?.issuedPerSecond).toMatchObject({
      change: -0.2,
      sure: 'overlap',
      regressed: false,
    });
    expect(overlap.regressed).toBe(false);
    expect(overlap.verdict).toMatch(
      /^no regression: batch 1 issued\/s -20\.0% is beyond the allowed 10\.0% but within the runs' spread/,
    );
    // Every run now below every baseline run: a regression, and the verdict says it is sure.
    const apart = compareRuns(repeated([700, 800, 900], [10, 11, 12]), before, 0.1);
    expect(apart.deltas[0]?.issuedPerSecond).toMatchObject({ sure: 'apart', regressed: true });
    expect(apart.verdict).toMatch(
      /^REGRESSED: batch 1 issued\/s -27\.3%, beyond the allowed 10\.0%; sure: every run now is worse than every baseline run \(3 run\(s\) now, 3 in the baseline\)/,
    );
    // Apart but within the threshold: not a regression either.
    const slightly = compareRuns(
      repeated([950, 960, 970], [10, 11, 12]),
      repeated([1000, 1010, 1020], [10, 11, 12]),
      0.1,
    );
    expect(slightly.deltas[0]?.issuedPerSecond).toMatchObject({ sure: 'apart', regressed: false });
    // p95 the other way round.
    expect(
      compareRuns(repeated([1100, 1100, 1100], [15, 16, 17]), before, 0.1).deltas[0]?.p95Ms.regressed,
    ).toBe(true);
  });

  it('several baselines pool their runs per batch size', () => {
    const a = repeated([1000, 1000], [10, 10]);
    const b = repeated([1300, 1300], [10, 10]);
    const c = compareRuns(repeated([1150, 1150], [10, 10]), [a, b], 0.1);
    expect(c.deltas[0]?.issuedPerSecond.baseline).toEqual({ min: 1000, median: 1150, max: 1300, runs: 4 });
    expect(c.baselineStartedAt).toHaveLength(2);
  });

  it('one run on each side: the verdict says no spread was measured', () => {
    expect(compareRuns(scaled(0.5, 1), baseline, 0.1).verdict).toMatch(
      /^REGRESSED: batch \d+ issued\/s -50\.0%.*not sure: one run on each side, no spread measured/,
    );
  });

  it('writes the comparison as Markdown for a pull-request comment', () => {
    const md = comparisonMarkdown(
      compareRuns(repeated([700, 800, 900], [10, 11, 12]), repeated([1000, 1100, 1200], [10, 11, 12]), 0.1),
      'http://127.0.0.1:1',
    );
    expect(md).toMatch(/^### directEarn load: ❌ regressed$/m);
    expect(md).toContain('| batch size | issued/s baseline | issued/s now | change |');
    expect(md).toMatch(
      /^\| 1 \| 1100 \(1000–1200, 3 runs\) \| 800 \(700–900, 3 runs\) \| -27\.3% \|.*\*\*REGRESSED\*\* \|$/m,
    );
  });

  it('reads the allowed regression as a percentage', () => {
    expect(parseRegression('10%')).toBe(0.1);
    expect(parseRegression('2.5')).toBe(0.025);
    expect(parseRegression('ten')).toBeUndefined();
  });
});

describe('summary schema versions', () => {
  it('reads version 1 (no offered rate) and version 2; refuses others naming the field', () => {
    const v1 = readSummary(join(fixtures, 'summary-v1.json'), 'fixture');
    expect(v1.schemaVersion).toBe(1);
    expect(v1.batches[0]?.offeredRequestsPerSecond).toBeUndefined();
    expect(baseline.batches[0]?.offeredRequestsPerSecond).toBe(5000);
    expect(summaryProblem({ ...baseline, schemaVersion: 4 })).toMatch(
      /schemaVersion is 4, this version reads 1, 2 and 3/,
    );
    expect(summaryProblem({ ...baseline, batches: [{ ...baseline.batches[0], maxVus: 'x' }] })).toBe(
      'batches[0].maxVus is not a number',
    );
  });

  it('offers the same customers/s to every batch size, at most the request-rate ceiling', () => {
    expect(offeredRps(1)).toBe(DEFAULT_LOAD_OFFERED_MAX_RPS);
    expect(offeredRps(1000)).toBe(DEFAULT_LOAD_OFFERED_CUSTOMERS_PER_S / 1000);
    // 2,000,000 / 7 customers/s rounds up to whole requests/s, never below the offer.
    expect(offeredRps(7 * 1000) * 7 * 1000).toBeGreaterThanOrEqual(DEFAULT_LOAD_OFFERED_CUSTOMERS_PER_S);
  });
});

describe('SLOs', () => {
  it("default to the SLO of k6/contract.ts, the one k6's thresholds hold too", () => {
    expect(DEFAULT_SLO_TEXT.map((s) => parseSlo(s))).toEqual([
      { figure: 'p95_ms', op: '<', value: SLO.p95Ms },
      { figure: 'failed_requests', op: '<', value: SLO.failedRequestRate },
      { figure: 'failed_customers', op: '==', value: 0 },
      { figure: 'warned_customers', op: '<=', value: SLO.warnedShare },
    ]);
  });

  it('read from a file, one per line, # comments, naming the line at fault', () => {
    const dir = mkdtempSync(join(tmpdir(), 'slo-'));
    writeFileSync(
      join(dir, 'ok.txt'),
      '# campaign SLOs\np95_ms <= 500\n\nfailed_requests<0.001  # one in a thousand\n',
    );
    expect(readSloFile(join(dir, 'ok.txt'))).toEqual([
      { figure: 'p95_ms', op: '<=', value: 500 },
      { figure: 'failed_requests', op: '<', value: 0.001 },
    ]);
    writeFileSync(join(dir, 'bad.txt'), 'p95_ms<500\nlatency<3\n');
    expect(() => readSloFile(join(dir, 'bad.txt'))).toThrow(/--slo-file .*bad\.txt line 2 names "latency"/);
  });

  it('are checked per batch size, in numeric batch order', () => {
    const batches = [1000, 50, 1, 100, 10].map((batchSize) => ({
      ...(baseline.batches[0] as LoadSummary['batches'][number]),
      batchSize,
    }));
    const results = checkSlos(batches, [parseSlo('p95_ms<20'), parseSlo('customers_per_s>=1000')]);
    expect(results.map((r) => r.batchSize)).toEqual([1, 1, 10, 10, 50, 50, 100, 100, 1000, 1000]);
    expect(results[0]).toEqual({ batchSize: 1, slo: 'p95_ms<20', measured: 20, ok: false });
    expect(results[1]?.ok).toBe(true);
  });

  it.each([
    [['--slo', 'p95<500'], /--slo names "p95": the figures are p50_ms, p95_ms/],
    [['--slo', 'p95_ms 500'], /--slo must be like p95_ms<500/],
    [['--slo-file', 'missing.txt'], /--slo-file .*missing\.txt cannot be read: ENOENT/],
    [['--max-regression', '5%'], /--max-regression goes with --baseline/],
    [['--baseline', 'nope.json'], /--baseline .*nope\.json cannot be read/],
    [['--program', 'x'], /--program must be a whole number/],
    [['--promotion', '1', '--promo-identifier', 'A'], /give --promotion or --promo-identifier, not both/],
    [['--identifier-name', 'phone'], /--identifier-name must be id, mobile or email, got "phone"/],
  ])('load %j: one line naming the flag, exit 2, no traffic', async (args, message) => {
    const io = captureIO({ cwd: fixtures, env: {} });
    expect(await main(['load', ...args], io)).toBe(2);
    expect(io.stderr.join('\n')).toMatch(message);
  });
});

describe('the identity a run sends', () => {
  it('flags win over variables, which win over the embedded provider IDs', () => {
    expect(resolveIdentity({}, {})).toEqual({
      programId: LOAD_PROGRAM_ID,
      promotionId: LOAD_PROMOTION_ID,
      identifierName: 'id',
    });
    const env = {
      DIRECTEARN_PROGRAM_ID: '7001',
      DIRECTEARN_PROMOTION_ID: '81001',
      DIRECTEARN_IDENTIFIER_NAME: 'mobile',
    };
    expect(resolveIdentity({}, env)).toEqual({
      programId: 7001,
      promotionId: 81001,
      identifierName: 'mobile',
    });
    expect(resolveIdentity({ programId: 9, promoIdentifier: 'SUMMER' }, env)).toEqual({
      programId: 9,
      promoIdentifier: 'SUMMER',
      identifierName: 'mobile',
    });
    expect(() =>
      resolveIdentity({}, { DIRECTEARN_PROMOTION_ID: '1', DIRECTEARN_PROMO_IDENTIFIER: 'A' }),
    ).toThrow(/both set/);
  });

  it('check takes the same flags and refuses bad ones before any stage', async () => {
    const io = captureIO({ cwd: fixtures, env: {} });
    expect(await main(['check', '--identifier-name', 'phone'], io)).toBe(2);
    expect(io.stderr.join('\n')).toMatch(/--identifier-name must be id, mobile or email/);
    expect(io.stdout).toEqual([]);
  });

  it('passes all four to k6, the unused promotion field empty', () => {
    expect(identityVars({ programId: 7001, promoIdentifier: 'SUMMER', identifierName: 'email' })).toEqual({
      DIRECTEARN_PROGRAM_ID: '7001',
      DIRECTEARN_PROMOTION_ID: '',
      DIRECTEARN_PROMO_IDENTIFIER: 'SUMMER',
      DIRECTEARN_IDENTIFIER_NAME: 'email',
    });
  });
});
