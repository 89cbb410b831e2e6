// Benchmark of `directearn capacity` (`npm run bench:capacity`): `directearn serve --capacity C
// --capacity-overhead O` has a known knee per batch size, b / (O + b / C) customers/s; the search
// runs as a user runs it and this prints what it found beside the configured knee, and records it
// in bench/results/capacity.jsonl (bench/record.mjs).
// Usage: node bench/capacity.mjs [--capacity 5000] [--overhead 2] [--batch-sizes 10,100,1000]
//        [--step 3s] [--slo p95_ms<500]
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { root, startServe, stop } from './provider-serve-child.mjs';
import { beginRecord, k6Version } from './record.mjs';

const { values: flags } = parseArgs({
  options: {
    capacity: { type: 'string', default: '5000' },
    overhead: { type: 'string', default: '2' },
    queue: { type: 'string', default: '300' },
    'batch-sizes': { type: 'string', default: '10,100,1000' },
    step: { type: 'string', default: '3s' },
    slo: { type: 'string', default: 'p95_ms<500' },
  },
});
const capacity = Number(flags.capacity);
const overheadMs = Number(flags.overhead);
const batchSizes = flags['batch-sizes'].split(',').map(Number);
if (!(capacity > 0) || !(overheadMs >= 0) || batchSizes.some((b) => !(b >= 1))) {
  process.stderr.write(
    'bench:capacity: --capacity > 0, --overhead >= 0 and --batch-sizes of whole numbers >= 1\n',
  );
  process.exit(2);
}
const knee = (b) => b / (overheadMs / 1000 + b / capacity);

const rec = beginRecord('capacity').tool('k6', await k6Version());
const server = await startServe([
  '--capacity',
  String(capacity),
  '--capacity-overhead',
  String(overheadMs),
  '--capacity-queue',
  flags.queue,
]);
const started = performance.now();
const load = loadavg()[0];
let out = '';
const code = await new Promise((resolve) => {
  const child = spawn(
    process.execPath,
    [
      join(root, 'bin', 'directearn.js'),
      'capacity',
      '--target',
      server.url,
      '--batch-sizes',
      batchSizes.join(','),
      '--step-duration',
      flags.step,
      '--cool-down',
      '1s',
      '--start-rate',
      String(Math.round(capacity / 4)),
      '--slo',
      flags.slo,
      '--slo',
      'failed_requests<0.01',
      '--out',
      mkdtempSync(join(tmpdir(), 'directearn-bench-capacity-')),
      '--json',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  child.stdout.on('data', (c) => {
    out += c;
  });
  child.on('close', resolve);
});
await stop(server.child);
const seconds = (performance.now() - started) / 1000;
if (code !== 0 && code !== 1) {
  process.stderr.write(`bench:capacity: directearn capacity exited ${code}\n`);
  process.exit(1);
}
const result = JSON.parse(out);
process.stdout.write(
  `directearn capacity vs serve --capacity ${capacity} --capacity-overhead ${overheadMs} (steps of ${flags.step}, SLO ${flags.slo}, failed_requests<0.01; load average ${load.toFixed(2)} at start, ${seconds.toFixed(0)} s)\n`,
);
process.stdout.write('batch  configured knee  found issued/s  found/knee  bound by  steps\n');
for (const b of result.batches) {
  const k = knee(b.batchSize);
  process.stdout.write(
    `${String(b.batchSize).padStart(5)}  ${k.toFixed(0).padStart(14)}  ${b.issuedPerSecond.toFixed(0).padStart(14)}  ${(b.issuedPerSecond / k).toFixed(2).padStart(10)}  ${b.boundBy.padEnd(8)}  ${b.steps.length}\n`,
  );
}
for (const b of result.batches) {
  rec.figure(`batch ${b.batchSize}, found / configured knee`, b.issuedPerSecond / knee(b.batchSize), 'ratio');
}
rec.write();
