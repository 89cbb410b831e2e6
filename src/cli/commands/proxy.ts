// `directearn proxy --upstream URL`: a validating proxy a consumer puts between its own service and
// the upstream (staging CRM or `directearn serve`); it forwards everything unchanged and reports
// every request and answer of the endpoint that breaks the spec, the catalogue or the doc's facts.
import { rmSync } from 'node:fs';
import { connect } from 'node:net';
import { resolve } from 'node:path';
import type { UndocumentedRecord } from '../../contracts/undocumented.js';
import { checkUrlText } from '../../input/url.js';
import { type ProxyReport, ProxyTally, proxyJUnit, summaryLines } from '../../proxy/report.js';
import { PROXY_DEADLINE_MS, PROXY_STOP_GRACE_MS, startProxy } from '../../proxy/server.js';
import { exchangeDeadlineMs } from '../../util/bounded-http.js';
import { prepareOutputFile } from '../../util/output-path.js';
import { writeFileSafe } from '../../util/safe-write.js';
import {
  type CliIO,
  type Command,
  parseFlags,
  UnreachableError,
  UsageError,
  UserFacingError,
} from '../command.js';
import { durationFlag, intOption, refuseRealIssue, stringOption } from '../flags.js';

/** Default port of the proxy (serve's default is 8080). */
export const DEFAULT_PROXY_PORT = 8081;

const help = `Usage: directearn proxy --upstream URL [flags]

A validating proxy: point your service at it instead of the upstream (the staging CRM, or
\`directearn serve\`). Every request is forwarded unchanged (method, path, end-to-end headers, body
bytes; Host names the upstream) and the upstream's answer returned unchanged, as an RFC 9110
intermediary: hop-by-hop headers (Connection and those it lists, Keep-Alive, TE, Trailer,
Transfer-Encoding, Upgrade, Proxy-Authorization, Proxy-Authenticate) are dropped both ways; a target
that is not a canonical path (absolute-form, //, /./, ;params, %-escaped letters, a trailing slash,
the endpoint in another case) is answered 400, not forwarded; /_admin requests with a non-loopback
Host or peer or a foreign Origin are answered 403 (serve's rules), not forwarded. The upstream's
answers are bounded: a redirect is never passed on (502 naming its Location), an answer over 16 MiB
is cut (502), one not whole within 60 s is cut (504; DIRECTEARN_EXCHANGE_DEADLINE_MS changes it),
and a request the consumer gives up on is aborted upstream. Each of these is a violation
(request-target, upstream-answer). Each exchange of
POST /v2/promotion/bulk/directEarn is then checked: the request and the answer against the spec's
schemas, every code and message against the catalogue (x-directearn-catalogue), and the doc's facts
(one entry per customer in request order, counts agree, entityId is the answered customer for id
lookups, earnedIds unique in an answer, nothing issued under warning 8890, 8899/8881 when the
request calls for them). Other paths (e.g. /_admin) are forwarded and not checked.

Prints one line when listening (directearn proxy listening on URL -> UPSTREAM), a line per
violation as it happens (VIOLATION #N request|response FIELD [rule]: message), and a summary per
rule when it stops: on SIGINT/SIGTERM, after --max-requests requests to the endpoint or --duration.
It exits within ${PROXY_STOP_GRACE_MS / 1000} s of stopping: exchanges still waiting on the upstream then are aborted
and counted as upstream-answer violations, and the report is written.

Flags (environment variable in brackets):
  --upstream URL        where to forward, http(s)://host:port[/base-path] [DIRECTEARN_PROXY_UPSTREAM]
  --allow-real-issue    allow a non-loopback upstream: the requests your service sends through
                        the proxy ISSUE REAL PROMOTIONS there
  --host HOST           listen address (default 127.0.0.1) [DIRECTEARN_PROXY_HOST]
  --port N              listen port, 0 = any free port (default ${DEFAULT_PROXY_PORT}) [DIRECTEARN_PROXY_PORT]
  --ready-file PATH     once listening, write {"url","port","pid","upstream"} there (atomically;
                        removed again when the proxy stops)
  --max-requests N      stop after N requests to the endpoint
  --duration D          stop after D: seconds (30) or a number with ms, s, m or h (30s, 5m, 1h)
  --json FILE           write the report as JSON
  --junit FILE          write JUnit XML: one test case per rule
  --record FILE         write, as JSON, what the upstream answered that the catalogue does not
                        document (codes, other messages of a code, fields, HTTP statuses; printed
                        as UNDOCUMENTED lines in the summary, never a violation), for
                        \`directearn docs --seen FILE\`

Exit code: 0 no violation, 1 violations (an upstream answer not passed on included), 2 bad flags,
3 the upstream cannot be reached (at start, or a connection to it failed while nothing else was
wrong).`;

