// `runLoad`: one k6 run (throughput, rate or smoke) against a target or the embedded reference
// provider, turned into DIR/summary.json and DIR/report.html. The CLI's `load` and `check` call it.
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  DEFAULT_BASIC_PASSWORD,
  DEFAULT_BASIC_USER,
  DEFAULT_LOAD_MAX_VUS,
  DEFAULT_LOAD_RATE_MAX_RPS,
  DEFAULT_OUT_DIR,
  DEFAULT_READONLY_BASIC_PASSWORD,
  DEFAULT_READONLY_BASIC_USER,
  LOAD_CUSTOMER_COUNT,
} from '../config/defaults.js';
import { type RecordingProxy, startRecordingProxy } from '../contracts/recording-proxy.js';
import { UserFacingError } from '../errors.js';
import { packageRoot } from '../util/package-root.js';
import { writeFileSafe } from '../util/safe-write.js';
import { compareRuns, DEFAULT_BASELINE_REPEAT, DEFAULT_MAX_REGRESSION } from './baseline.js';
import { type SkippedCase, smokeCases } from './cases.js';
import {
  describeIdentity,
  firstCustomers,
  PREFLIGHT_CUSTOMERS,
  preflight,
  resolveIdentity,
} from './identity.js';
import { notIssuedReason } from './issued.js';
import { runK6 } from './k6.js';
import {
  DEFAULT_EMBEDDED_RATE_LIMIT,
  k6Binary,
  type LoadOptions,
  type LoadResult,
  type LoadScenario,
  type Run,
  withDefaults,
} from './options.js';
import { smokeVerdicts, summarise, writeOutputs } from './outputs.js';
import { type K6SummaryData, thresholdResults } from './read-k6-summary.js';
import { RUNNER_SUMMARY_FILE } from './runner-summaries.js';
import { runRunners } from './runners.js';
import { k6Gogc, oauthScriptVars, scriptVars } from './script-vars.js';
import { checkSlos, DEFAULT_SLO_TEXT, p95Bound, parseSlo } from './slo.js';
import { mapSmokeCases } from './smoke-target.js';
import { unquote } from './smoke-verdicts.js';
import { type LoadSummary, withRepeats } from './summary.js';

export { durationSeconds } from '../input/duration.js';
/** Whether a URL's host is loopback: the one rule in src/input/loopback.ts (re-exported for callers of this module). */
export { isLoopbackUrl } from '../input/loopback.js';
export { findK6, installK6, K6_VERSION } from './k6.js';
export {
  type Checked,
  DEFAULT_EMBEDDED_RATE_LIMIT,
  LOAD_SCENARIOS,
  type LoadOptions,
  type LoadResult,
  type LoadScenario,
  offeredRps,
} from './options.js';
export { type SmokeCaseResult, smokeResults } from './smoke-verdicts.js';
export type { BatchFigures, LoadSummary, RateFigures } from './summary.js';

/** Body limit of the embedded provider in a smoke run: small enough to be sent whole before the 413. */
const SMOKE_BODY_LIMIT_BYTES = 16 * 1024;

/**
 * Largest answer the smoke takes from a --target: its requests are the doc's examples (a few
 * customers, answers of a few KB), and k6 holds every answer it reads several times over.
 */
const SMOKE_ANSWER_CAP_BYTES = 1024 * 1024;

const scriptPath = (scenario: LoadScenario): string => join(packageRoot, 'k6', `${scenario}.ts`);

/** k6's "Insufficient VUs" warning: expected when the open model offers more than maxVUs carry. */
const INSUFFICIENT_VUS = /Insufficient VUs/;

/**
 * What reaches the user of a k6 line: everything, or in quiet mode only k6's errors and warnings
 * (stderr), without the expected "Insufficient VUs" ones.
 */
function shownLine(line: string, stream: 'stdout' | 'stderr', quiet: boolean): boolean {
  if (!quiet) return true;
  return stream === 'stderr' && /level=(error|warning)/.test(line) && !INSUFFICIENT_VUS.test(line);
}

