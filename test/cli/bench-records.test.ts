// Benchmark figures are a record (issue 24): docs/benchmarks.md's figure tables are what bench/readme.mjs
// generates from bench/results/*.jsonl, every record line states its commit, date, Node version and
// machine, a record is never written through a symlink, and bench:compare marks a drop beyond the
// bench's own noise (exit 1) and nothing else.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const run = promisify(execFile);

interface Figure {
  name: string;
  value: number;
  unit: string;
  better: 'higher' | 'lower';
  noise: number | null;
}
interface BenchRecord {
  bench: string;
  date: string;
  commit: string | null;
  node: string;
  tools: Record<string, string>;
  machine: { cores: number; cpu: string; loadavg: number[]; loadavgEnd?: number[] };
  figures: Figure[];
}
interface RecordModule {
  beginRecord(
    bench: string,
    o?: { command?: string; args?: string[] },
  ): {
    record: BenchRecord;
    tool(name: string, version: string): unknown;
    figure(name: string, value: number, unit: string, o?: { better?: string; noise?: number }): unknown;
    write(): string;
  };
  readRecords(bench: string): BenchRecord[];
  recordedBenches(): string[];
}
interface ReadmeModule {
  regenerate(
    text: string,
    read?: (bench: string) => BenchRecord[],
  ): { text: string; missing: string[]; regions: string[] };
}
interface CompareModule {
  compareRecords(records: BenchRecord[]): { dropped: boolean; before: BenchRecord | undefined };
}

// Non-literal specifiers: the bench scripts are plain ESM without types.
const load = async <T>(file: string): Promise<T> =>
  (await import(pathToFileURL(join(root, 'bench', file)).href)) as T;
const recordModule = await load<RecordModule>('record.mjs');
const readme = await load<ReadmeModule>('readme.mjs');
const compare = await load<CompareModule>('compare.mjs');

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'directearn-bench-records-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Runs `fn` with the records in `dir` (DIRECTEARN_BENCH_RESULTS), restoring the variable after. */
function withResults<T>(dir: string, fn: () => T): T {
  const before = process.env.DIRECTEARN_BENCH_RESULTS;
  process.env.DIRECTEARN_BENCH_RESULTS = dir;
  try {
    return fn();
  } finally {
    if (before === undefined) delete process.env.DIRECTEARN_BENCH_RESULTS;
    else process.env.DIRECTEARN_BENCH_RESULTS = before;
  }
}

const machine = { cores: 2, cpu: 'Test CPU', arch: 'x64', platform: 'linux', loadavg: [1, 1, 1] };
const rec = (date: string, value: number, noise: number | null, m = machine): BenchRecord => ({
  bench: 'demo',
  date,
  commit: 'abc1234',
  node: 'v20.20.2',
  tools: {},
  machine: m,
  figures: [{ name: 'batch 1, provider, per CPU-second', value, unit: 'req/s', better: 'higher', noise }],
});

describe("docs/benchmarks.md's figures", () => {
  const text = readFileSync(join(root, 'docs', 'benchmarks.md'), 'utf8');

  it('are exactly what the records in bench/results give (npm run bench:readme)', () => {
    const result = readme.regenerate(text);
    expect(result.missing).toEqual([]);
    // The provider's figures at least are generated, with its per-protection costs.
    expect(result.regions).toContain('provider');
    expect(result.text).toBe(text);
  });

  it('fail the check when a figure in a region is typed by hand', () => {
    const region = /<!-- bench-record provider -->[\s\S]*?<!-- \/bench-record -->/.exec(text)?.[0] as string;
    const edited = region.replace(/\| (\d)/, (_, d: string) => `| ${(Number(d) + 1) % 10}`);
    expect(edited).not.toBe(region);
    const changed = text.replace(region, edited);
    expect(readme.regenerate(changed).text).not.toBe(changed);
  });

  it('come from records that each state commit, date, Node version and machine', () => {
    const benches = recordModule.recordedBenches();
    expect(benches).toContain('provider');
    for (const bench of benches) {
      const records = recordModule.readRecords(bench);
      expect(records.length).toBeGreaterThan(0);
      for (const r of records) {
        expect(r.commit).toMatch(/^[0-9a-f]{40}$/);
        expect(Number.isNaN(Date.parse(r.date))).toBe(false);
        expect(r.node).toMatch(/^v\d+\./);
        expect(r.machine.cores).toBeGreaterThan(0);
        expect(r.machine.loadavg).toHaveLength(3);
      }
    }
  });
});

