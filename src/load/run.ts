// `runLoad`: one k6 run (throughput, rate or smoke) against a target or the embedded reference
// provider, turned into DIR/summary.json and DIR/report.html. The CLI's `load` and `check` call it.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  DEFAULT_BASIC_PASSWORD,
  DEFAULT_BASIC_USER,
  DEFAULT_BATCH_SIZES,
  DEFAULT_LOAD_DURATION,
  DEFAULT_LOAD_MAX_VUS,
  DEFAULT_LOAD_OFFERED_CUSTOMERS_PER_S,
  DEFAULT_LOAD_OFFERED_MAX_RPS,
  DEFAULT_LOAD_RATE_MAX_RPS,
  DEFAULT_OUT_DIR,
  DEFAULT_READONLY_BASIC_PASSWORD,
  DEFAULT_READONLY_BASIC_USER,
  LOAD_CUSTOMER_COUNT,
  LOAD_CUSTOMER_ID_FIRST,
  loadCustomerEmail,
  loadCustomerMobile,
} from '../config/defaults.js';
import { UnreachableError, UserFacingError } from '../errors.js';
import { parseToken, parseUserPass } from '../input/credentials.js';
import { isLoopbackUrl } from '../input/loopback.js';
import { hostOf, parseHttpUrl } from '../input/url.js';
import { catalogue, ENDPOINT_PATH, packageRoot } from '../spec/index.js';
import { type Comparison, compareRuns } from './baseline.js';
import { type SkippedCase, smokeCases } from './cases.js';
import {
  describeIdentity,
  firstCustomers,
  type IdentityOptions,
  identityVars,
  PREFLIGHT_CUSTOMERS,
  preflight,
  resolveIdentity,
} from './identity.js';
import { findGo, findK6, howToGetK6, installK6, runK6 } from './k6.js';
import { renderReport } from './report.js';
import { checkSlos, DEFAULT_SLO_TEXT, p95Bound, parseSlo, type Slo, type SloResult } from './slo.js';
import { type SmokeCaseResult, smokeResults, unquote } from './smoke.js';
import {
  batchFigures,
  type K6SummaryData,
  type LoadSummary,
  rateFigures,
  SCHEMA_VERSION,
  type ThresholdResult,
  thresholdResults,
} from './summary.js';
import { readTimeline } from './timeline.js';

export { findK6, installK6, K6_VERSION } from './k6.js';
export { type SmokeCaseResult, smokeResults } from './smoke.js';
export type { BatchFigures, LoadSummary, RateFigures } from './summary.js';

/** The embedded provider's rate limit in a rate run when none is given: half the default probed rate. */
export const DEFAULT_EMBEDDED_RATE_LIMIT = DEFAULT_LOAD_RATE_MAX_RPS / 2;

export type LoadScenario = 'throughput' | 'rate' | 'smoke';
export const LOAD_SCENARIOS: readonly LoadScenario[] = ['throughput', 'rate', 'smoke'];

export interface LoadOptions extends IdentityOptions {
  /** Base URL of the target; absent = start the embedded reference provider on a free loopback port. */
  target?: string;
  /** Default throughput. */
  scenario?: LoadScenario;
  /** Throughput: batch sizes measured one after another (default DEFAULT_BATCH_SIZES). */
  batchSizes?: number[];
  /** k6 duration per batch size (throughput) or per phase (rate), e.g. "5s" (default DEFAULT_LOAD_DURATION). */
  duration?: string;
  /** Embedded provider only: its rate limit in requests/s (429 + Retry-After beyond it). */
  providerRateLimit?: number;
  /** Folder for summary.json and report.html (default reports/load-<scenario>). */
  out?: string;
  /** Allow a non-loopback target: every request there issues real promotions to real customers. */
  allowRealIssue?: boolean;
  /** "user:password" for Basic auth (default the suite's directearn:directearn). */
  basic?: string;
  /** OAuth token, sent as Bearer (takes the place of Basic). */
  token?: string;
  /** Rate: the arrival rate the ramp climbs to (default twice the embedded limit, else DEFAULT_LOAD_RATE_MAX_RPS). */
  rateMaxRps?: number;
  /** Throughput: concurrency cap (default DEFAULT_LOAD_MAX_VUS). */
  maxVus?: number;
  /** CSV of identifier values to use instead of the provider's generated customer range. */
  customersCsv?: string;
  /** A k6 binary to use instead of looking for one. */
  k6Path?: string;
  /** Install k6 with Go when it is missing (default true). */
  install?: boolean;
  /** Each line k6 (or the k6 install) prints while it runs. Default: nothing. */
  onOutput?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
  /** Where a relative `out` is resolved (default process.cwd()). */
  cwd?: string;
  /** Arguments given to `k6 run` before the script (e.g. ["--out", "json=x.json"]). */
  k6Args?: string[];
  /** Hide k6's banner, progress, end-of-test text and its "Insufficient VUs" lines (explained once either way). */
  quiet?: boolean;
  /** SLOs checked per batch size (default DEFAULT_SLO_TEXT, load/thresholds.ts's). */
  slos?: Slo[];
  /** An earlier summary to compare with: the report shows both runs. */
  baseline?: LoadSummary;
  /** The regression allowed against the baseline, as a share (default 0.1). */
  maxRegression?: number;
  /** Skip the preflight request (tests of the k6 side only). */
  skipPreflight?: boolean;
}