type Embedded = Awaited<ReturnType<typeof import('../provider/server.js').startProvider>>;

function settle(options: LoadOptions): Run {
  const checked = withDefaults(options);
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const out = resolve(cwd, options.out ?? join(DEFAULT_OUT_DIR, `load-${checked.scenario}`));
  // A rate run against the embedded provider needs a limit to find: without one it would measure nothing.
  const providerRateLimit =
    options.providerRateLimit ??
    (checked.scenario === 'rate' && options.target === undefined ? DEFAULT_EMBEDDED_RATE_LIMIT : undefined);
  return {
    ...checked,
    options,
    say: options.onOutput ?? (() => {}),
    env,
    identity: resolveIdentity(options, env),
    slos: options.slos ?? DEFAULT_SLO_TEXT.map((s) => parseSlo(s)),
    out,
    basic: options.basic ?? `${DEFAULT_BASIC_USER}:${DEFAULT_BASIC_PASSWORD}`,
    providerRateLimit,
    maxVus: options.maxVus ?? DEFAULT_LOAD_MAX_VUS,
    rateMaxRps:
      options.rateMaxRps ??
      (providerRateLimit !== undefined ? 2 * providerRateLimit : DEFAULT_LOAD_RATE_MAX_RPS),
    csv: options.customersCsv !== undefined ? resolve(cwd, options.customersCsv) : undefined,
    files: {
      summary: join(out, 'k6-summary.json'),
      console: join(out, 'k6-console.log'),
      points: join(out, 'k6-points.json'),
    },
  };
}

/** The embedded provider, in this process (k6 is a child, so the event loop is free to serve it). */
async function startEmbedded(run: Run): Promise<Embedded | undefined> {
  if (run.options.target !== undefined) return undefined;
  const { startProvider } = await import('../provider/server.js');
  const limit = run.providerRateLimit;
  const embedded = await startProvider({
    port: 0,
    basic: [run.basic],
    ...(run.options.token !== undefined ? { tokens: [run.options.token] } : {}),
    ...(run.options.oauth !== undefined
      ? { oauthClients: [`${run.options.oauth.key}:${run.options.oauth.secret}`] }
      : {}),
    ...(limit !== undefined ? { rateLimit: limit } : {}),
    // The 413 probe sends limit+1 bytes; the provider answers on Content-Length and closes. With
    // the default 4 MiB, k6 is still writing then and sees a reset instead of the 413.
    ...(run.scenario === 'smoke' ? { bodyLimit: SMOKE_BODY_LIMIT_BYTES } : {}),
  });
  const defaulted =
    run.options.providerRateLimit === undefined
      ? ', the default for a rate run; set it with --provider-rate-limit'
      : '';
  run.say(
    `embedded reference provider on ${embedded.url}${limit !== undefined ? ` (rate limit ${limit} requests/s${defaulted})` : ''}`,
  );
  return embedded;
}

/** One request for the first customers must issue (no error, no 8890) before any load (not for smoke: it asks for errors). */
async function runPreflight(run: Run, target: string): Promise<void> {
  if (run.scenario === 'smoke' || run.options.skipPreflight === true) return;
  const token = run.options.token;
  const authorization =
    run.oauthToken !== undefined
      ? { 'X-CAP-API-OAUTH-TOKEN': run.oauthToken.accessToken }
      : token !== undefined
        ? `Bearer ${token}`
        : `Basic ${Buffer.from(run.basic).toString('base64')}`;
  await preflight(
    target,
    run.identity,
    authorization,
    firstCustomers(run.identity, PREFLIGHT_CUSTOMERS, run.csv),
    run.env.DIRECTEARN_SOURCE || undefined,
  );
  run.say(
    `preflight: ${describeIdentity(run.identity)} issued to the first ${PREFLIGHT_CUSTOMERS} customers`,
  );
}

