// A tiny keep-alive HTTP load generator (used when wrk is not installed): CONNECTIONS parallel
// request loops over a node:http Agent for SECONDS, POSTing BODY_FILE; prints one JSON line
// {"requests": n, "non2xx": n, "seconds": s}.
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';

const [url, bodyFile, connections, seconds, token] = process.argv.slice(2);
const body = readFileSync(bodyFile);
const target = new URL(url);
const agent = new Agent({ keepAlive: true, maxSockets: Number(connections) });
const headers = {
  'content-type': 'application/json',
  'content-length': String(body.length),
  authorization: `Bearer ${token}`,
};
let requests = 0;
let non2xx = 0;
let errors = 0;
const started = performance.now();
const until = started + Number(seconds) * 1000;

function loop() {
  return new Promise((resolve) => {
    const next = () => {
      if (performance.now() >= until) return resolve();
      const req = request(
        { host: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent, headers },
        (res) => {
          if (res.statusCode < 200 || res.statusCode > 299) non2xx++;
          res.on('data', () => {});
          res.on('end', () => {
            requests++;
            next();
          });
        },
      );
      req.on('error', () => {
        errors++;
        next();
      });
      req.end(body);
    };
    next();
  });
}

await Promise.all(Array.from({ length: Number(connections) }, loop));
const elapsed = (performance.now() - started) / 1000;
process.stdout.write(`${JSON.stringify({ requests, non2xx: non2xx + errors, seconds: elapsed })}\n`);
agent.destroy();