export interface LoadResult {
  summary: LoadSummary;
  summaryPath: string;
  reportPath: string;
  /** False when k6 did not complete: nothing was written, the last good report in the folder stays. */
  written: boolean;
  /** Each SLO at each batch size (throughput and rate). */
  slos: SloResult[];
  /** The comparison with `baseline`, when one was given. */
  comparison?: Comparison;
  /** "Insufficient VUs" warnings k6 printed (expected: the open model offers more than the VUs carry). */
  insufficientVuWarnings: number;
  /** k6's exit code: 0, or 99 when a threshold was crossed (108: the script aborted, see k6Errors). */
  k6ExitCode: number;
  /** Messages of k6's error lines (an aborted setup says why: target down, credentials refused). */
  k6Errors: string[];
  thresholds: ThresholdResult[];
  /** SLOs held, (smoke) every case passed, (rate) a limit was found and Retry-After honoured, no regression. */
  ok: boolean;
  /** Smoke: per catalogue case id ("8892", "earned", "http-401"). */
  smoke?: Record<string, SmokeCaseResult>;
  /** Smoke: catalogue cases this target could not be asked for, with why. */
  smokeSkipped?: Record<string, string>;
}

/** Whether a URL's host is loopback: the one rule in src/input/loopback.ts (re-exported for callers of this module). */
export { isLoopbackUrl } from '../input/loopback.js';

/** Seconds of a k6 duration ("500ms", "5s", "1m", "1h"), or undefined when it is not one. */
export function durationSeconds(raw: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(raw.trim());
  if (m === null) return undefined;
  const scale = { ms: 0.001, s: 1, m: 60, h: 3600 }[m[2] as 'ms' | 's' | 'm' | 'h'];
  return Number(m[1]) * scale;
}

/** Body limit of the embedded provider in a smoke run: small enough to be sent whole before the 413. */
const SMOKE_BODY_LIMIT_BYTES = 16 * 1024;

const scriptPath = (scenario: LoadScenario): string => join(packageRoot, 'load', `${scenario}.ts`);

/** Finds k6, installing it with Go (with progress) when missing; else a UserFacingError saying how to get it. */
async function k6Binary(options: LoadOptions, say: (line: string) => void): Promise<string> {
  const env = options.env ?? process.env;
  if (options.k6Path !== undefined) {
    if (!existsSync(options.k6Path)) throw new UserFacingError(`k6 binary ${options.k6Path} does not exist`);
    return options.k6Path;
  }
  const found = findK6(env);
  if (found !== undefined) return found;
  if (options.install === false || findGo(env) === undefined) throw new UnreachableError(howToGetK6(env));
  say('k6 is not installed; building it with Go (this happens once per machine).');
  return await installK6(say, env);
}

function checkCredentials(options: LoadOptions): void {
  if (options.basic !== undefined) parseUserPass(options.basic, 'basic');
  if (options.token !== undefined) parseToken(options.token, 'token');
  if (options.basic !== undefined && options.token !== undefined) {
    throw new UserFacingError('give --basic or --token, not both');
  }
}

/** What `runLoad` checked before any traffic. */
interface Checked {
  scenario: LoadScenario;
  duration: string;
  seconds: number;
  batchSizes: number[];
}