const FLAGS = {
  upstream: { type: 'string' },
  'allow-real-issue': { type: 'boolean' },
  host: { type: 'string' },
  port: { type: 'string' },
  'ready-file': { type: 'string' },
  'max-requests': { type: 'string' },
  duration: { type: 'string' },
  json: { type: 'string' },
  junit: { type: 'string' },
  record: { type: 'string' },
} as const;

/**
 * A report path, checked like every output flag (src/util/output-path.ts) before any traffic: its
 * folder made without spinning on /proc, a folder or a symbolic link where the file goes refused.
 */
function outputPath(io: CliIO, raw: string | boolean | undefined, flag: string): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const path = resolve(io.cwd, raw);
  prepareOutputFile(path, flag, raw);
  return path;
}

function writeOut(path: string, text: string, flag: string): void {
  try {
    writeFileSafe(path, text);
  } catch (e) {
    throw new UserFacingError(`cannot write ${flag} ${path}: ${(e as NodeJS.ErrnoException).code ?? e}`);
  }
}

/** Resolves when a TCP connection to the upstream opens; UnreachableError otherwise. */
function probe(upstream: URL, timeoutMs = 5_000): Promise<void> {
  const port = Number(upstream.port || (upstream.protocol === 'https:' ? 443 : 80));
  const host = upstream.hostname.replace(/^\[|\]$/g, '');
  return new Promise((ok, fail) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    socket.once('connect', () => {
      socket.destroy();
      ok();
    });
    const no = (why: string) => {
      socket.destroy();
      fail(new UnreachableError(`upstream ${upstream.origin} cannot be reached (${why})`));
    };
    socket.once('timeout', () => no(`no connection within ${timeoutMs} ms`));
    socket.once('error', (e: NodeJS.ErrnoException) => no(e.code ?? e.message));
  });
}

function parseUpstream(raw: string | undefined, allowRealIssue: boolean): URL {
  if (raw === undefined) throw new UsageError('--upstream URL is required (or DIRECTEARN_PROXY_UPSTREAM)');
  checkUrlText(raw, '--upstream');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--upstream "${raw}" is not a URL (expected http://host:port)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`--upstream "${raw}" must be an http:// or https:// URL`);
  refuseRealIssue(raw, allowRealIssue, '--upstream');
  return url;
}

/** The flags, checked and typed: what one proxy run needs. */
interface ProxyRun {
  upstream: URL;
  host: string;
  port: number;
  maxRequests?: number;
  duration?: { ms: number; text: string };
  jsonPath?: string;
  junitPath?: string;
  recordPath?: string;
  readyPath?: string;
  /** Total time per upstream answer (DIRECTEARN_EXCHANGE_DEADLINE_MS, else 60 s). */
  deadlineMs: number;
}

function parseRun(args: string[], io: CliIO): ProxyRun {
  const { values } = parseFlags(args, FLAGS);
  const run: ProxyRun = {
    upstream: parseUpstream(
      stringOption(values.upstream, io.env, 'DIRECTEARN_PROXY_UPSTREAM'),
      values['allow-real-issue'] === true,
    ),
    host: stringOption(values.host, io.env, 'DIRECTEARN_PROXY_HOST', '127.0.0.1') as string,
    port: intOption(
      stringOption(values.port, io.env, 'DIRECTEARN_PROXY_PORT'),
      '--port',
      DEFAULT_PROXY_PORT,
      {
        max: 65535,
      },
    ),
    jsonPath: outputPath(io, values.json, '--json'),
    junitPath: outputPath(io, values.junit, '--junit'),
    recordPath: outputPath(io, values.record, '--record'),
    readyPath: outputPath(io, values['ready-file'], '--ready-file'),
    deadlineMs: exchangeDeadlineMs(io.env, PROXY_DEADLINE_MS),
  };
  if (typeof values['max-requests'] === 'string')
    run.maxRequests = intOption(values['max-requests'], '--max-requests', 0, { min: 1 });
  // At most 24 days: a timer of Node's fires at once beyond 2^31 ms.
  const duration = durationFlag(values.duration, '--duration', { max: 576 * 3600 });
  if (duration !== undefined) run.duration = { ms: duration.seconds * 1000, text: values.duration as string };
  return run;
}

/** Resolves with why the run ended: a signal, --max-requests or --duration. */
function stopSignals(run: ProxyRun): { stopped: Promise<string>; stop(why: string): void } {
  let stop: (why: string) => void = () => undefined;
  const stopped = new Promise<string>((resolve) => {
    const onInt = () => stop('SIGINT');
    const onTerm = () => stop('SIGTERM');
    const timer =
      run.duration === undefined
        ? undefined
        : setTimeout(() => stop(`--duration ${run.duration?.text}`), run.duration.ms);
    stop = (why) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      if (timer !== undefined) clearTimeout(timer);
      resolve(why);
    };
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onTerm);
  });
  return { stopped, stop: (why) => stop(why) };
}

