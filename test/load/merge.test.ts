// `directearn merge`: runner sketches merge into percentiles within the stated bound of the pooled
// samples' exact ones, SLOs are judged on the whole run, a kubectl-logs-like stream merges, and
// runners that overlap, leave a gap or belong to another run are named.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { RUNNER_LINE_MARK, type RunnerBatch, type RunnerSummary } from '../../src/config/k6-contract.js';
import { type MergedSummary, mergeRunners } from '../../src/load/merge.js';
import { k6Percentile, mergedPercentile, mergedRankBound } from '../../src/load/merge-sketches.js';
import { type RunnerInput, readRunnerStream } from '../../src/load/runner-summaries.js';
import { coverageProblems } from '../../src/load/segments.js';
import { readSummary } from '../../src/load/summary.js';
import { packageRoot } from '../../src/util/package-root.js';
import { captureIO } from '../support/cli-io.js';

// The k6 side's grid, imported by path (the root tsconfig does not compile load/).
const { SKETCH_RANKS, SKETCH_STEP } = (await import(
  join(packageRoot, 'k6', 'sketch.ts')
)) as typeof import('../../k6/sketch.ts');

const root = mkdtempSync(join(tmpdir(), 'directearn-merge-'));

/** A seeded generator (mulberry32): the same samples every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Known distributions of latency, ms. */
const DISTRIBUTIONS = {
  /** Log-normal around 20 ms: a healthy host. */
  lognormal: (r: () => number) =>
    20 * Math.exp(0.5 * Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r())),
  /** 90% fast, 10% slow: a runner whose node is starved. */
  bimodal: (r: () => number) => (r() < 0.9 ? 5 + 5 * r() : 400 + 200 * r()),
  uniform: (r: () => number) => 1 + 99 * r(),
  exponential: (r: () => number) => -30 * Math.log(1 - r()),
};

const sorted = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);

/** What k6 reports for these samples: its percentile at every rank of the grid. */
function sketch(samples: number[]): { count: number; sum: number; values: number[] } {
  const s = sorted(samples);
  return {
    count: s.length,
    sum: s.reduce((a, b) => a + b, 0),
    values: SKETCH_RANKS.map((r) => k6Percentile(s, r)),
  };
}

function samples(kind: keyof typeof DISTRIBUTIONS, n: number, seed: number): number[] {
  const r = random(seed);
  return Array.from({ length: n }, () => DISTRIBUTIONS[kind](r));
}

/** A runner summary as k6/runner-summary.ts writes it, with these latency samples per batch size. */
function runner(
  segment: string,
  latencies: number[][],
  over: Partial<RunnerSummary['run']> = {},
): RunnerSummary {
  const batchSizes = latencies.map((_, i) => 10 ** i);
  return {
    kind: 'directearn-runner-summary',
    version: 1,
    scenario: 'throughput',
    segment,
    sequence: '0,1/2,1',
    startedAt: '2026-12-06T07:00:00.000Z',
    run: {
      target: 'http://load-target:8080',
      batchSizes,
      durationSeconds: 10,
      maxVus: 64,
      identity: '469/56799/id',
      ...over,
    },
    sketchRanks: [...SKETCH_RANKS],
    batches: latencies.map(
      (l, i): RunnerBatch => ({
        batchSize: batchSizes[i] as number,
        scenario: `batch_${batchSizes[i]}`,
        seconds: 10,
        requests: l.length,
        failedRequests: 0,
        limited: 0,
        droppedIterations: 0,
        offeredRequestsPerSecond: l.length / 10,
        achievedRequestsPerSecond: l.length / 10,
        answered: Math.ceil(l.length / 10),
        issued: Math.ceil(l.length / 10),
        warned: 0,
        failed: 0,
        readEvery: 10,
        latencyMs: sketch(l),
      }),
    ),
  };
}

const input = (summary: RunnerSummary, source = summary.segment): RunnerInput => ({ source, summary });

function writeRunner(dir: string, name: string, summary: RunnerSummary): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(summary));
  return path;
}

