// `runLoad`: one k6 run (throughput, rate or smoke) against a target or the embedded reference
// provider, turned into DIR/summary.json and DIR/report.html. The CLI's `load` and `check` call it.
import { spawn } from 'node:child_process';
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
  LOAD_PROGRAM_ID,
  LOAD_PROMOTION_ID,
  loadCustomerEmail,
  loadCustomerMobile,
} from '../config/defaults.js';
import { UnreachableError, UserFacingError } from '../errors.js';
import { parseToken, parseUserPass } from '../input/credentials.js';
import { isLoopbackUrl } from '../input/loopback.js';
import { hostOf, parseHttpUrl } from '../input/url.js';
import { catalogue, ENDPOINT_PATH, packageRoot } from '../spec/index.js';
import { type SkippedCase, smokeCases } from './cases.js';
import { findGo, findK6, howToGetK6, installK6 } from './k6.js';
import { renderReport } from './report.js';
import {
  allChecks,
  batchFigures,
  type K6SummaryData,
  type LoadSummary,
  rateFigures,
  type ThresholdResult,
  thresholdResults,
} from './summary.js';

export { findK6, installK6, K6_VERSION } from './k6.js';
export type { BatchFigures, LoadSummary, RateFigures } from './summary.js';

export type LoadScenario = 'throughput' | 'rate' | 'smoke';
export const LOAD_SCENARIOS: readonly LoadScenario[] = ['throughput', 'rate', 'smoke'];

export interface LoadOptions {
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
}

/** One catalogue case's smoke verdict; `detail` says what was expected and received when it failed. */
export interface SmokeCaseResult {
  passed: boolean;
  detail: string;
}

export interface LoadResult {
  summary: LoadSummary;
  summaryPath: string;
  reportPath: string;
  /** k6's exit code: 0, or 99 when a threshold was crossed (108: the script aborted, see k6Errors). */
  k6ExitCode: number;
  /** Messages of k6's error lines (an aborted setup says why: target down, credentials refused). */
  k6Errors: string[];
  thresholds: ThresholdResult[];
  /** Thresholds held, and (smoke) every case passed, and (rate) Retry-After was honoured if checked. */
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

/** Runs k6 and resolves to its exit code; every output line goes to `onLine`. */
function runK6(
  k6: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  onLine: (line: string) => void,
): Promise<number> {
  return new Promise((resolveCode, reject) => {
    const child = spawn(k6, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const forward = (stream: NodeJS.ReadableStream) => {
      let rest = '';
      stream.on('data', (chunk: Buffer) => {
        const lines = (rest + chunk.toString('utf8')).split(/\r?\n|\r/);
        rest = lines.pop() ?? '';
        for (const line of lines) if (line.trim() !== '') onLine(line);
      });
      stream.on('end', () => {
        if (rest.trim() !== '') onLine(rest);
      });
    };
    forward(child.stdout);
    forward(child.stderr);
    child.on('error', (e) => reject(new UserFacingError(`cannot run k6 at ${k6}: ${e.message}`)));
    child.on('close', (code, signal) => resolveCode(code ?? (signal !== null ? 128 : 1)));
  });
}

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

/** The text of a Go-quoted logfmt value (Go's quoting reads as a JSON string). */
function unquote(inner: string): string {
  try {
    return JSON.parse(`"${inner}"`) as string;
  } catch {
    return inner;
  }
}

/** What load/smoke.ts prints before the JSON detail of a failed check. */
const SMOKE_FAIL_MARK = 'DIRECTEARN_SMOKE_FAIL ';

/** Per catalogue case: passed when every check named "<case>: ..." passed; failures say expected vs received. */
export function smokeResults(data: K6SummaryData, consoleText: string): Record<string, SmokeCaseResult> {
  const failures = new Map<string, string>();
  for (const line of consoleText.split('\n')) {
    // k6 writes console lines as logfmt: msg="<Go-quoted message>".
    const quoted = /msg="((?:[^"\\]|\\.)*)"/.exec(line);
    let message = line;
    if (quoted !== null) message = unquote(quoted[1] as string);
    const at = message.indexOf(SMOKE_FAIL_MARK);
    if (at < 0) continue;
    try {
      const f = JSON.parse(message.slice(at + SMOKE_FAIL_MARK.length)) as {
        check: string;
        expected: unknown;
        received: unknown;
      };
      failures.set(f.check, `expected ${JSON.stringify(f.expected)}, received ${JSON.stringify(f.received)}`);
    } catch {
      // a line we cannot read leaves that check's failure without detail
    }
  }
  const results: Record<string, SmokeCaseResult> = {};
  const byCase = new Map<string, { name: string; passes: number; fails: number }[]>();
  for (const c of allChecks(data.root_group)) {
    const id = c.name.slice(0, c.name.indexOf(':'));
    if (id === '') continue;
    byCase.set(id, [...(byCase.get(id) ?? []), c]);
  }
  for (const [id, checks] of byCase) {
    const failed = checks.filter((c) => c.fails > 0 || c.passes === 0);
    results[id] = {
      passed: failed.length === 0,
      detail:
        failed.length === 0
          ? `${checks.length} check(s) passed`
          : failed.map((c) => `${c.name}: ${failures.get(c.name) ?? 'failed'}`).join('; '),
    };
  }
  return results;
}

