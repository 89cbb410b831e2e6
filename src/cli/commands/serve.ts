// `directearn serve`: runs the reference provider on a port until SIGINT/SIGTERM. Prints exactly one
// line to stdout once listening (`directearn provider listening on URL`), and with --ready-file writes
// {"url","port","pid"} atomically, for test runners in any language. Its variables are
// DIRECTEARN_PROVIDER_*: the client-side names (DIRECTEARN_BASIC, ...) of verify/check/load are not read.
import { rmSync } from 'node:fs';
import {
  DEFAULT_BASIC_PASSWORD,
  DEFAULT_BASIC_USER,
  DEFAULT_BODY_LIMIT_BYTES,
  DEFAULT_HOST,
  DEFAULT_LEDGER_WINDOW,
  DEFAULT_OAUTH_KEY,
  DEFAULT_OAUTH_SECRET,
  DEFAULT_PORT,
  DEFAULT_READONLY_BASIC_PASSWORD,
  DEFAULT_READONLY_BASIC_USER,
  DEFAULT_READONLY_TOKEN,
  DEFAULT_REDIRECTION_BATCH_SIZE,
  DEFAULT_TOKEN,
  DEFAULT_TOKEN_TTL_SECONDS,
  LOAD_CUSTOMER_COUNT,
  LOAD_CUSTOMER_ID_FIRST,
  OAUTH_TOKEN_PATH,
} from '../../config/defaults.js';
import { VARIANTS, variant } from '../../mutation/regressions.js';
import { withVariant } from '../../mutation/variant-host.js';
import {
  createProvider,
  DEFAULT_CAPACITY_QUEUE_MS,
  FixturesError,
  MAX_STATE_BODY_LIMIT,
  type Provider,
} from '../../provider/index.js';
import {
  DEFAULT_HEADERS_TIMEOUT_MS,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  type Listening,
  listen,
} from '../../provider/server.js';
import { writeFileSafe } from '../../util/safe-write.js';
import { type Command, parseFlags, UnreachableError, UsageError, UserFacingError } from '../command.js';
import { FLAGS, readOptions, V } from './serve-options.js';

const help = `Usage: directearn serve [flags]

Runs the reference provider of POST /v2/promotion/bulk/directEarn (a stateful simulator answering
every documented case) until SIGINT or SIGTERM. Once listening it prints one line to stdout:
  directearn provider listening on http://HOST:PORT
and, with --ready-file, writes {"url":"http://127.0.0.1:PORT","port":PORT,"pid":PID} to that file
atomically (removed again on a clean stop). GET /_health answers 200 {"status":"ok"} without
credentials.

Flags (each also read from its environment variable; the flag wins). The provider reads only
${V}* (and the doc's two BULK_API_* names), never the client-side DIRECTEARN_BASIC/TOKEN/... of
verify, check and load:
  --host HOST            ${V}HOST                    listen address, not empty (default ${DEFAULT_HOST})
  --port N               ${V}PORT                    port, 0 = any free port (default ${DEFAULT_PORT})
  --fixtures FILE        ${V}FIXTURES                programs, promotions and customers, JSON or YAML
                                                             (default: built-in fixtures with every ID of the
                                                             spec's examples plus customers ${LOAD_CUSTOMER_ID_FIRST}..${LOAD_CUSTOMER_ID_FIRST + LOAD_CUSTOMER_COUNT - 1})
  --basic USER:PASS      ${V}BASIC (comma-separated) accepted Basic credentials, repeatable
                                                             (default ${DEFAULT_BASIC_USER}:${DEFAULT_BASIC_PASSWORD})
  --token TOKEN          ${V}TOKEN (comma-separated) accepted OAuth tokens (Authorization: Bearer or
                                                             X-CAP-API-OAUTH-TOKEN), repeatable (default ${DEFAULT_TOKEN})
  --readonly-basic U:P   ${V}READONLY_BASIC          credentials without write access, answered 403
                                                             (default ${DEFAULT_READONLY_BASIC_USER}:${DEFAULT_READONLY_BASIC_PASSWORD})
  --readonly-token T     ${V}READONLY_TOKEN          token without write access, answered 403
                                                             (default ${DEFAULT_READONLY_TOKEN})
  --redirection          BULK_API_REDIRECTION_ENABLED          refuse (400) requests with more customers than the
                                                             batch size (default false)
  --batch-size N         BULK_API_BATCH_SIZE_FOR_REDIRECTION   batch size under redirection (default ${DEFAULT_REDIRECTION_BATCH_SIZE})
  --rate-limit N         ${V}RATE_LIMIT              requests/second (token bucket), 429 beyond; 0 = off (default 0)
  --rate-limit-per-minute N ${V}RATE_LIMIT_PER_MINUTE requests per clock minute per credential (API key), as
                                                             the real CRM limits; 429 with Retry-After to the
                                                             minute's end beyond; 0 = off (default 0)
  --capacity N           ${V}CAPACITY                customers/second the provider processes: requests wait
                                                             in one FIFO queue (latency grows past this knee);
                                                             0 = off, answer at once (default 0)
  --capacity-overhead MS ${V}CAPACITY_OVERHEAD       with --capacity: fixed cost of every request (default 0)
  --capacity-queue MS    ${V}CAPACITY_QUEUE          with --capacity: queued work a request may find ahead of
                                                             it; more is shed with 503 + Retry-After, nothing
                                                             issued (default ${DEFAULT_CAPACITY_QUEUE_MS})
  --oauth KEY:SECRET     ${V}OAUTH (comma-separated) key and secret POST ${OAUTH_TOKEN_PATH}
                                                             accepts, repeatable (default ${DEFAULT_OAUTH_KEY}:${DEFAULT_OAUTH_SECRET})
  --token-ttl S          ${V}TOKEN_TTL               seconds a generated token lives; an expired one is
                                                             answered 401 (default ${DEFAULT_TOKEN_TTL_SECONDS})
  --latency MS           ${V}LATENCY                 added latency per response (default 0)
  --jitter MS            ${V}JITTER                  up to this much more latency, at random (default 0)
  --fault-rate P         ${V}FAULT_RATE              probability 0..1 of an injected 500 (default 0)
  --body-limit BYTES     ${V}BODY_LIMIT              largest body, 413 beyond, at most ${MAX_STATE_BODY_LIMIT} (default ${DEFAULT_BODY_LIMIT_BYTES})
  --ledger-window N      ${V}LEDGER_WINDOW           recent earns kept for GET /_admin/ledger (default ${DEFAULT_LEDGER_WINDOW})
  --admin                ${V}ADMIN                   serve /_admin/provider-states, /_admin/reset, /_admin/ledger,
                                                             /_admin/stats to loopback callers (default false)
  --admin-token T        ${V}ADMIN_TOKEN             the /_admin routes also need header X-Directearn-Admin-Token: T
  --ready-file PATH      ${V}READY_FILE              once listening, write {"url","port","pid"} there (tmp + rename)
  --simulate-regression NAME                         answer with one doc-derived regression (or benign
                                                     variant) of src/mutation/regressions.ts, to rehearse
                                                     a CI: \`verify --target\` must fail on each regression
  --headers-timeout MS   ${V}HEADERS_TIMEOUT         time for a request's head to arrive, else 408 (default ${DEFAULT_HEADERS_TIMEOUT_MS})
  --request-timeout MS   ${V}REQUEST_TIMEOUT         time for a whole request to arrive, else 408 (default ${DEFAULT_REQUEST_TIMEOUT_MS})
  --max-connections N    ${V}MAX_CONNECTIONS         connections open at once; more are closed (default ${DEFAULT_MAX_CONNECTIONS})

Exit code: 0 after a clean stop, 1 bad fixtures, 2 a bad flag or variable (named), 3 cannot listen
(port in use, no permission, no such host).`;