function checkOptions(options: LoadOptions): Checked {
  const scenario = options.scenario ?? 'throughput';
  if (!LOAD_SCENARIOS.includes(scenario)) {
    throw new UserFacingError(`scenario must be one of ${LOAD_SCENARIOS.join(', ')}, got "${scenario}"`);
  }
  const duration = options.duration ?? DEFAULT_LOAD_DURATION;
  const seconds = durationSeconds(duration);
  if (seconds === undefined || seconds <= 0) {
    throw new UserFacingError(`duration must be like 5s, 500ms or 1m, got "${duration}"`);
  }
  const batchSizes = options.batchSizes ?? [...DEFAULT_BATCH_SIZES];
  if (batchSizes.length === 0 || batchSizes.some((b) => !Number.isInteger(b) || b < 1)) {
    throw new UserFacingError(`batch sizes must be whole numbers >= 1, got ${batchSizes.join(',')}`);
  }
  checkCredentials(options);
  if (options.target !== undefined) {
    parseHttpUrl(options.target, 'target');
    if (!isLoopbackUrl(options.target) && options.allowRealIssue !== true) {
      throw new UserFacingError(
        `refusing to load ${hostOf(options.target)}: it is not loopback, and every request there issues real promotions to real customers. Pass --allow-real-issue if that is what you want.`,
      );
    }
    if (options.providerRateLimit !== undefined) {
      throw new UserFacingError(
        '--provider-rate-limit configures the embedded provider; it cannot apply to --target',
      );
    }
  }
  return { scenario, duration, seconds, batchSizes };
}

/** Arrival rate the throughput run offers one batch size (load/profiles.ts offeredRps; a test keeps them equal). */
export function offeredRps(batchSize: number): number {
  return Math.max(
    1,
    Math.min(DEFAULT_LOAD_OFFERED_MAX_RPS, Math.ceil(DEFAULT_LOAD_OFFERED_CUSTOMERS_PER_S / batchSize)),
  );
}

/** VUs of the rate run's steady window (load/profiles.ts rateScenarios). */
const rateVus = (maxVus: number, rateMaxRps: number): number => Math.max(maxVus, Math.ceil(rateMaxRps / 10));

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