/** Runs one k6 scenario and writes DIR/summary.json and DIR/report.html. */
export async function runLoad(options: LoadOptions = {}): Promise<LoadResult> {
  const scenario = options.scenario ?? 'throughput';
  if (!LOAD_SCENARIOS.includes(scenario)) {
    throw new UserFacingError(`scenario must be one of ${LOAD_SCENARIOS.join(', ')}, got "${scenario}"`);
  }
  const say = options.onOutput ?? (() => {});
  const env = options.env ?? process.env;
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
  const k6 = await k6Binary(options, say);
  const out = resolve(options.cwd ?? process.cwd(), options.out ?? join(DEFAULT_OUT_DIR, `load-${scenario}`));
  try {
    mkdirSync(out, { recursive: true });
  } catch (e) {
    throw new UserFacingError(
      `cannot create the out folder ${out}: ${(e as NodeJS.ErrnoException).code ?? e}`,
    );
  }

  // The embedded provider runs in this process; k6 is a child, so the event loop is free to serve it.
  let embedded: Awaited<ReturnType<typeof import('../provider/server.js').startProvider>> | undefined;
  if (options.target === undefined) {
    const { startProvider } = await import('../provider/server.js');
    const basic = options.basic ?? `${DEFAULT_BASIC_USER}:${DEFAULT_BASIC_PASSWORD}`;
    embedded = await startProvider({
      port: 0,
      basic: [basic],
      ...(options.token !== undefined ? { tokens: [options.token] } : {}),
      ...(options.providerRateLimit !== undefined ? { rateLimit: options.providerRateLimit } : {}),
      // The 413 probe sends limit+1 bytes; the provider answers on Content-Length and closes. With
      // the default 4 MiB, k6 is still writing then and sees a reset instead of the 413.
      ...(scenario === 'smoke' ? { bodyLimit: SMOKE_BODY_LIMIT_BYTES } : {}),
    });
    say(
      `embedded reference provider on ${embedded.url}${options.providerRateLimit !== undefined ? ` (rate limit ${options.providerRateLimit} requests/s)` : ''}`,
    );
  }
  const target = options.target ?? (embedded?.url as string);
  const startedAt = new Date().toISOString();
  try {
    const summaryFile = join(out, 'k6-summary.json');
    const consoleFile = join(out, 'k6-console.log');
    rmSync(summaryFile, { force: true });
    let skipped: SkippedCase[] = [];
    const vars: Record<string, string> = {
      BASE_URL: target,
      DIRECTEARN_ENDPOINT_PATH: ENDPOINT_PATH,
      DIRECTEARN_PROGRAM_ID: String(LOAD_PROGRAM_ID),
      DIRECTEARN_PROMOTION_ID: String(LOAD_PROMOTION_ID),
      DIRECTEARN_CUSTOMER_ID_FIRST: String(LOAD_CUSTOMER_ID_FIRST),
      DIRECTEARN_CUSTOMER_COUNT: String(LOAD_CUSTOMER_COUNT),
      // The templates come from the functions of src/config/defaults.ts, applied to a placeholder.
      DIRECTEARN_MOBILE_TEMPLATE: loadCustomerMobile('{id}' as unknown as number),
      DIRECTEARN_EMAIL_TEMPLATE: loadCustomerEmail('{id}' as unknown as number),
      DIRECTEARN_BATCH_SIZES: batchSizes.join(','),
      DIRECTEARN_DURATION: duration,
      DIRECTEARN_MAX_VUS: String(options.maxVus ?? DEFAULT_LOAD_MAX_VUS),
      DIRECTEARN_OFFERED_CUSTOMERS_PER_S: String(DEFAULT_LOAD_OFFERED_CUSTOMERS_PER_S),
      DIRECTEARN_OFFERED_MAX_RPS: String(DEFAULT_LOAD_OFFERED_MAX_RPS),
      DIRECTEARN_RATE_MAX_RPS: String(
        options.rateMaxRps ??
          (options.providerRateLimit !== undefined
            ? 2 * options.providerRateLimit
            : DEFAULT_LOAD_RATE_MAX_RPS),
      ),
      DIRECTEARN_RATE_BATCH_SIZE: '1',
      DIRECTEARN_SUMMARY_FILE: summaryFile,
      DIRECTEARN_BASIC: options.basic ?? `${DEFAULT_BASIC_USER}:${DEFAULT_BASIC_PASSWORD}`,
      DIRECTEARN_TOKEN: options.token ?? '',
      DIRECTEARN_CUSTOMERS_CSV:
        options.customersCsv !== undefined ? resolve(options.cwd ?? process.cwd(), options.customersCsv) : '',
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
    const code = await runK6(
      k6,
      ['run', '--no-usage-report', '--no-color', '--console-output', consoleFile, scriptPath(scenario)],
      { ...env, ...vars },
      (line) => {
        say(line);
        const error = /level=error msg="((?:[^"\\]|\\.)*)"/.exec(line);
        if (error !== null) k6Errors.push(unquote(error[1] as string));
      },
    );
    if (!existsSync(summaryFile)) {
      throw new UserFacingError(
        `k6 exited with code ${code} before writing its summary (see the lines above${existsSync(consoleFile) ? ` and ${consoleFile}` : ''})`,
      );
    }
    const data = JSON.parse(readFileSync(summaryFile, 'utf8')) as K6SummaryData;
    const summary: LoadSummary = { schemaVersion: 1, target, startedAt, batches: [] };
    if (scenario === 'throughput') {
      summary.batches = batchSizes.map((b) => batchFigures(data, b, `scenario:batch_${b}`, seconds));
    } else if (scenario === 'rate') {
      summary.batches = [batchFigures(data, 1, 'scenario:rate_steady', seconds)];
      summary.rate = rateFigures(data, options.providerRateLimit);
    }
    const thresholds = thresholdResults(data);
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
    const ok =
      thresholds.every((t) => t.ok) &&
      (code === 0 || code === 99) &&
      Object.values(smoke ?? {}).every((s) => s.passed) &&
      summary.rate?.retryAfterHonoured !== false;
    const summaryPath = join(out, 'summary.json');
    const reportPath = join(out, 'report.html');
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
        thresholds,
        ...(reportSmoke ? { smoke: reportSmoke } : {}),
        ...(onset !== undefined ? { rateOnsetRps: onset } : {}),
      }),
    );
    return {
      summary,
      summaryPath,
      reportPath,
      k6ExitCode: code,
      k6Errors,
      thresholds,
      ok,
      ...(smoke !== undefined ? { smoke, smokeSkipped } : {}),
    };
  } finally {
    await embedded?.close();
  }
}