/** Listens, reports each exchange as it comes, and returns the report once stopped. */
async function proxyUntilStopped(run: ProxyRun, io: CliIO): Promise<ProxyReport> {
  const tally = new ProxyTally(run.upstream.href.replace(/\/$/, ''));
  const { stopped, stop } = stopSignals(run);
  let endpointCalls = 0;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  try {
    proxy = await startProxy({
      upstream: run.upstream,
      host: run.host,
      port: run.port,
      timeoutMs: run.deadlineMs,
      onExchange(x) {
        for (const line of tally.add(x)) io.out(line);
        // Endpoint calls count whether or not the upstream answered them.
        if (x.checked) endpointCalls++;
        if (run.maxRequests !== undefined && endpointCalls >= run.maxRequests)
          stop(`${run.maxRequests} request(s) to the endpoint`);
      },
    });
  } catch (e) {
    stop('could not listen');
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserFacingError(
      `cannot listen on ${run.host}:${run.port} (${code ?? (e as Error).message}); pick another --port`,
    );
  }
  const upstream = tally.result().upstream;
  io.out(`directearn proxy listening on ${proxy.url} -> ${upstream}`);
  if (run.readyPath !== undefined) {
    const ready = { url: proxy.url, port: proxy.port, pid: process.pid, upstream };
    // Atomic and never through a symbolic link (a planted PATH.tmp link is not followed either).
    writeOut(run.readyPath, `${JSON.stringify(ready)}\n`, '--ready-file');
  }
  const why = await stopped;
  await proxy.close();
  if (run.readyPath !== undefined) rmSync(run.readyPath, { force: true });
  io.err(`directearn proxy: stopped (${why})`);
  return tally.result();
}

export const command: Command = {
  name: 'proxy',
  summary: 'forward traffic to an upstream and report every exchange that breaks the spec',
  help,
  async run(args, io) {
    const run = parseRun(args, io);
    await probe(run.upstream);
    const report = await proxyUntilStopped(run, io);
    for (const line of summaryLines(report)) io.out(line);
    if (run.jsonPath !== undefined) writeOut(run.jsonPath, `${JSON.stringify(report, null, 2)}\n`, '--json');
    if (run.junitPath !== undefined) writeOut(run.junitPath, proxyJUnit(report), '--junit');
    if (run.recordPath !== undefined) {
      const record: UndocumentedRecord = {
        by: 'proxy',
        target: report.upstream,
        at: new Date().toISOString(),
        undocumented: report.undocumented,
      };
      writeOut(run.recordPath, `${JSON.stringify(record, null, 2)}\n`, '--record');
    }
    return report.exitCode;
  },
};
