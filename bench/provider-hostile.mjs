// Benchmark of the provider under hostile connections (`npm run bench:provider-hostile`): N
// unauthenticated connections each declaring and sending a 4 MiB body, held open, while a normal
// request is timed. Prints the server's RSS growth (goal < 64 MiB at 500 connections) and the normal
// request's latency (goal < 100 ms), and records them in bench/results/provider-hostile.jsonl.
// Figures, not a timed test: the machine is shared.
// Usage: node bench/provider-hostile.mjs [--connections 500] [--hold-ms 2000]
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { rssMiB, startServe, stop } from './provider-serve-child.mjs';
import { beginRecord, spread } from './record.mjs';

const { values: flags } = parseArgs({
  options: {
    connections: { type: 'string', default: '500' },
    'hold-ms': { type: 'string', default: '2000' },
    // Internal: the attacking side, run as its own process so its writes do not slow the timed client.
    attack: { type: 'string' },
  },
});
const connections = Number(flags.connections);
const holdMs = Number(flags['hold-ms']);
const BODY = Buffer.alloc(4 * 1024 * 1024 - 16, 0x20);
const PATH = '/v2/promotion/bulk/directEarn';
const AUTH = `Bearer directearn-token`;
const ONE = JSON.stringify({
  type: 'CUSTOMER',
  promotionDetails: { programId: 469, promotionId: 56799 },
  identifierName: 'id',
  customers: [{ identifierValue: '98662653' }],
});

/** The attacking process: opens the connections, reports outcomes as JSON on stdout when told to stop. */
async function attack(port) {
  const outcomes = { answered401: 0, other: 0, closed: 0 };
  const sockets = [];
  for (let i = 0; i < connections; i++) {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(
        `POST ${PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${BODY.length + 16}\r\n\r\n`,
      );
      // The body (16 bytes short, so the request never completes); the same buffer for every socket.
      socket.write(BODY);
    });
    let seen = false;
    socket.on('data', (d) => {
      if (seen) return;
      seen = true;
      if (/^HTTP\/1\.1 401 /.test(String(d))) outcomes.answered401++;
      else outcomes.other++;
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      outcomes.closed++;
    });
    sockets.push(socket);
  }
  process.stdout.write('opened\n');
  process.stdin.once('data', () => {
    for (const s of sockets) s.destroy();
    process.stdout.write(`${JSON.stringify(outcomes)}\n`);
    process.exit(0);
  });
}

if (flags.attack !== undefined) {
  await attack(Number(flags.attack));
} else {
  await main();
}

async function main() {
  const rec = beginRecord('provider-hostile');
  const server = await startServe();
  const port = server.port;
  const normal = async () => {
    const t = performance.now();
    const res = await fetch(`${server.url}${PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: AUTH },
      body: ONE,
    });
    await res.text();
    if (res.status !== 200) throw new Error(`normal request answered ${res.status}`);
    return performance.now() - t;
  };
  for (let i = 0; i < 20; i++) await normal();
  const before = rssMiB(server.child.pid);

  const attacker = spawn(
    process.execPath,
    [fileURLToPath(import.meta.url), '--attack', String(port), '--connections', String(connections)],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  let said = '';
  attacker.stdout.on('data', (d) => {
    said += d;
  });
  while (!said.includes('opened\n')) await new Promise((r) => setTimeout(r, 10));
  let peak = before;
  const latencies = [];
  const until = performance.now() + holdMs;
  while (performance.now() < until) {
    peak = Math.max(peak, rssMiB(server.child.pid));
    latencies.push(await normal());
    await new Promise((r) => setTimeout(r, 50));
  }
  peak = Math.max(peak, rssMiB(server.child.pid));
  attacker.stdin.write('stop\n');
  await new Promise((r) => attacker.once('exit', r));
  const outcomes = JSON.parse(said.split('\n')[1]);
  await stop(server.child);

  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
  const growth = peak - before;
  const worst = latencies[latencies.length - 1];
  const line = (label, value, goal) =>
    process.stdout.write(`${label.padEnd(46)} ${value.padStart(12)}   ${goal}\n`);
  process.stdout.write(
    `provider under ${connections} unauthenticated connections sending 4 MiB bodies, held ${holdMs} ms\n`,
  );
  line('server RSS before (MiB)', before.toFixed(1), '');
  line('server RSS peak while held (MiB)', peak.toFixed(1), '');
  line('RSS growth (MiB)', growth.toFixed(1), `goal < 64 ${growth < 64 ? 'met' : 'MISSED'}`);
  line('normal request while held, median (ms)', pct(50).toFixed(1), '');
  line(
    'normal request while held, max (ms)',
    worst.toFixed(1),
    `goal < 100 ${worst < 100 ? 'met' : 'MISSED'}`,
  );
  line('normal requests timed', String(latencies.length), '');
  line('hostile connections answered 401', String(outcomes.answered401), '');
  line('hostile connections answered otherwise', String(outcomes.other), '');
  rec
    .figure(`RSS growth under ${connections} hostile connections`, growth, 'MiB', { better: 'lower' })
    .figure('normal request while held, median', pct(50), 'ms', { better: 'lower' })
    .figure('normal request while held, max', worst, 'ms', {
      better: 'lower',
      noise: spread(latencies, 'lower'),
    })
    .write();
  if (growth >= 64 || worst >= 100) process.exitCode = 1;
}
