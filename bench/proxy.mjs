// Benchmark of `directearn proxy` (`npm run bench:proxy`): what putting the validating proxy between
// a service and the stub costs, per batch size: requests/s straight to `directearn serve` and through
// `directearn proxy`, with the same keep-alive client (node:http, N in flight), best of R runs;
// recorded in bench/results/proxy.jsonl.
// Usage: node bench/proxy.mjs [--seconds 3] [--runs 3] [--concurrency 8]
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { beginRecord, spread } from './record.mjs';

const root = join(import.meta.dirname, '..');
const { values: flags } = parseArgs({
  options: {
    seconds: { type: 'string', default: '3' },
    runs: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '8' },
  },
});
const seconds = Number(flags.seconds);
const runs = Math.max(1, Number(flags.runs));
const concurrency = Math.max(1, Number(flags.concurrency));
const AUTH = `Basic ${Buffer.from('directearn:directearn').toString('base64')}`;

/** Starts `directearn ARGS --ready-file F` and resolves with its child and ready file once up. */
async function start(args) {
  const file = join(mkdtempSync(join(tmpdir(), 'directearn-bench-proxy-')), 'ready.json');
  const child = spawn(process.execPath, [join(root, 'bin', 'directearn.js'), ...args, '--ready-file', file], {
    stdio: 'ignore',
  });
  for (let i = 0; i < 600 && !existsSync(file); i++) await new Promise((r) => setTimeout(r, 50));
  if (!existsSync(file)) throw new Error(`directearn ${args[0]} did not start`);
  return { child, ...JSON.parse(readFileSync(file, 'utf8')) };
}

function body(batch) {
  const customers = Array.from({ length: batch }, (_, i) => ({
    identifierValue: String(500000000 + i),
    source: 'INSTORE',
  }));
  return JSON.stringify({
    type: 'CUSTOMER',
    promotionDetails: { programId: 469, promotionId: 56799 },
    identifierName: 'id',
    customers,
  });
}

/** Requests/s of `concurrency` keep-alive loops POSTing `payload` to `url` for `seconds`. */
async function measure(url, payload) {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const { hostname, port } = new URL(url);
  const until = performance.now() + seconds * 1000;
  let done = 0;
  const one = () =>
    new Promise((resolve, reject) => {
      const req = request(
        {
          agent,
          hostname,
          port,
          method: 'POST',
          path: '/v2/promotion/bulk/directEarn',
          headers: {
            'content-type': 'application/json',
            authorization: AUTH,
            'content-length': payload.length,
          },
        },
        (res) => {
          res.resume();
          res.on('end', () =>
            res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`)),
          );
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  const t = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        await one();
        done++;
      }
    }),
  );
  agent.destroy();
  return done / ((performance.now() - t) / 1000);
}

const rec = beginRecord('proxy');
const stub = await start(['serve', '--port', '0']);
const proxy = await start(['proxy', '--upstream', stub.url, '--port', '0']);
try {
  process.stdout.write(
    `directearn proxy benchmark: best of ${runs} x ${seconds}s, ${concurrency} in flight, node ${process.version}\n`,
  );
  for (const batch of [1, 100, 1000]) {
    const payload = Buffer.from(body(batch));
    let direct = 0;
    let proxied = 0;
    const ratios = [];
    for (let r = 0; r < runs; r++) {
      const d = await measure(stub.url, payload);
      const p = await measure(proxy.url, payload);
      direct = Math.max(direct, d);
      proxied = Math.max(proxied, p);
      ratios.push(p / d);
    }
    rec.figure(`batch ${batch}, through the proxy / direct`, (proxied / direct) * 100, '%', {
      noise: spread(ratios),
    });
    process.stdout.write(
      `  batch ${String(batch).padStart(4)}: direct ${direct.toFixed(0).padStart(6)} req/s, through the proxy ${proxied.toFixed(0).padStart(6)} req/s (${((proxied / direct) * 100).toFixed(0)} %)\n`,
    );
  }
  rec.write();
} finally {
  proxy.child.kill('SIGTERM');
  stub.child.kill('SIGTERM');
}
