// `npm run bench:check`: how long the main job takes, stage by stage: runs the built
// `directearn check` BENCH_RUNS times (default 3) with its reports in a temporary folder and prints
// the wall time of each stage and of the whole run (median and max), and records them in
// bench/results/check.jsonl (bench/record.mjs). A benchmark, not a test.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../dist/util/package-root.js';
import { beginRecord, k6Version, spread } from './record.mjs';

const runs = Number(process.env.BENCH_RUNS ?? 3);
if (!Number.isInteger(runs) || runs < 1) {
  throw new Error(`BENCH_RUNS must be a whole number >= 1, got ${process.env.BENCH_RUNS}`);
}
const rec = beginRecord('check').tool('k6', await k6Version());
const dir = mkdtempSync(join(tmpdir(), 'directearn-bench-check-'));
const samples = [];
try {
  for (let i = 0; i < runs; i++) {
    const json = join(dir, `run-${i}.json`);
    const t0 = performance.now();
    const r = spawnSync(
      process.execPath,
      [
        join(packageRoot, 'bin', 'directearn.js'),
        'check',
        '--report-dir',
        join(dir, `reports-${i}`),
        '--json',
        json,
      ],
      { cwd: packageRoot, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } },
    );
    const wall = performance.now() - t0;
    if (r.status !== 0) {
      process.stderr.write(
        `bench:check: run ${i + 1} failed (exit ${r.status}):\n${r.stdout.split('\n').slice(-12).join('\n')}\n`,
      );
      process.exit(1);
    }
    const summary = JSON.parse(readFileSync(json, 'utf8'));
    samples.push({ wall, stages: Object.fromEntries(summary.stages.map((s) => [s.title, s.durationMs])) });
    process.stdout.write(`run ${i + 1}/${runs}: ${(wall / 1000).toFixed(1)} s\n`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (ms) => `${(ms / 1000).toFixed(2)} s`.padStart(9);
const rows = [
  ...Object.keys(samples[0].stages).map((title) => [title, samples.map((s) => s.stages[title])]),
  ['whole run (process wall time)', samples.map((s) => s.wall)],
];
const width = Math.max(...rows.map(([t]) => t.length));
process.stdout.write(
  `\ndirectearn check, ${runs} run(s), ${(await import('node:os')).cpus().length} CPU(s)\n`,
);
process.stdout.write(`${'stage'.padEnd(width)}     median        max\n`);
for (const [title, xs] of rows)
  process.stdout.write(`${title.padEnd(width)}  ${fmt(median(xs))}  ${fmt(Math.max(...xs))}\n`);
for (const [title, xs] of rows)
  rec.figure(`${title}, median`, median(xs) / 1000, 's', { better: 'lower', noise: spread(xs, 'lower') });
rec.write();
