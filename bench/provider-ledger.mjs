// Benchmark of the paged ledger (`npm run bench:provider-ledger`): fills a provider's ledger window
// with N earns (default 3,000,000), then times GET /_admin/ledger pages (first, middle by cursor,
// the largest limit) and a normal request right after, over a socket. Prints the figures and
// records them in bench/results/provider-ledger.jsonl.
// Usage: node bench/provider-ledger.mjs [--earns 3000000]
import { parseArgs } from 'node:util';

const { values: flags } = parseArgs({ options: { earns: { type: 'string', default: '3000000' } } });
const earns = Number(flags.earns);
const { beginRecord } = await import('./record.mjs');
const rec = beginRecord('provider-ledger');
const { startProvider } = await import('../dist/provider/server.js');
const { DEFAULT_TOKEN, LOAD_CUSTOMER_ID_FIRST } = await import('../dist/config/defaults.js');
const server = await startProvider({ admin: true, ledgerWindow: earns });
const headers = { 'content-type': 'application/json', authorization: `Bearer ${DEFAULT_TOKEN}` };
const body = JSON.stringify({
  type: 'CUSTOMER',
  promotionDetails: { programId: 469, promotionId: 56799 },
  identifierName: 'id',
  customers: Array.from({ length: 1000 }, (_, i) => ({
    identifierValue: String(LOAD_CUSTOMER_ID_FIRST + i),
  })),
});
const url = '/v2/promotion/bulk/directEarn';
for (let i = 0; i < earns / 1000; i++) await server.provider.handle({ method: 'POST', url, headers, body });
const rss = process.memoryUsage().rss / 2 ** 20;
const timed = async (path, init) => {
  const t = performance.now();
  const res = await fetch(`${server.url}${path}`, init);
  const text = await res.text();
  return { ms: performance.now() - t, status: res.status, bytes: text.length, json: text };
};
const first = await timed('/_admin/ledger?limit=10000');
const middle = await timed(`/_admin/ledger?after=${Math.floor(earns / 2)}&limit=1000`);
const last = await timed(`/_admin/ledger?after=${earns - 5}`);
const one = JSON.stringify({
  ...JSON.parse(body),
  customers: [{ identifierValue: String(LOAD_CUSTOMER_ID_FIRST) }],
});
const normal = await timed(url, { method: 'POST', headers, body: one });
await server.close();
const out = (label, r) =>
  process.stdout.write(
    `  ${label.padEnd(44)} ${r.ms.toFixed(1).padStart(8)} ms  (HTTP ${r.status}, ${r.bytes} bytes)\n`,
  );
process.stdout.write(
  `ledger window of ${earns.toLocaleString('en')} earns, process RSS ${rss.toFixed(0)} MiB\n`,
);
out('GET /_admin/ledger?limit=10000 (first page)', first);
out('GET /_admin/ledger?after=<middle>&limit=1000', middle);
out('GET /_admin/ledger?after=<last-5> (tail)', last);
out('a normal request right after', normal);
rec
  .figure('first page of 10,000', first.ms, 'ms', { better: 'lower' })
  .figure('a 1,000-entry page from the middle', middle.ms, 'ms', { better: 'lower' })
  .figure('the tail', last.ms, 'ms', { better: 'lower' })
  .figure('a normal request right after', normal.ms, 'ms', { better: 'lower' })
  .figure(`process RSS with ${earns.toLocaleString('en')} earns`, rss, 'MiB', { better: 'lower' })
  .write();
