// `npm run bench:test`: how long `npm test` takes here, step by step, and which test files cost the
// most. Runs each `&&` step of package.json's "test" script in order (that is one `npm test`),
// BENCH_RUNS times (default 1), timing each; vitest steps also write a JSON report whose per-file
// durations are listed. Prints the figures, the goal (< 60 s) and any ERROR line a passing run
// printed (there should be none), and records them in bench/results/test.jsonl (bench/record.mjs).
// A benchmark, not a test: exit 1 only when a step fails.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beginRecord, k6Version, spread } from './record.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const GOAL_MS = 60_000;
const runs = Number(process.env.BENCH_RUNS ?? 1);
if (!Number.isInteger(runs) || runs < 1) {
  process.stderr.write(`bench:test: BENCH_RUNS must be a whole number >= 1, got ${process.env.BENCH_RUNS}\n`);
  process.exit(2);
}
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const steps = pkg.scripts.test.split('&&').map((s) => s.trim());
const rec = beginRecord('test').tool('k6', await k6Version());
const dir = mkdtempSync(join(tmpdir(), 'directearn-bench-test-'));
/** "1m5.250s" (bash `times`) -> milliseconds. */
const seconds = (t) => {
  const m = /^(\d+)m([\d.]+)s$/.exec(t ?? '');
  return m === null ? 0 : (Number(m[1]) * 60 + Number(m[2])) * 1000;
};
const fmt = (ms) => `${(ms / 1000).toFixed(1)} s`;

/** `npm run x --silent` -> the script's own command, so each step is timed without npm's wrapper twice. */
function command(step, i, run) {
  const json = join(dir, `vitest-${run}-${i}.json`);
  const isVitest = /^vitest run\b/.test(step);
  return {
    shell: isVitest ? `npx ${step} --reporter=default --reporter=json --outputFile=${json}` : step,
    json: isVitest ? json : undefined,
  };
}

const totals = [];
const cpuTotals = [];
const fileDurations = new Map();
try {
  for (let run = 0; run < runs; run++) {
    const load = loadavg()[0].toFixed(1);
    const t0 = performance.now();
    const timings = [];
    const errors = [];
    for (const [i, step] of steps.entries()) {
      const { shell, json } = command(step, i, run);
      const s0 = performance.now();
      // bash's `times` prints the CPU time of the step's processes: on a shared machine wall time
      // says how busy it was, CPU time what the step costs.
      const r = spawnSync(`${shell}; s=$?; times >&2; exit $s`, {
        cwd: root,
        shell: true,
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1' },
        maxBuffer: 64 * 1024 * 1024,
      });
      const ms = performance.now() - s0;
      const [user, sys] = (r.stderr.trim().split('\n').at(-1) ?? '').split(/\s+/).map(seconds);
      timings.push([step, ms, (user ?? 0) + (sys ?? 0)]);
      const output = `${r.stdout}\n${r.stderr}`;
      errors.push(...output.split('\n').filter((l) => /\bERROR\b/.test(l)));
      if (r.status !== 0) {
        process.stderr.write(
          `bench:test: step "${step}" failed (exit ${r.status}):\n${output.split('\n').slice(-30).join('\n')}\n`,
        );
        process.exit(1);
      }
      if (json !== undefined) {
        const report = JSON.parse(readFileSync(json, 'utf8'));
        for (const f of report.testResults) {
          const name = relative(root, f.name);
          fileDurations.set(name, [...(fileDurations.get(name) ?? []), f.endTime - f.startTime]);
        }
      }
    }
    const wall = performance.now() - t0;
    totals.push(wall);
    const cpu = timings.reduce((sum, [, , c]) => sum + c, 0);
    cpuTotals.push(cpu);
    process.stdout.write(
      `\nrun ${run + 1}/${runs}: npm test ${fmt(wall)} wall, ${fmt(cpu)} CPU (goal < ${fmt(GOAL_MS)} wall: ${wall < GOAL_MS ? 'met' : 'NOT met'}; load average at start ${load})\n`,
    );
    process.stdout.write(`  ${'wall'.padStart(8)}  ${'CPU'.padStart(8)}  step\n`);
    for (const [step, ms, c] of timings)
      process.stdout.write(`  ${fmt(ms).padStart(8)}  ${fmt(c).padStart(8)}  ${step}\n`);
    process.stdout.write(`  ERROR lines printed by the passing run: ${errors.length}\n`);
    for (const l of errors.slice(0, 5)) process.stdout.write(`    ${l.trim()}\n`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const slowest = [...fileDurations.entries()]
  .map(([name, ms]) => [name, Math.max(...ms)])
  .sort((a, b) => b[1] - a[1]);
process.stdout.write(`\nslowest test files (max over runs; files run in parallel, so these overlap):\n`);
for (const [name, ms] of slowest.slice(0, 12)) process.stdout.write(`  ${fmt(ms).padStart(8)}  ${name}\n`);
const best = Math.min(...totals);
process.stdout.write(
  `\nnpm test on ${cpus().length} CPU(s): best ${fmt(best)}, worst ${fmt(Math.max(...totals))} over ${runs} run(s)\n`,
);
rec
  .figure('npm test, wall (best)', best / 1000, 's', { better: 'lower', noise: spread(totals, 'lower') })
  .figure('npm test, CPU (least)', Math.min(...cpuTotals) / 1000, 's', {
    better: 'lower',
    noise: spread(cpuTotals, 'lower'),
  })
  .write();
