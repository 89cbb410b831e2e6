// `npm run bench:quick`: the benches a change to the provider's hot path or the k6 scripts touches, in
// under a minute: bench:provider at batch 1 and 1000 (3 alternating rounds of 2 s) and bench:load's
// k6 generator ratio at batch 1 (the minimal script vs k6/throughput.ts, 2 rounds of 2 s). Their
// figures go to bench/results/provider-quick.jsonl and load-quick.jsonl, so `npm run bench:compare`
// sets them against the last quick run (short rounds are noisier than the full benches: their
// recorded noise says how much).
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

if (process.argv.length > 2) {
  const help = process.argv.includes('--help');
  process.stdout.write(`usage: npm run bench:quick

Runs bench:provider (batch 1 and 1000, 3 rounds of 2 s) and bench:load's k6 generator ratio at
batch 1 (minimal and pooled scripts, 2 rounds of 2 s) in under a minute, and records their figures
as benches provider-quick and load-quick. Run it under flock /tmp/directearn-bench.lock on a
shared machine.

Exit codes: 0 both ran and bench:provider's goals were met, 1 a goal was missed, 2 bad arguments
(it takes none), 3 a bench could not run (no build, no k6).
`);
  process.exit(help ? 0 : 2);
}

const started = performance.now();
const step = (title, args, env = {}) => {
  process.stdout.write(`\n== ${title}\n`);
  const r = spawnSync(process.execPath, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status ?? 3;
};
const provider = step('provider at batch 1 and 1000', [
  join(here, 'provider.mjs'),
  '--seconds',
  '2',
  '--rounds',
  '3',
  '--record-as',
  'provider-quick',
]);
const load = step(
  'k6 generator ratio at batch 1 (bench:load, minimal and pooled)',
  [join(here, 'load.mjs')],
  {
    BENCH_BATCH_SIZES: '1',
    BENCH_ROUNDS: '2',
    BENCH_SECONDS: '2',
    BENCH_WARMUP_SECONDS: '1',
    BENCH_MODES: 'minimal,pooled',
    BENCH_RECORD_AS: 'load-quick',
  },
);
const seconds = (performance.now() - started) / 1000;
process.stdout.write(`\nbench:quick took ${seconds.toFixed(0)} s (goal: a minute at most)\n`);
// bench:provider exits 1 on a missed goal; anything else from either is a failure to run.
const codes = [provider, load];
process.exitCode = codes.every((c) => c === 0) ? 0 : codes.some((c) => c !== 0 && c !== 1) ? 3 : 1;
