// What a load run takes and gives (`LoadOptions`, `LoadResult`), and the checks and derived
// figures of its options that come before any traffic.
import { existsSync } from 'node:fs';
import type { GeneratedToken, OAuthCredential } from '../client/oauth.js';
import {
  DEFAULT_BATCH_SIZES,
  DEFAULT_LOAD_DURATION,
  DEFAULT_LOAD_OFFERED_CUSTOMERS_PER_S,
  DEFAULT_LOAD_OFFERED_MAX_RPS,
  DEFAULT_LOAD_RATE_MAX_RPS,
} from '../config/defaults.js';
import type { StatesFile } from '../contracts/states-file.js';
import { UnreachableError, UserFacingError } from '../errors.js';
import { parseToken, parseUserPass } from '../input/credentials.js';
import { isLoopbackUrl } from '../input/loopback.js';
import { hostOf, parseHttpUrl } from '../input/url.js';
import type { Comparison } from './baseline.js';
import type { IdentityOptions, LoadIdentity } from './identity.js';
import { findGo, findK6, howToGetK6, installK6 } from './k6.js';
import type { Slo, SloResult } from './slo.js';
import type { SmokeCaseResult } from './smoke-verdicts.js';
import type { LoadSummary, ThresholdResult } from './summary.js';

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
  /**
   * OAuth key and secret (take the place of Basic): a token is generated before the run, sent in
   * X-CAP-API-OAUTH-TOKEN, and renewed by every k6 VU before it expires.
   */
  oauth?: OAuthCredential;
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
  /** SLOs checked per batch size (default DEFAULT_SLO_TEXT, k6/thresholds.ts's). */
  slos?: Slo[];
  /** Earlier summaries to compare with (their runs pooled per batch size): the report shows both. */
  baseline?: LoadSummary | LoadSummary[];
  /** The regression allowed against the baseline, as a share (default DEFAULT_MAX_REGRESSION). */
  maxRegression?: number;
  /** Throughput: run every batch size this many times (the spread `--baseline` judges noise by). */
  repeat?: number;
  /** Skip the preflight request (tests of the k6 side only). */
  skipPreflight?: boolean;
  /** Smoke on a target: the states file whose IDs (and pool) replace the spec examples' IDs. */
  states?: StatesFile;
  /** Smoke on a target: compare inferred HTTP error bodies word for word (default: by status only). */
  strict?: boolean;
  /**
   * Throughput: send every customer of --customers-csv (or the generated range) at most once, each
   * batch size the same number of requests offered evenly over its duration (a host with earn
   * limits, a real CRM): the run measures latency at that rate, not capacity.
   */
  customersOnce?: boolean;
  /**
   * Throughput and rate: k6 processes on this machine, each with its execution segment as the
   * k6-operator gives its runner pods, merged into one summary (default 1: one process).
   */
  runners?: number;
  /** Throughput: a fixed arrival rate, requests/s, at every batch size (default the suite's offer). */
  arrivalRate?: number;
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
  /** Throughput: one line per batch size that mostly did not issue (src/load/issued.ts); such a run fails. */
  notIssued: string[];
  /** SLOs held, every batch size mostly issued, (smoke) every case passed, (rate) a limit was found and Retry-After honoured, no regression. */
  ok: boolean;
  /** Smoke: per catalogue case id ("8892", "earned", "http-401"). */
  smoke?: Record<string, SmokeCaseResult>;
  /** Smoke: catalogue cases this target could not be asked for, with why. */
  smokeSkipped?: Record<string, string>;
  /** `runners` > 1: how the runners' segments covered the run, the merged percentiles' rank bound, their files. */
  runners?: { coverage: string[]; rankBounds: { batchSize: number; points: number }[]; files: string[] };
}

/** Seconds of a k6 duration ("500ms", "5s", "1m", "1h"), or undefined when it is not one. */
export function durationSeconds(raw: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(raw.trim());
  if (m === null) return undefined;
  const scale = { ms: 0.001, s: 1, m: 60, h: 3600 }[m[2] as 'ms' | 's' | 'm' | 'h'];
  return Number(m[1]) * scale;
}

/** Finds k6, installing it with Go (with progress) when missing; else a UserFacingError saying how to get it. */
export async function k6Binary(options: LoadOptions, say: (line: string) => void): Promise<string> {
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
  if (options.oauth !== undefined && (options.basic !== undefined || options.token !== undefined)) {
    throw new UserFacingError('give --oauth-key/--oauth-secret or --basic/--token, not both');
  }
}

/** What `runLoad` checked before any traffic. */
export interface Checked {
  scenario: LoadScenario;
  duration: string;
  seconds: number;
  batchSizes: number[];
}

/** Checks every option that needs no traffic; a UserFacingError names the one at fault. */
export function checkOptions(options: LoadOptions): Checked {
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
  const runners = options.runners ?? 1;
  if (!Number.isInteger(runners) || runners < 1 || runners > 64) {
    throw new UserFacingError(`runners must be a whole number from 1 to 64, got ${runners}`);
  }
  if (runners > 1 && scenario === 'smoke') {
    throw new UserFacingError('the smoke runs on one runner: drop --runners or choose throughput or rate');
  }
  if (options.arrivalRate !== undefined && (!(options.arrivalRate > 0) || scenario !== 'throughput')) {
    throw new UserFacingError('an arrival rate is a number of requests/s > 0, for the throughput scenario');
  }
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

/** Arrival rate the throughput run offers one batch size (k6/profiles.ts offeredRps; a test keeps them equal). */
export function offeredRps(batchSize: number): number {
  return Math.max(
    1,
    Math.min(DEFAULT_LOAD_OFFERED_MAX_RPS, Math.ceil(DEFAULT_LOAD_OFFERED_CUSTOMERS_PER_S / batchSize)),
  );
}

/** VUs of the rate run's steady window (k6/profiles.ts rateScenarios). */
export const rateVus = (maxVus: number, rateMaxRps: number): number =>
  Math.max(maxVus, Math.ceil(rateMaxRps / 10));

/** Everything a run settled before k6 starts. */
export interface Run extends Checked {
  options: LoadOptions;
  say: (line: string) => void;
  env: NodeJS.ProcessEnv;
  identity: LoadIdentity;
  slos: Slo[];
  out: string;
  basic: string;
  providerRateLimit: number | undefined;
  maxVus: number;
  rateMaxRps: number;
  csv: string | undefined;
  files: { summary: string; console: string; points: string };
  /** The OAuth token generated before k6 starts (with `options.oauth`). */
  oauthToken?: GeneratedToken;
}