describe('bench/record.mjs', () => {
  it('appends one line per run with the figures, commit, date, versions and machine', () => {
    const dir = tempDir();
    withResults(dir, () => {
      for (const value of [100, 90]) {
        const r = recordModule.beginRecord('demo', { args: [] });
        r.tool('wrk', '4.1.0');
        r.figure('batch 1, provider, per CPU-second', value, 'req/s', { noise: 0.05 });
        r.write();
      }
      const records = recordModule.readRecords('demo');
      expect(records.map((r) => r.figures[0]?.value)).toEqual([100, 90]);
      const last = records[1] as BenchRecord;
      expect(last.tools).toEqual({ wrk: '4.1.0' });
      expect(last.node).toBe(process.version);
      expect(last.machine.loadavg).toHaveLength(3);
      expect(last.machine.loadavgEnd).toHaveLength(3);
    });
  });

  it('never writes through a symlink, and refuses a figure that is not a number', () => {
    const dir = tempDir();
    const target = join(tempDir(), 'elsewhere.txt');
    writeFileSync(target, 'untouched\n');
    symlinkSync(target, join(dir, 'demo.jsonl'));
    withResults(dir, () => {
      const r = recordModule.beginRecord('demo', { args: [] });
      expect(() => r.figure('x', Number.NaN, 'req/s')).toThrow(/not a finite number/);
      r.figure('x', 1, 'req/s');
      expect(() => r.write()).toThrow();
    });
    expect(readFileSync(target, 'utf8')).toBe('untouched\n');
  });

  it('names the file and line of a bad record', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'demo.jsonl'), `${JSON.stringify(rec('2026-12-01T00:00:00Z', 1, 0))}\n{oops\n`);
    withResults(dir, () => expect(() => recordModule.readRecords('demo')).toThrow(/demo\.jsonl:2: not JSON/));
  });
});

describe('npm run bench:compare', () => {
  it('marks a drop beyond the noise, not one within it, and skips records of another machine', () => {
    const older = rec('2026-12-01T00:00:00Z', 100, 0.05);
    expect(compare.compareRecords([older, rec('2026-12-02T00:00:00Z', 90, 0.05)]).dropped).toBe(true);
    expect(compare.compareRecords([older, rec('2026-12-02T00:00:00Z', 96, 0.05)]).dropped).toBe(false);
    // The newer run's own noise counts too.
    expect(compare.compareRecords([older, rec('2026-12-02T00:00:00Z', 90, 0.15)]).dropped).toBe(false);
    const other = { ...machine, cores: 8 };
    const c = compare.compareRecords([older, rec('2026-12-02T00:00:00Z', 10, 0, other)]);
    expect(c.before).toBeUndefined();
    expect(c.dropped).toBe(false);
  });

  const cli = async (dir: string, ...args: string[]) => {
    try {
      const r = await run(process.execPath, [join(root, 'bench', 'compare.mjs'), ...args], {
        env: { ...process.env, DIRECTEARN_BENCH_RESULTS: dir },
      });
      return { code: 0, out: r.stdout, err: r.stderr };
    } catch (e) {
      const x = e as { code: number; stdout: string; stderr: string };
      return { code: x.code, out: x.stdout, err: x.stderr };
    }
  };

  it('exits 1 on a drop, 0 without, 2 for an unknown bench or flag, 3 for an unreadable record', async () => {
    const dir = tempDir();
    const lines = (...rs: BenchRecord[]) => `${rs.map((r) => JSON.stringify(r)).join('\n')}\n`;
    writeFileSync(
      join(dir, 'demo.jsonl'),
      lines(rec('2026-12-01T00:00:00Z', 100, 0.05), rec('2026-12-02T00:00:00Z', 80, 0.05)),
    );
    const dropped = await cli(dir);
    expect(dropped.code).toBe(1);
    expect(dropped.out).toMatch(/batch 1, provider, per CPU-second .*-20\.0 %.*DROP/);

    writeFileSync(
      join(dir, 'demo.jsonl'),
      lines(rec('2026-12-01T00:00:00Z', 100, 0.05), rec('2026-12-02T00:00:00Z', 101, 0.05)),
    );
    const fine = await cli(dir);
    expect(fine.code).toBe(0);
    expect(fine.out).not.toMatch(/DROP/);

    expect((await cli(dir, '--bench', 'nope')).code).toBe(2);
    expect((await cli(dir, '--nope')).code).toBe(2);
    writeFileSync(join(dir, 'demo.jsonl'), '{oops\n');
    const bad = await cli(dir);
    expect(bad.code).toBe(3);
    expect(bad.err).toMatch(/demo\.jsonl:1/);
  });
});