/** Runs one k6 scenario and writes DIR/summary.json and DIR/report.html (not when k6 did not complete). */
export async function runLoad(options: LoadOptions = {}): Promise<LoadResult> {
  const { scenario, duration, seconds, batchSizes } = checkOptions(options);
  const say = options.onOutput ?? (() => {});
  const env = options.env ?? process.env;
  const identity = resolveIdentity(options, env);
  const slos = options.slos ?? DEFAULT_SLO_TEXT.map((s) => parseSlo(s));
  const k6 = await k6Binary(options, say);
  const out = resolve(options.cwd ?? process.cwd(), options.out ?? join(DEFAULT_OUT_DIR, `load-${scenario}`));
  try {
    mkdirSync(out, { recursive: true });
  } catch (e) {
    throw new UserFacingError(
      `cannot create the out folder ${out}: ${(e as NodeJS.ErrnoException).code ?? e}`,
    );
  }
  const basic = options.basic ?? `${DEFAULT_BASIC_USER}:${DEFAULT_BASIC_PASSWORD}`;
  // A rate run against the embedded provider needs a limit to find: without one it would measure nothing.
  const providerRateLimit =
    options.providerRateLimit ??
    (scenario === 'rate' && options.target === undefined ? DEFAULT_EMBEDDED_RATE_LIMIT : undefined);

  // The embedded provider runs in this process; k6 is a child, so the event loop is free to serve it.
  let embedded: Awaited<ReturnType<typeof import('../provider/server.js').startProvider>> | undefined;
  if (options.target === undefined) {
    const { startProvider } = await import('../provider/server.js');
    embedded = await startProvider({
      port: 0,
      basic: [basic],
      ...(options.token !== undefined ? { tokens: [options.token] } : {}),
      ...(providerRateLimit !== undefined ? { rateLimit: providerRateLimit } : {}),
      // The 413 probe sends limit+1 bytes; the provider answers on Content-Length and closes. With
      // the default 4 MiB, k6 is still writing then and sees a reset instead of the 413.
      ...(scenario === 'smoke' ? { bodyLimit: SMOKE_BODY_LIMIT_BYTES } : {}),
    });
    say(
      `embedded reference provider on ${embedded.url}${providerRateLimit !== undefined ? ` (rate limit ${providerRateLimit} requests/s${options.providerRateLimit === undefined ? ', the default for a rate run; set it with --provider-rate-limit' : ''})` : ''}`,
    );
  }
  const target = options.target ?? (embedded?.url as string);
  const startedAt = new Date().toISOString();
  try {
    const csv =
      options.customersCsv !== undefined
        ? resolve(options.cwd ?? process.cwd(), options.customersCsv)
        : undefined;
    if (scenario !== 'smoke' && options.skipPreflight !== true) {
      const authorization =
        options.token !== undefined
          ? `Bearer ${options.token}`
          : `Basic ${Buffer.from(basic).toString('base64')}`;
      await preflight(target, identity, authorization, firstCustomers(identity, PREFLIGHT_CUSTOMERS, csv));
      say(`preflight: ${describeIdentity(identity)} earns for the first ${PREFLIGHT_CUSTOMERS} customers`);
    }
    const summaryFile = join(out, 'k6-summary.json');
    const consoleFile = join(out, 'k6-console.log');
    const pointsFile = join(out, 'k6-points.json');
    rmSync(summaryFile, { force: true });
    rmSync(pointsFile, { force: true });
    let skipped: SkippedCase[] = [];
    const maxVus = options.maxVus ?? DEFAULT_LOAD_MAX_VUS;
    const rateMaxRps =
      options.rateMaxRps ??
      (providerRateLimit !== undefined ? 2 * providerRateLimit : DEFAULT_LOAD_RATE_MAX_RPS);
    const p95 = p95Bound(slos);
    const vars: Record<string, string> = {
      BASE_URL: target,
      DIRECTEARN_ENDPOINT_PATH: ENDPOINT_PATH,
      ...identityVars(identity),
      DIRECTEARN_CUSTOMER_ID_FIRST: String(LOAD_CUSTOMER_ID_FIRST),
      DIRECTEARN_CUSTOMER_COUNT: String(LOAD_CUSTOMER_COUNT),
      // The templates come from the functions of src/config/defaults.ts, applied to a placeholder.
      DIRECTEARN_MOBILE_TEMPLATE: loadCustomerMobile('{id}' as unknown as number),
      DIRECTEARN_EMAIL_TEMPLATE: loadCustomerEmail('{id}' as unknown as number),
      DIRECTEARN_BATCH_SIZES: batchSizes.join(','),
      DIRECTEARN_DURATION: duration,
      DIRECTEARN_MAX_VUS: String(maxVus),
      DIRECTEARN_OFFERED_CUSTOMERS_PER_S: String(DEFAULT_LOAD_OFFERED_CUSTOMERS_PER_S),
      DIRECTEARN_OFFERED_MAX_RPS: String(DEFAULT_LOAD_OFFERED_MAX_RPS),
      DIRECTEARN_RATE_MAX_RPS: String(rateMaxRps),
      DIRECTEARN_RATE_BATCH_SIZE: '1',
      DIRECTEARN_SUMMARY_FILE: summaryFile,
      DIRECTEARN_BASIC: basic,
      DIRECTEARN_TOKEN: options.token ?? '',
      DIRECTEARN_CUSTOMERS_CSV: csv ?? '',
      ...(p95 !== undefined ? { DIRECTEARN_SLO_P95_MS: String(p95) } : {}),
      K6_NO_USAGE_REPORT: 'true',
    };
    if (scenario === 'smoke') {
      const derived = smokeCases(
        embedded !== undefined
          ? {
              bodyLimit: embedded.provider.options.bodyLimit,
              readOnlyAuthorization: `Basic ${Buffer.from(`${DEFAULT_READONLY_BASIC_USER}:${DEFAULT_READONLY_BASIC_PASSWORD}`).toString('base64')}`,
            }
          : {},
      );
      skipped = derived.skipped;
      const casesFile = join(out, 'smoke-cases.json');
      writeFileSync(casesFile, JSON.stringify(derived.cases, null, 2));
      vars.DIRECTEARN_CASES_FILE = casesFile;
    }
    say(`k6 run load/${scenario}.ts against ${target}`);
    const k6Errors: string[] = [];
    let insufficientVuWarnings = 0;
    const quiet = options.quiet === true;
    const code = await runK6(
      k6,
      [
        'run',
        '--no-usage-report',
        '--no-color',
        '--console-output',
        consoleFile,
        // No REST API: nothing here uses it, and parallel k6 runs would fight over its port 6565.
        '--address=',
        ...(quiet ? ['--quiet'] : []),
        // The rate report's per-second chart needs k6's points; its summary has no time series.
        ...(scenario === 'rate' ? ['--out', `json=${pointsFile}`] : []),
        ...(options.k6Args ?? []),
        scriptPath(scenario),
      ],
      { ...env, ...vars },
      (line, stream) => {
        if (INSUFFICIENT_VUS.test(line)) insufficientVuWarnings++;
        if (shownLine(line, stream, quiet)) say(line);
        const error = /level=error msg="((?:[^"\\]|\\.)*)"/.exec(line);
        if (error !== null) k6Errors.push(unquote(error[1] as string));
      },
      options.cwd,
    );
    if (insufficientVuWarnings > 0) {
      say(
        `k6 warned ${insufficientVuWarnings} time(s) "Insufficient VUs": expected, the run offers more than ${maxVus} VUs carry, so the figures are the target's capacity at that concurrency (dropped iterations)`,
      );
    }
    if (!existsSync(summaryFile)) {
      throw new UserFacingError(
        `k6 exited with code ${code} before writing its summary (see the lines above${existsSync(consoleFile) ? ` and ${consoleFile}` : ''})`,
      );
    }
    const data = JSON.parse(readFileSync(summaryFile, 'utf8')) as K6SummaryData;
    const summary: LoadSummary = { schemaVersion: SCHEMA_VERSION as 2, target, startedAt, batches: [] };
    if (scenario === 'throughput') {
      summary.batches = batchSizes.map((b) => ({
        ...batchFigures(data, b, `scenario:batch_${b}`, seconds),
        offeredRequestsPerSecond: offeredRps(b),
        maxVus,
      }));
    } else if (scenario === 'rate') {
      summary.batches = [
        {
          ...batchFigures(data, 1, 'scenario:rate_steady', seconds),
          offeredRequestsPerSecond: rateMaxRps,
          maxVus: rateVus(maxVus, rateMaxRps),
        },
      ];
      const timeline = existsSync(pointsFile) ? await readTimeline(pointsFile) : [];
      summary.rate = {
        ...rateFigures(data, providerRateLimit),
        refusedRequests: timeline.reduce((n, s) => n + s.refused, 0),
        timeline,
      };
      rmSync(pointsFile, { force: true });
    }
    const thresholds = thresholdResults(data);
    const sloResults = scenario === 'smoke' ? [] : checkSlos(summary.batches, slos);
    let smoke: Record<string, SmokeCaseResult> | undefined;
    let smokeSkipped: Record<string, string> | undefined;
    if (scenario === 'smoke') {
      smoke = smokeResults(data, existsSync(consoleFile) ? readFileSync(consoleFile, 'utf8') : '');
      smokeSkipped = Object.fromEntries(skipped.map((s) => [s.case, s.reason]));
      for (const entry of catalogue()) {
        if (smoke[entry.case] === undefined && smokeSkipped[entry.case] === undefined) {
          smoke[entry.case] = { passed: false, detail: 'no check of the smoke run names this case' };
        }
      }
    }
    const completed = code === 0 || code === 99;
    const comparison =
      options.baseline !== undefined && completed
        ? compareRuns(summary, options.baseline, options.maxRegression ?? 0.1)
        : undefined;
    const ok =
      completed &&
      sloResults.every((t) => t.ok) &&
      (scenario !== 'smoke' || thresholds.every((t) => t.ok)) &&
      Object.values(smoke ?? {}).every((s) => s.passed) &&
      summary.rate?.retryAfterHonoured !== false &&
      summary.rate?.detectedLimitRps !== null &&
      comparison?.regressed !== true;
    const summaryPath = join(out, 'summary.json');
    const reportPath = join(out, 'report.html');
    const result: LoadResult = {
      summary,
      summaryPath,
      reportPath,
      written: completed,
      slos: sloResults,
      ...(comparison !== undefined ? { comparison } : {}),
      insufficientVuWarnings,
      k6ExitCode: code,
      k6Errors,
      thresholds,
      ok,
      ...(smoke !== undefined ? { smoke, smokeSkipped } : {}),
    };
    // A run k6 did not complete (target down, script aborted) keeps the last good report.
    if (!completed) return result;
    writeFileSync(summaryPath, `${JSON.stringify(summary, null, 2)}\n`);
    const reportSmoke =
      smoke === undefined
        ? undefined
        : {
            ...smoke,
            ...Object.fromEntries(
              Object.entries(smokeSkipped ?? {}).map(([id, reason]) => [
                id,
                { passed: false, skipped: true, detail: reason },
              ]),
            ),
          };
    const onset = data.metrics.directearn_rate_onset_rps?.values.min;
    writeFileSync(
      reportPath,
      renderReport(summary, {
        scenario,
        slos: sloResults,
        ...(scenario === 'smoke' ? { thresholds } : {}),
        ...(reportSmoke ? { smoke: reportSmoke } : {}),
        ...(onset !== undefined ? { rateOnsetRps: onset } : {}),
        ...(comparison !== undefined && options.baseline !== undefined
          ? { baseline: options.baseline, comparison }
          : {}),
      }),
    );
    return result;
  } finally {
    await embedded?.close();
  }
}