describe('merged percentiles', () => {
  it('lie within the stated bound of the exact percentiles of the pooled samples, for known distributions', () => {
    const parts = [
      samples('lognormal', 20_000, 1),
      samples('bimodal', 8_000, 2),
      samples('uniform', 5_000, 3),
      samples('exponential', 12_000, 4),
    ];
    const pooled = sorted(parts.flat());
    const sketches = parts.map((p) => ({ ...sketch(p), ranks: SKETCH_RANKS }));
    const e = mergedRankBound(sketches);
    // One grid step plus the discreteness of k6's positions: 0.25 + 100 x 4 / 45000.
    expect(e).toBeCloseTo(SKETCH_STEP + 400 / 45_000, 10);
    for (const q of [1, 10, 50, 90, 95, 99, 99.9]) {
      const merged = mergedPercentile(sketches, q);
      expect(merged).toBeGreaterThanOrEqual(k6Percentile(pooled, Math.max(0, q - e)));
      expect(merged).toBeLessThanOrEqual(k6Percentile(pooled, Math.min(100, q + e)));
    }
    // The naive answers the bound rules out: the mean of the runners' p95s is far from the pooled p95.
    const meanOfP95s = parts.reduce((a, p) => a + k6Percentile(sorted(p), 95), 0) / parts.length;
    expect(Math.abs(meanOfP95s - k6Percentile(pooled, 95))).toBeGreaterThan(
      k6Percentile(pooled, 95 + e) - k6Percentile(pooled, 95 - e),
    );
  });

  it('hold the bound for any runners, sizes and ranks (property)', () => {
    const kinds = Object.keys(DISTRIBUTIONS) as (keyof typeof DISTRIBUTIONS)[];
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            kind: fc.constantFrom(...kinds),
            n: fc.integer({ min: 1, max: 3000 }),
            seed: fc.nat(),
          }),
          {
            minLength: 1,
            maxLength: 5,
          },
        ),
        fc.double({ min: 0, max: 100, noNaN: true }),
        (runners, q) => {
          const parts = runners.map((r) => samples(r.kind, r.n, r.seed));
          const pooled = sorted(parts.flat());
          const sketches = parts.map((p) => ({ ...sketch(p), ranks: SKETCH_RANKS }));
          const e = mergedRankBound(sketches);
          const merged = mergedPercentile(sketches, q);
          // A hair of slack for the floating point of the interpolations.
          const slack = 1e-9 * (1 + Math.abs(merged));
          return (
            merged >= k6Percentile(pooled, Math.max(0, q - e)) - slack &&
            merged <= k6Percentile(pooled, Math.min(100, q + e)) + slack
          );
        },
      ),
      { numRuns: 60, seed: 22 },
    );
  });

  it("of one runner are k6's own values at every rank of the grid", () => {
    const one = sketch(samples('lognormal', 3000, 5));
    for (const [i, r] of SKETCH_RANKS.entries()) {
      expect(mergedPercentile([{ ...one, ranks: SKETCH_RANKS }], r)).toBeCloseTo(one.values[i] as number, 9);
    }
  });
});

