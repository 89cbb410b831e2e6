// `runLoad`: one k6 run (throughput, rate or smoke) against a target or the embedded reference
// provider, turned into DIR/summary.json and DIR/report.html. The CLI's `load` and `check` call it.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  DEFAULT_BASIC_PASSWORD,
  DEFAULT_BASIC_USER,
  DEFAULT_LOAD_MAX_VUS,
  DEFAULT_LOAD_RATE_MAX_RPS,
  DEFAULT_OUT_DIR,
} from '../config/defaults.js';
import type { RecordingProxy } from '../contracts/recording-proxy.js';
import { UserFacingError } from '../errors.js';
import { compareRuns, DEFAULT_MAX_REGRESSION } from './baseline.js';
import type { SkippedCase } from './cases.js';
import {
  describeIdentity,
  firstCustomers,
  PREFLIGHT_CUSTOMERS,
  preflight,
  resolveIdentity,
} from './identity.js';
import { notIssuedReason } from './issued.js';
import { type Repeated, repeatScenario, runScenario } from './k6-run.js';
import {
  DEFAULT_EMBEDDED_RATE_LIMIT,
  k6Binary,
  type LoadOptions,
  type LoadResult,
  type Run,
  withDefaults,
} from './options.js';
import { smokeVerdicts, writeOutputs } from './outputs.js';
import { thresholdResults } from './read-k6-summary.js';
import { noteTrip, startTargetRelay, type TargetRelay } from './relay.js';
import { type Embedded, k6Vars, onceRate } from './run-vars.js';
import { runRunners } from './runners.js';
import { checkSlos, DEFAULT_SLO_TEXT, parseSlo } from './slo.js';
import { withRepeats } from './summary.js';

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

/** The out folder, created (a UserFacingError names it when it cannot be). */
function makeOutFolder(run: Run): void {
  try {
    mkdirSync(run.out, { recursive: true });
  } catch (e) {
    throw new UserFacingError(
      `cannot create the out folder ${run.out}: ${(e as NodeJS.ErrnoException).code ?? e}`,
    );
  }
}

/** The verdict of a scenario's runs: SLOs, thresholds, smoke checks, issued customers, baseline. */
function loadResult(
  run: Run,
  repeated: Repeated,
  skipped: SkippedCase[],
  relay: RecordingProxy | undefined,
): LoadResult {
  const { code, data, k6Errors, insufficientVuWarnings } = repeated;
  const options = run.options;
  const summary = withRepeats(repeated.runs);
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
  return {
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
}

/** Runs one k6 scenario and writes DIR/summary.json and DIR/report.html (not when k6 did not complete). */
export async function runLoad(options: LoadOptions = {}): Promise<LoadResult> {
  const run = settle(options);
  const k6 = await k6Binary(options, run.say);
  makeOutFolder(run);
  if (run.scenario === 'throughput' && options.customersOnce === true)
    run.options = { ...run.options, arrivalRate: onceRate(run) };
  const embedded = await startEmbedded(run);
  const target = options.target ?? (embedded?.url as string);
  const startedAt = new Date().toISOString();
  let bounds: TargetRelay | undefined;
  try {
    if (options.oauth !== undefined) {
      const { generateToken } = await import('../client/oauth.js');
      run.oauthToken = await generateToken(target, options.oauth);
      run.say(
        `OAuth: token generated, lives ${run.oauthToken.ttlSeconds} s; every k6 VU renews its own before then`,
      );
    }
    await runPreflight(run, target);
    // k6 has no cap on an answer's size: the answers it reads from a --target come through the
    // bounded relay, and the first bound the target breaks stops k6 (src/load/relay.ts).
    if (options.target !== undefined) bounds = await startTargetRelay(run.scenario, target, run.env);
    const relay = bounds?.relay;
    run.k6Stop = bounds?.stop;
    const derived = await k6Vars(run, bounds?.baseUrl ?? target, embedded);
    const vars = { ...derived.vars, ...bounds?.vars };
    if ((options.runners ?? 1) > 1) {
      const merged = await runRunners(run, k6, vars, runScenario);
      await relay?.settle();
      if (noteTrip(relay, run.scenario, run.say, merged.k6Errors)) merged.ok = false;
      return merged;
    }
    const repeated = await repeatScenario(run, k6, vars, target, startedAt, relay);
    const result = loadResult(run, repeated, derived.skipped, relay);
    // A run k6 did not complete (target down, script aborted) keeps the last good report.
    if (result.written) writeOutputs(run, result, repeated.data);
    return result;
  } finally {
    await bounds?.close();
    await embedded?.close();
  }
}