/** The variables k6/config.ts reads; smoke also gets its cases file. */
async function k6Vars(
  run: Run,
  target: string,
  embedded: Embedded | undefined,
): Promise<{ vars: Record<string, string>; skipped: SkippedCase[] }> {
  const p95 = p95Bound(run.slos);
  const vars: Record<string, string> = {
    ...scriptVars({
      target,
      identity: run.identity,
      batchSizes: run.batchSizes,
      duration: run.duration,
      maxVus: run.maxVus,
      rateMaxRps: run.rateMaxRps,
      summaryFile: run.files.summary,
      runnerSummaryFile: join(run.out, RUNNER_SUMMARY_FILE),
      ...(run.options.arrivalRate !== undefined ? { arrivalRate: run.options.arrivalRate } : {}),
      gogc: k6Gogc(run.env),
    }),
    DIRECTEARN_BASIC: run.basic,
    DIRECTEARN_TOKEN: run.options.token ?? '',
    DIRECTEARN_CUSTOMERS_CSV: run.csv ?? '',
    ...(run.options.oauth !== undefined && run.oauthToken !== undefined
      ? oauthScriptVars(run.options.oauth, run.oauthToken)
      : {}),
    ...(p95 !== undefined ? { DIRECTEARN_SLO_P95_MS: String(p95) } : {}),
  };
  if (run.scenario !== 'smoke') return { vars: { ...vars, ...onceVars(run) }, skipped: [] };
  const spec = smokeCases(
    embedded !== undefined
      ? {
          bodyLimit: embedded.provider.options.bodyLimit,
          readOnlyAuthorization: `Basic ${Buffer.from(`${DEFAULT_READONLY_BASIC_USER}:${DEFAULT_READONLY_BASIC_PASSWORD}`).toString('base64')}`,
        }
      : {},
  );
  // A target has its own IDs and error wording: map the examples and judge inferred bodies leniently.
  const derived =
    embedded !== undefined
      ? spec
      : await mapSmokeCases(spec, {
          ...(run.options.states !== undefined ? { states: run.options.states } : {}),
          ...(identityGiven(run.options) ? { identity: run.identity } : {}),
          strict: run.options.strict === true,
        });
  const casesFile = join(run.out, 'smoke-cases.json');
  writeFileSafe(casesFile, JSON.stringify(derived.cases, null, 2));
  return { vars: { ...vars, DIRECTEARN_CASES_FILE: casesFile }, skipped: derived.skipped };
}

/** Whether the caller named the program or promotion (not the embedded provider's defaults). */
const identityGiven = (o: LoadOptions): boolean =>
  o.programId !== undefined || o.promotionId !== undefined || o.promoIdentifier !== undefined;

/**
 * Throughput with `customersOnce`: every customer of the CSV (or the generated range) sent at most
 * once, after the preflight's; every batch size gets the same arrival rate (requests/s), the
 * highest the customers allow over its duration, and a slice of customers of its own
 * (k6/profiles.ts), so a host with earn limits answers them as fresh customers.
 */
function onceVars(run: Run): Record<string, string> {
  if (run.scenario !== 'throughput' || run.options.customersOnce !== true) return {};
  return {
    DIRECTEARN_CUSTOMERS_ONCE: '1',
    DIRECTEARN_CUSTOMER_SKIP: String(preflightSkip(run)),
    DIRECTEARN_POOL_CUSTOMERS: '0',
  };
}

const preflightSkip = (run: Run): number => (run.options.skipPreflight === true ? 0 : PREFLIGHT_CUSTOMERS);

/**
 * The arrival rate of a `customersOnce` run: the customers after the preflight's, shared evenly by
 * the batch sizes (each request of batch size b takes b), over each one's duration; at most
 * --arrival-rate when that is given. A UserFacingError when not even 1 request/s fits.
 */
export function onceRate(run: Run): number {
  const skip = preflightSkip(run);
  const total =
    run.csv !== undefined
      ? firstCustomers(run.identity, Number.MAX_SAFE_INTEGER, run.csv).length
      : LOAD_CUSTOMER_COUNT;
  const perSecond = run.batchSizes.reduce((n, b) => n + b, 0) * Math.ceil(run.seconds);
  const rate = Math.floor((total - skip) / perSecond);
  if (rate < 1) {
    throw new UserFacingError(
      `${run.csv ?? 'the customer range'} has ${total} customers: sending each once for ${run.duration} per batch size (${run.batchSizes.join(', ')}) needs at least ${perSecond + skip}, after the preflight's ${skip}`,
    );
  }
  return Math.min(rate, run.options.arrivalRate ?? rate);
}