describe('mergeRunners', () => {
  it('sums the counts of every runner exactly', () => {
    const a = runner('0:1/2', [samples('uniform', 700, 6), samples('uniform', 70, 7)]);
    const b = runner('1/2:1', [samples('uniform', 650, 8), samples('uniform', 90, 9)]);
    b.batches[0] = {
      ...(b.batches[0] as RunnerBatch),
      droppedIterations: 3,
      failedRequests: 13,
      warned: 5,
      issued: 60,
    };
    const { summary, coverage } = mergeRunners([input(a), input(b)]);
    expect(coverage).toEqual([]);
    expect(summary.batches.map((x) => x.requests)).toEqual([1350, 160]);
    expect(summary.batches[0]).toMatchObject({
      batchSize: 1,
      requestsPerSecond: 135,
      droppedIterations: 3,
      failedRequestRate: Math.round((13 / 1350) * 10_000) / 10_000,
      offeredRequestsPerSecond: 135,
      maxVus: 64,
      sampled: { every: 10 },
    });
    expect(summary.batches[0]?.warningRate).toBeCloseTo(5 / (70 + 65), 4);
    // Issued, warned (8890: not issued) and failed customers are summed as the single run's schema has them.
    expect(summary.batches[0]).toMatchObject({ issued: 70 + 60, warned: 5, failed: 0 });
    expect(summary.schemaVersion).toBe(3);
    expect(summary.runners.map((r) => [r.segment, r.requests])).toEqual([
      ['0:1/2', 770],
      ['1/2:1', 740],
    ]);
  });

  it('names runners whose segments overlap or leave part of the run uncovered', () => {
    const l = [[1, 2, 3]];
    expect(
      coverageProblems([input(runner('0:1/2', l), 'a.json'), input(runner('1/2:1', l), 'b.json')]),
    ).toEqual([]);
    expect(
      coverageProblems([
        input(runner('0:1/4', l), 'r1'),
        input(runner('1/4:2/4', l), 'r2'),
        input(runner('3/4:1', l), 'r4'),
      ]),
    ).toEqual([
      'no runner covers 1/2:3/4 of the run (between r2 (1/4:2/4) and r4 (3/4:1)): a runner is missing',
    ]);
    expect(coverageProblems([input(runner('0:2/3', l), 'x'), input(runner('1/2:1', l), 'y')])).toEqual([
      'x (0:2/3) and y (1/2:1) overlap on 1/2:2/3: the same part of the run counted twice',
    ]);
    // The same runner's summary given twice.
    expect(coverageProblems([input(runner('0:1', l), 'p'), input(runner('0:1', l), 'p again')])).toEqual([
      'p (0:1) and p again (0:1) overlap on 0:1: the same part of the run counted twice',
    ]);
    expect(coverageProblems([input(runner('25%', l), 'q'), input(runner('0.25:1', l), 'r')])).toEqual([]);
  });

  it('refuses a runner of another run, naming it and what differs', () => {
    const l = [[1, 2, 3]];
    expect(() =>
      mergeRunners([
        input(runner('0:1/2', l), 'a.json'),
        input(runner('1/2:1', l, { target: 'http://other:1' }), 'b.json'),
      ]),
    ).toThrow(
      'b.json is not from the same run as a.json: its target is "http://other:1", not "http://load-target:8080"',
    );
  });
});

