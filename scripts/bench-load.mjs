// `npm run bench:load`: the request rate k6 reaches with load/throughput.ts against the same target as
// a minimal k6 script posting one fixed body (load/bench-minimal.ts), one run each per batch size, so
// the script's own overhead (building bodies, parsing answers) is known. A benchmark, not a test.
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findK6 } from '../dist/load/k6.js';
import { startProvider } from '../dist/provider/server.js';
import { packageRoot } from '../dist/spec/index.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
if (!(seconds > 0))
  throw new Error(`BENCH_SECONDS must be a positive number, got ${process.env.BENCH_SECONDS}`);
const batchSizes = (process.env.BENCH_BATCH_SIZES ?? '1,100,1000').split(',').map(Number);
// Offered far above what one machine serves: both scripts run saturated at the same concurrency.
const offeredRps = 100_000;
const vus = Number(process.env.BENCH_VUS ?? 16);

const k6 = findK6();
if (k6 === undefined) {
  process.stderr.write('bench:load: k6 not found; run `npm run k6:install` first\n');
  process.exit(1);
}
const dir = mkdtempSync(join(tmpdir(), 'directearn-bench-'));
const provider = await startProvider({ port: 0 });

const execFileAsync = promisify(execFile);

/** Asynchronous on purpose: the provider answers in this process, so its event loop must stay free. */
async function run(script, batchSize, extraEnv = {}) {
  const summaryFile = join(dir, `${script}-${batchSize}.json`);
  const result = await execFileAsync(
    k6,
    ['run', '--quiet', '--no-usage-report', join(packageRoot, 'load', script)],
    {
      env: {
        ...process.env,
        K6_NO_USAGE_REPORT: 'true',
        BASE_URL: provider.url,
        DIRECTEARN_BATCH_SIZES: String(batchSize),
        DIRECTEARN_DURATION: `${seconds}s`,
        DIRECTEARN_MAX_VUS: String(vus),
        DIRECTEARN_OFFERED_MAX_RPS: String(offeredRps),
        DIRECTEARN_OFFERED_CUSTOMERS_PER_S: String(offeredRps * batchSize),
        DIRECTEARN_SUMMARY_FILE: summaryFile,
        ...extraEnv,
      },
      encoding: 'utf8',
      maxBuffer: 16 * 1024 * 1024,
    },
  ).catch((e) => {
    // 99: a threshold crossed, which a benchmark at saturation may do; the figures still stand.
    if (e.code !== 99) throw new Error(`k6 ${script} exited ${e.code}: ${String(e.stderr).slice(-500)}`);
    return e;
  });
  void result;
  const data = JSON.parse(readFileSync(summaryFile, 'utf8'));
  const name = script === 'throughput.ts' ? `http_reqs{scenario:batch_${batchSize}}` : 'http_reqs';
  return (data.metrics[name]?.values.count ?? 0) / seconds;
}

const child = spawnSync(k6, ['version'], { encoding: 'utf8' });
console.log(
  `bench:load: ${child.stdout.trim()}, ${vus} VUs, ${seconds}s per run, embedded provider ${provider.url}`,
);
console.log('batch  minimal req/s  throughput.ts req/s  ratio  fresh bodies req/s  ratio');
try {
  for (const batchSize of batchSizes) {
    const minimal = await run('bench-minimal.ts', batchSize);
    const ours = await run('throughput.ts', batchSize);
    // DIRECTEARN_POOL_CUSTOMERS=0: a new body (new customers) built for every request.
    const fresh = await run('throughput.ts', batchSize, { DIRECTEARN_POOL_CUSTOMERS: '0' });
    console.log(
      `${String(batchSize).padStart(5)}  ${minimal.toFixed(0).padStart(13)}  ${ours.toFixed(0).padStart(19)}  ${(ours / minimal).toFixed(2).padStart(5)}  ${fresh.toFixed(0).padStart(18)}  ${(fresh / minimal).toFixed(2).padStart(5)}`,
    );
  }
} finally {
  await provider.close();
  rmSync(dir, { recursive: true, force: true });
}
