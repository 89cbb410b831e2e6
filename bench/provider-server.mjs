// A server process for bench/provider.mjs: the reference provider, or a bare node:http server that
// answers fixed bytes (the ceiling of any Node server). Prints {"port": N} once listening and
// answers {"rss": bytes, "cpuMicros": n, "requests": n, ...} to an IPC "stats" message.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const [mode, answerFile] = process.argv.slice(2);
let stats = () => ({});

if (mode === 'bare') {
  const answer = readFileSync(answerFile);
  const headers = { 'content-type': 'application/json; charset=utf-8' };
  let requests = 0;
  stats = () => ({ requests, earned: 0 });
  const server = createServer({ keepAlive: true }, (req, res) => {
    // Read the body like any real server must, then answer the same bytes every time.
    req.on('data', () => {});
    req.on('end', () => {
      requests++;
      res.writeHead(200, headers);
      res.end(answer);
    });
  });
  server.listen(0, '127.0.0.1', () =>
    process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`),
  );
} else if (mode === 'provider') {
  const { startProvider } = await import('../dist/provider/server.js');
  const started = await startProvider({ port: 0 });
  stats = () => started.provider.stats();
  process.stdout.write(`${JSON.stringify({ port: Number(new URL(started.url).port) })}\n`);
} else {
  process.stderr.write('usage: provider-server.mjs bare ANSWER_FILE | provider\n');
  process.exit(2);
}

process.on('message', (m) => {
  if (m === 'stats') {
    const cpu = process.cpuUsage();
    process.send?.({ rss: process.memoryUsage().rss, cpuMicros: cpu.user + cpu.system, ...stats() });
  }
});
process.on('disconnect', () => process.exit(0));
