// Benchmark of the provider's body handling (`npm run bench:provider-parse`): CPU µs per request
// in-process (EarnDesk.respond: UTF-8 check, parse, validation, the 200 body; no HTTP, no auth) at
// batch 1, 100 and 1000, for one body sent over and over, 32 distinct bodies in turn, and a fresh
// body (new customers) every time, through JSON.parse of the whole body ("JSON.parse"), through the
// customers scan (src/provider/customers-scan.ts) as the provider uses it ("scan": bodies under
// SCAN_FROM_BYTES are JSON.parsed) and through the scan for every body ("scan-all"). JSON.parse internalizes every short
// identifierValue, so its cost grows with the distinct customers the bodies carry; the scan's should
// not. Each run of a figure is its own node process (a fresh heap and string table) and a figure is
// the least of --runs runs (other load on the machine only adds); fresh bodies are built outside
// the timed spans. Prints figures and records them in bench/results/provider-parse.jsonl; it
// asserts nothing.
// Usage: node bench/provider-parse.mjs [--batches 1,100,1000] [--customers 500000] [--runs 3]
// (a few minutes with the defaults)
//   --customers: customers answered per run (and as many before it, to warm up).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values: flags } = parseArgs({
  options: {
    batches: { type: 'string', default: '1,100,1000' },
    customers: { type: 'string', default: '500000' },
    runs: { type: 'string', default: '3' },
    // One figure, in a child process: --one BATCH,BODIES,PATH (printed as JSON).
    one: { type: 'string' },
  },
});
const BODIES = { repeated: 'one body repeated', distinct: '32 distinct bodies', fresh: 'a fresh body each' };
// scan: the provider's default (bodies under SCAN_FROM_BYTES go to JSON.parse); scan-all: every body.
const PATHS = { parse: 'JSON.parse', scan: 'scan', 'scan-all': 'scan-all' };

if (flags.one !== undefined) {
  const [batch, bodies, path] = flags.one.split(',');
  process.stdout.write(`${JSON.stringify(await measure(Number(batch), bodies, path))}\n`);
} else {
  const batches = flags.batches.split(',').map(Number);
  const { beginRecord, spread } = await import('./record.mjs');
  const rec = beginRecord('provider-parse');
  const self = fileURLToPath(import.meta.url);
  const cols = Object.values(PATHS);
  process.stdout.write(
    `CPU µs per request in-process (EarnDesk.respond), least of ${flags.runs} runs of ${Number(flags.customers).toLocaleString('en')} customers, node ${process.version}\n`,
  );
  process.stdout.write(
    `${'batch'.padStart(6)}  ${'bodies'.padEnd(20)}${cols.map((c) => c.padStart(12)).join('')}${'scan/parse'.padStart(12)}\n`,
  );
  for (const batch of batches) {
    for (const [bodies, label] of Object.entries(BODIES)) {
      const figures = Object.keys(PATHS).map(() => Number.POSITIVE_INFINITY);
      const runs = Object.keys(PATHS).map(() => []);
      // The paths' runs alternate, so a burst of other load falls on both alike.
      for (let run = 0; run < Number(flags.runs); run++)
        Object.keys(PATHS).forEach((path, k) => {
          const out = execFileSync(
            process.execPath,
            [self, '--one', `${batch},${bodies},${path}`, '--customers', flags.customers],
            { encoding: 'utf8' },
          );
          figures[k] = Math.min(figures[k], JSON.parse(out).us);
          runs[k].push(JSON.parse(out).us);
        });
      const ratio = figures[1] / figures[0]; // scan / JSON.parse
      process.stdout.write(
        `${String(batch).padStart(6)}  ${label.padEnd(20)}${figures.map((f) => f.toFixed(1).padStart(12)).join('')}${ratio.toFixed(2).padStart(12)}\n`,
      );
      Object.values(PATHS).forEach((name, k) => {
        rec.figure(`batch ${batch}, ${label}, ${name}`, figures[k], 'µs', {
          better: 'lower',
          noise: spread(runs[k], 'lower'),
        });
      });
    }
  }
  rec.write();
}

/** CPU µs per request of `bodies` at `batch` through `path`, after as many requests to warm up. */
async function measure(batch, bodies, path) {
  const { EarnDesk } = await import('../dist/provider/answer.js');
  const { LedgerRing, Model } = await import('../dist/provider/store.js');
  const { DEFAULT_FIXTURES } = await import('../dist/provider/fixtures.js');
  const {
    DEFAULT_LEDGER_WINDOW,
    LOAD_CUSTOMER_COUNT,
    LOAD_CUSTOMER_ID_FIRST,
    LOAD_PROGRAM_ID,
    LOAD_PROMOTION_ID,
  } = await import('../dist/config/defaults.js');
  const desk = new EarnDesk(
    new Model(DEFAULT_FIXTURES),
    new LedgerRing(DEFAULT_LEDGER_WINDOW),
    () => ({ enabled: false, batchSize: 10 }),
    { scanCustomers: path !== 'parse', scanFromBytes: path === 'scan-all' ? 0 : undefined },
  );
  // What k6 sends (k6/bodies.ts): compact, in this key order, source on every customer.
  const head = `{"type":"CUSTOMER","promotionDetails":{"programId":${LOAD_PROGRAM_ID},"promotionId":${LOAD_PROMOTION_ID}},"identifierName":"id","customers":[`;
  const body = (first) => {
    const items = new Array(batch);
    for (let i = 0; i < batch; i++)
      items[i] =
        `{"identifierValue":"${LOAD_CUSTOMER_ID_FIRST + ((first + i) % LOAD_CUSTOMER_COUNT)}","source":"INSTORE"}`;
    return Buffer.from(`${head}${items.join(',')}]}`);
  };
  const n = Math.max(200, Math.round(Number(flags.customers) / batch));
  const pool =
    bodies === 'fresh'
      ? []
      : Array.from({ length: bodies === 'distinct' ? 32 : 1 }, (_, k) => body(k * batch));
  let next = 0;
  // Fresh bodies are built in chunks between timed spans (about 4 MiB of bodies at a time).
  const chunk = bodies === 'fresh' ? Math.max(1, Math.floor(4_000_000 / (batch * 60))) : n;
  const run = () => {
    let cpu = 0;
    for (let done = 0; done < n; done += chunk) {
      const sent = [];
      for (let i = 0; i < Math.min(chunk, n - done); i++) {
        sent.push(bodies === 'fresh' ? body(next) : pool[(done + i) % pool.length]);
        next += batch;
      }
      const t = process.cpuUsage();
      for (const b of sent) {
        const res = desk.respond(b);
        if (res.status !== 200) throw new Error(`${res.status} ${res.body}`);
      }
      const c = process.cpuUsage(t);
      cpu += c.user + c.system;
    }
    return cpu / n;
  };
  run();
  const us = run();
  if (path === 'scan-all' && desk.scanned !== 2 * n)
    throw new Error(`only ${desk.scanned} of ${2 * n} bodies scanned`);
  return { batch, bodies, path, requests: n, us };
}