describe('directearn merge', () => {
  it('judges an SLO on the whole run: a runner breaking p95 alone does not fail it, and the reverse', async () => {
    // Runner a: 10% slow requests (its own p95 ~500 ms); runner b: 9000 fast ones. Whole run: 1% slow.
    const slow = [
      ...samples('uniform', 900, 10).map((x) => x / 10),
      ...Array.from({ length: 100 }, () => 500),
    ];
    const a = runner('0:1/2', [slow]);
    const b = runner('1/2:1', [samples('uniform', 9000, 11).map((x) => x / 10)]);
    const dir = join(root, 'slo');
    const files = [writeRunner(dir, 'a.json', a), writeRunner(dir, 'b.json', b)];
    const out = join(dir, 'out');
    const io = captureIO({ cwd: dir });
    expect(
      await main(['merge', ...files, '--out', out, '--slo', 'p95_ms<100'], io),
      io.stdout.join('\n'),
    ).toBe(0);
    const merged = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as MergedSummary;
    expect(merged.runners.find((r) => r.segment === '0:1/2')?.batches[0]?.p95Ms).toBeGreaterThan(100);
    expect(merged.batches[0]?.latencyMs.p95).toBeLessThan(100);
    // The runners sent 100 and 900 requests/s: each alone breaks requests_per_s>=1000, the whole holds it.
    const io2 = captureIO({ cwd: dir });
    expect(
      await main(['merge', ...files, '--out', join(dir, 'out2'), '--slo', 'requests_per_s>=1000'], io2),
    ).toBe(0);
    // The reverse: runner a alone (100/s) holds requests_per_s<150, the whole run (1000/s) breaks it.
    const io3 = captureIO({ cwd: dir });
    expect(
      await main(['merge', ...files, '--out', join(dir, 'out3'), '--slo', 'requests_per_s<150'], io3),
    ).toBe(1);
    expect(io3.stdout.join('\n')).toContain(
      'SLO crossed: batch 1 requests_per_s<150 (measured 1000, all runners)',
    );
  });

  it('reads a folder of runner summaries and writes a summary that plan reads', async () => {
    const dir = join(root, 'folder');
    writeRunner(
      join(dir, 'runner-1'),
      'runner-summary.json',
      runner('0:1/2', [samples('lognormal', 500, 12)]),
    );
    writeRunner(
      join(dir, 'runner-2'),
      'runner-summary.json',
      runner('1/2:1', [samples('lognormal', 500, 13)]),
    );
    const out = join(dir, 'merged');
    const io = captureIO({ cwd: dir });
    expect(await main(['merge', dir, '--out', out], io), io.stdout.join('\n')).toBe(0);
    const summary = readSummary(join(out, 'summary.json'), '--summary');
    expect(summary.batches[0]?.requests).toBe(1000);
    const plan = captureIO({ cwd: dir });
    const code = await main(['plan', '--customers', '1000', '--summary', join(out, 'summary.json')], plan);
    expect(plan.stdout.join('\n')).toContain('plan for 1000 customers');
    expect(code).toBe(0);
  });

  it('never writes summary.json through a symbolic link planted in --out', async () => {
    const dir = join(root, 'symlink');
    const a = writeRunner(dir, 'a.json', runner('0:1', [[1, 2, 3]]));
    mkdirSync(join(dir, 'out'));
    writeFileSync(join(dir, 'elsewhere.json'), 'untouched');
    symlinkSync(join(dir, 'elsewhere.json'), join(dir, 'out', 'summary.json'));
    const io = captureIO({ cwd: dir });
    expect(await main(['merge', a, '--out', 'out'], io)).toBe(1);
    expect(io.stderr.join('\n')).toContain('a symbolic link (never written through)');
    expect(readFileSync(join(dir, 'elsewhere.json'), 'utf8')).toBe('untouched');
  });

  it('names a runner missing, writes nothing and exits 1; an input that is not a runner summary exits 2', async () => {
    const dir = join(root, 'missing');
    const a = writeRunner(dir, 'a.json', runner('0:1/3', [[1, 2]]));
    const c = writeRunner(dir, 'c.json', runner('2/3:1', [[1, 2]]));
    const io = captureIO({ cwd: dir });
    expect(await main(['merge', 'a.json', 'c.json', '--out', 'out'], io)).toBe(1);
    expect(io.stdout.join('\n')).toContain(
      'COVERAGE: no runner covers 1/3:2/3 of the run (between a.json (0:1/3) and c.json (2/3:1)): a runner is missing',
    );
    expect(() => readFileSync(join(dir, 'out', 'summary.json'))).toThrow();
    writeFileSync(join(dir, 'bad.json'), '{"kind":"directearn-runner-summary","version":1}');
    const bad = captureIO({ cwd: dir });
    expect(await main(['merge', a, 'bad.json', c], bad)).toBe(2);
    expect(bad.stderr.join('\n')).toContain(
      'bad.json is not a runner summary: scenario is not throughput or rate',
    );
  });
});