/**
 * Runs k6 on the scenario's script; its lines go to the user as `quiet` allows. A runner of a
 * distributed run (src/load/runners.ts) passes its own files, its segment's flags and a line prefix.
 */
export async function runScenario(
  run: Run,
  k6: string,
  vars: Record<string, string>,
  files: Run['files'] = run.files,
  runner: { args: string[]; prefix: string } = { args: [], prefix: '' },
): Promise<{ code: number; k6Errors: string[]; insufficientVuWarnings: number }> {
  const k6Errors: string[] = [];
  let insufficientVuWarnings = 0;
  const quiet = run.options.quiet === true;
  // k6 creates these itself (it follows a symbolic link it finds there): removing them first removes
  // a planted link, never what it points at, so k6 writes fresh files in the output folder.
  rmSync(files.summary, { force: true });
  rmSync(files.points, { force: true });
  rmSync(files.console, { force: true });
  // A runner summary left by an earlier run must not pass for this one's.
  if (vars.DIRECTEARN_RUNNER_SUMMARY_FILE) rmSync(vars.DIRECTEARN_RUNNER_SUMMARY_FILE, { force: true });
  const code = await runK6(
    k6,
    [
      'run',
      '--no-usage-report',
      '--no-color',
      '--console-output',
      files.console,
      // No REST API: nothing here uses it, and parallel k6 runs would fight over its port 6565.
      '--address=',
      ...(quiet ? ['--quiet'] : []),
      // The rate report's per-second chart needs k6's points; its summary has no time series.
      ...(run.scenario === 'rate' ? ['--out', `json=${files.points}`] : []),
      ...runner.args,
      ...(run.options.k6Args ?? []),
      scriptPath(run.scenario),
    ],
    { ...run.env, ...vars },
    (line, stream) => {
      if (INSUFFICIENT_VUS.test(line)) insufficientVuWarnings++;
      if (shownLine(line, stream, quiet)) run.say(`${runner.prefix}${line}`);
      const error = /level=error msg="((?:[^"\\]|\\.)*)"/.exec(line);
      if (error !== null) k6Errors.push(unquote(error[1] as string));
    },
    run.options.cwd,
  );
  if (insufficientVuWarnings > 0) {
    run.say(
      `k6 warned ${insufficientVuWarnings} time(s) "Insufficient VUs": expected, the run offers more than ${run.maxVus} VUs carry, so the figures are the target's capacity at that concurrency (dropped iterations)`,
    );
  }
  return { code, k6Errors, insufficientVuWarnings };
}

