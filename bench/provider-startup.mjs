// Benchmark of `directearn serve` start-up (`npm run bench:provider-startup`): from spawning the
// process to its --ready-file existing, and to the first GET /_health answered, over N runs;
// records the medians in bench/results/provider-startup.jsonl.
// Usage: node bench/provider-startup.mjs [--runs 10]
import { parseArgs } from 'node:util';
import { startServe, stop } from './provider-serve-child.mjs';
import { beginRecord, spread } from './record.mjs';

const { values: flags } = parseArgs({ options: { runs: { type: 'string', default: '10' } } });
const runs = Math.max(1, Number(flags.runs));
const rec = beginRecord('provider-startup');
const ready = [];
const healthy = [];
for (let i = 0; i < runs; i++) {
  const t = performance.now();
  const server = await startServe();
  ready.push(server.ms);
  const res = await fetch(`${server.url}/_health`);
  if (res.status !== 200) throw new Error(`/_health answered ${res.status}`);
  healthy.push(performance.now() - t);
  await stop(server.child);
}
const stat = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return `median ${s[Math.floor(s.length / 2)].toFixed(0)} ms, min ${s[0].toFixed(0)} ms, max ${s[s.length - 1].toFixed(0)} ms`;
};
process.stdout.write(`directearn serve start-up over ${runs} runs (node ${process.version})\n`);
process.stdout.write(`  spawn -> ready file written:    ${stat(ready)}\n`);
process.stdout.write(`  spawn -> first /_health 200:    ${stat(healthy)}\n`);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
rec
  .figure('spawn to ready file, median', median(ready), 'ms', {
    better: 'lower',
    noise: spread(ready, 'lower'),
  })
  .figure('spawn to first /_health 200, median', median(healthy), 'ms', {
    better: 'lower',
    noise: spread(healthy, 'lower'),
  })
  .write();