describe('merge - (a log stream)', () => {
  /** What `kubectl logs -l k6_cr=NAME --prefix --timestamps` gives: the runners' lines among k6's and other pods'. */
  function kubectlLogs(a: RunnerSummary, b: RunnerSummary): string {
    return [
      '[pod/directearn-throughput-initializer-x/k6] {"scenarios":{"batch_1":{}}}',
      '[pod/directearn-throughput-1-abcde/k6] 2026-12-06T07:00:00.1Z time="2026-12-06T07:00:00Z" level=warning msg="Insufficient VUs"',
      '[pod/directearn-throughput-1-abcde/k6] 2026-12-06T07:00:11.0Z directearn throughput: thresholds',
      `[pod/directearn-throughput-1-abcde/k6] 2026-12-06T07:00:11.1Z ${RUNNER_LINE_MARK}${JSON.stringify(a)}\r`,
      '',
      `[pod/directearn-throughput-2-fghij/k6] 2026-12-06T07:00:11.2Z ${RUNNER_LINE_MARK}${JSON.stringify(b)}`,
      '[pod/directearn-throughput-starter-y/curl] {"data":{"attributes":{"paused":"false"}}}',
    ].join('\n');
  }

  it('keeps only the marked lines, whatever kubectl put before them', async () => {
    const a = runner('0:1/2', [samples('exponential', 400, 14)]);
    const b = runner('1/2:1', [samples('exponential', 300, 15)]);
    const found = await readRunnerStream(Readable.from([kubectlLogs(a, b)]));
    expect(found.map((f) => [f.source, f.summary.segment])).toEqual([
      ['standard input line 4', '0:1/2'],
      ['standard input line 6', '1/2:1'],
    ]);
    await expect(readRunnerStream(Readable.from(['no runner here\n']))).rejects.toThrow(
      'standard input held no line marked "directearn-runner-summary" (1 lines read)',
    );
    // An endless line is cut off at 64 MiB, not buffered whole.
    const mib = Buffer.alloc(1024 * 1024, 97);
    const endless = Readable.from(
      (function* () {
        for (let i = 0; i < 65; i++) yield mib;
      })(),
    );
    await expect(readRunnerStream(endless)).rejects.toThrow('standard input is larger than 64 MiB');
    await expect(readRunnerStream(Readable.from([`${RUNNER_LINE_MARK}{"kind":`]))).rejects.toThrow(
      'standard input line 1 is not JSON',
    );
  });

  it('reads a saved log file the same way', async () => {
    const dir = join(root, 'saved-log');
    mkdirSync(dir, { recursive: true });
    const a = runner('0:1/2', [samples('exponential', 200, 18)]);
    const b = runner('1/2:1', [samples('exponential', 100, 19)]);
    writeFileSync(join(dir, 'runners.log'), kubectlLogs(a, b));
    writeFileSync(join(dir, 'other.log'), 'k6 says hello\n');
    const io = captureIO({ cwd: dir });
    expect(await main(['merge', 'runners.log', '--out', 'out'], io), io.stderr.join('\n')).toBe(0);
    expect(io.stdout.join('\n')).toContain('merged 2 runner(s): 0:1/2 200 requests, 1/2:1 100 requests');
    const other = captureIO({ cwd: dir });
    expect(await main(['merge', 'other.log'], other)).toBe(2);
    expect(other.stderr.join('\n')).toContain(
      'other.log is neither a runner summary nor a log with a line marked "directearn-runner-summary"',
    );
  });

  it('merges a stream piped into `directearn merge -`', async () => {
    const a = runner('0:1/2', [samples('exponential', 400, 16)]);
    const b = runner('1/2:1', [samples('exponential', 300, 17)]);
    const out = join(root, 'stream-out');
    const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolveRun) => {
      const child = spawn(
        process.execPath,
        [join(packageRoot, 'bin', 'directearn.js'), 'merge', '-', '--out', out],
        {
          stdio: ['pipe', 'pipe', 'pipe'],
        },
      );
      let text = '';
      child.stdout.on('data', (d: Buffer) => {
        text += d.toString();
      });
      child.on('close', (c) => resolveRun({ code: c, stdout: text }));
      child.stdin.end(kubectlLogs(a, b));
    });
    expect(code, stdout).toBe(0);
    expect(stdout).toContain('merged 2 runner(s): 0:1/2 400 requests, 1/2:1 300 requests');
    const merged = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as MergedSummary;
    expect(merged.batches[0]?.requests).toBe(700);
    // The report names the runners, their segments and the bound; a source's text is escaped.
    const page = readFileSync(join(out, 'report.html'), 'utf8');
    expect(page).toContain('<h2>Runners (2, merged)</h2>');
    expect(page).toMatch(/<tr><td>standard input line 4<\/td><td>0:1\/2<\/td><td>400<\/td>/);
    expect(page).toMatch(/within ±0\.\d\d percentile points/);
    expect(merged.runners.map((r) => r.source)).toEqual(['standard input line 4', 'standard input line 6']);
  });
});