export const command: Command = {
  name: 'serve',
  summary: 'run the reference provider of the endpoint',
  help,
  async run(args, io) {
    const { values } = parseFlags(args, FLAGS);
    const o = readOptions(values, io.env);
    let provider: Provider;
    try {
      provider = createProvider(o.provider);
    } catch (e) {
      if (e instanceof FixturesError) throw new UserFacingError(e.message);
      // Options the flags above did not catch; the message names the option.
      if (e instanceof RangeError) throw new UsageError(e.message);
      throw e;
    }
    const regression = values['simulate-regression'] as string | undefined;
    if (regression !== undefined) {
      if (variant(regression) === undefined)
        throw new UsageError(
          `--simulate-regression: unknown name "${regression}"; known: ${VARIANTS.map((v) => v.name).join(', ')}`,
        );
      provider = withVariant(provider, regression);
    }
    // A ready file left by an earlier run must not announce this one before it listens.
    if (o.readyFile !== undefined) rmSync(o.readyFile.path, { force: true });
    let server: Listening;
    try {
      server = await listen(provider, { host: o.host, port: o.port, ...o.listener });
    } catch (e) {
      throw listenError(e, o.host, o.port);
    }
    if (o.readyFile !== undefined) {
      try {
        writeReadyFile(o.readyFile.path, server.port, o.host);
      } catch (e) {
        await server.close();
        throw new UsageError(
          `${o.readyFile.name}: cannot write ${o.readyFile.path} (${(e as NodeJS.ErrnoException).code ?? String(e)})`,
        );
      }
    }
    io.out(`directearn provider listening on ${server.url}`);
    const signal = await new Promise<string>((resolve) => {
      const stop = (name: string) => () => {
        process.off('SIGINT', onInt);
        process.off('SIGTERM', onTerm);
        resolve(name);
      };
      const onInt = stop('SIGINT');
      const onTerm = stop('SIGTERM');
      process.once('SIGINT', onInt);
      process.once('SIGTERM', onTerm);
    });
    await server.close();
    if (o.readyFile !== undefined) rmSync(o.readyFile.path, { force: true });
    const { earned, requests } = provider.stats();
    io.err(`directearn serve: stopped on ${signal} after ${requests} request(s), ${earned} earn(s)`);
    return 0;
  },
};

/** Writes the ready file atomically (a reader sees no file or the whole JSON, never half). */
function writeReadyFile(path: string, port: number, host: string): void {
  // A wildcard address is reached on loopback; a specific one as given.
  const reach = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const shown = reach.includes(':') ? `[${reach}]` : reach;
  const text = `${JSON.stringify({ url: `http://${shown}:${port}`, port, pid: process.pid })}\n`;
  writeFileSafe(path, text);
}

function listenError(e: unknown, host: string, port: number): Error {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE')
    return new UnreachableError(
      `port ${port} on ${host} is in use; pick another with --port (0 = any free port)`,
    );
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
    return new UnreachableError(`cannot listen on host "${host}" (${code}); check --host`);
  if (code === 'EACCES')
    return new UnreachableError(`no permission to listen on port ${port}; use a port above 1023`);
  return e instanceof Error ? e : new Error(String(e));
}