/** Runs one k6 scenario and writes DIR/summary.json and DIR/report.html (not when k6 did not complete). */
export async function runLoad(options: LoadOptions = {}): Promise<LoadResult> {
  const run = settle(options);
  const k6 = await k6Binary(options, run.say);
  try {
    mkdirSync(run.out, { recursive: true });
  } catch (e) {
    throw new UserFacingError(
      `cannot create the out folder ${run.out}: ${(e as NodeJS.ErrnoException).code ?? e}`,
    );
  }
  if (run.scenario === 'throughput' && options.customersOnce === true)
    run.options = { ...run.options, arrivalRate: onceRate(run) };
  const embedded = await startEmbedded(run);
  const target = options.target ?? (embedded?.url as string);
  const startedAt = new Date().toISOString();
  let relay: RecordingProxy | undefined;
  try {
    if (options.oauth !== undefined) {
      const { generateToken } = await import('../client/oauth.js');
      run.oauthToken = await generateToken(target, options.oauth);
      run.say(
        `OAuth: token generated, lives ${run.oauthToken.ttlSeconds} s; every k6 VU renews its own before then`,
      );
    }
    await runPreflight(run, target);
    // k6 has no cap on an answer's size: the smoke, which reads every answer, reaches a --target
    // through the bounded relay (no redirect passed on, 1 MiB, a deadline per exchange).
    if (run.scenario === 'smoke' && options.target !== undefined)
      relay = await startRecordingProxy(new URL(target).origin, {
        keepBodies: false,
        capBytes: SMOKE_ANSWER_CAP_BYTES,
      });
    const k6Target =
      relay === undefined ? target : `${relay.url}${new URL(target).pathname.replace(/\/+$/, '')}`;
    const { vars, skipped } = await k6Vars(run, k6Target, embedded);
    if ((options.runners ?? 1) > 1) {
      return await runRunners(run, k6, vars, runScenario);
    }
    // --repeat N: the same k6 run N times; the spread of the runs is the noise a baseline is judged by.
    const repeat =
      run.scenario !== 'throughput'
        ? 1
        : (options.repeat ?? (options.baseline !== undefined ? DEFAULT_BASELINE_REPEAT : 1));
    const runs: LoadSummary[] = [];
    let code = 0;
    const k6Errors: string[] = [];
    let insufficientVuWarnings = 0;
    let data: K6SummaryData = { metrics: {} };
    for (let i = 1; i <= repeat; i++) {
      run.say(
        `k6 run load/${run.scenario}.ts against ${target}${repeat > 1 ? ` (run ${i} of ${repeat})` : ''}`,
      );
      const one = await runScenario(run, k6, vars);
      code = one.code;
      k6Errors.push(...one.k6Errors);
      insufficientVuWarnings += one.insufficientVuWarnings;
      const tripped = relay?.tripped();
      if (tripped !== undefined) {
        run.say(`smoke: ${tripped}; every later request was answered 502 unsent`);
        k6Errors.push(tripped);
      }
      if (!existsSync(run.files.summary)) {
        throw new UserFacingError(
          `k6 exited with code ${code} before writing its summary (see the lines above${existsSync(run.files.console) ? ` and ${run.files.console}` : ''})`,
        );
      }
      data = JSON.parse(readFileSync(run.files.summary, 'utf8')) as K6SummaryData;
      runs.push(await summarise(run, data, target, startedAt));
      if (code !== 0 && code !== 99) break;
    }
    const summary = withRepeats(runs);
    const thresholds = thresholdResults(data);
    const slos = run.scenario === 'smoke' ? [] : checkSlos(summary.batches, run.slos);
    const smoke = run.scenario === 'smoke' ? smokeVerdicts(data, run.files.console, skipped) : undefined;
    const completed = code === 0 || code === 99;
    const notIssued =
      run.scenario === 'throughput' ? summary.batches.flatMap((b) => notIssuedReason(b) ?? []) : [];
    const comparison =
      options.baseline !== undefined && completed
        ? compareRuns(summary, options.baseline, options.maxRegression ?? DEFAULT_MAX_REGRESSION)
        : undefined;
    const ok =
      completed &&
      slos.every((t) => t.ok) &&
      notIssued.length === 0 &&
      (run.scenario !== 'smoke' || thresholds.every((t) => t.ok)) &&
      Object.values(smoke?.smoke ?? {}).every((s) => s.passed) &&
      relay?.tripped() === undefined &&
      summary.rate?.retryAfterHonoured !== false &&
      summary.rate?.detectedLimitRps !== null &&
      comparison?.regressed !== true;
    const result: LoadResult = {
      summary,
      summaryPath: join(run.out, 'summary.json'),
      reportPath: join(run.out, 'report.html'),
      written: completed,
      slos,
      ...(comparison !== undefined ? { comparison } : {}),
      insufficientVuWarnings,
      k6ExitCode: code,
      k6Errors,
      thresholds,
      notIssued,
      ok,
      ...(smoke ?? {}),
    };
    // A run k6 did not complete (target down, script aborted) keeps the last good report.
    if (completed) writeOutputs(run, result, data);
    return result;
  } finally {
    await relay?.close();
    await embedded?.close();
  }
}
