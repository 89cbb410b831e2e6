// What a load run takes and gives (`LoadOptions`, settled by the caller: the CLI's flags, or a test;
// `LoadResult`), its defaults, and the figures derived from its options before any traffic.
import { existsSync } from 'node:fs';
import type { GeneratedToken, OAuthCredential } from '../client/oauth.js';
import {
  DEFAULT_BATCH_SIZES,
  DEFAULT_LOAD_DURATION,
  DEFAULT_LOAD_OFFERED_CUSTOMERS_PER_S,
  DEFAULT_LOAD_OFFERED_MAX_RPS,
  DEFAULT_LOAD_RATE_MAX_RPS,
} from '../config/defaults.js';
import { offeredRpsAt, rateVusAt } from '../config/k6-contract.js';
import type { StatesFile } from '../contracts/states-file.js';
import { UnreachableError, UserFacingError } from '../errors.js';
import { type Duration, durationSeconds } from '../input/duration.js';
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

/**
 * A load run's options, already checked where they were given (src/cli/flags.ts for the CLI):
 * runLoad checks none of them again. Unset ones take the defaults below.
 */
export interface LoadOptions extends IdentityOptions {
  /**
   * Base URL of the target, an http(s) URL the caller may load (loopback, or --allow-real-issue
   * given: the CLI refuses any other); absent = the embedded reference provider on a free loopback port.
   */
  target?: string;
  /** Default throughput. */
  scenario?: LoadScenario;
  /** Throughput: batch sizes measured one after another (default DEFAULT_BATCH_SIZES). */
  batchSizes?: number[];
  /** Per batch size (throughput) or per phase (rate) (default DEFAULT_LOAD_DURATION). */
  duration?: Duration;
  /** Embedded provider only: its rate limit in requests/s (429 + Retry-After beyond it). */
  providerRateLimit?: number;
  /** Folder for summary.json and report.html (default reports/load-<scenario>). */
  out?: string;
  /** "user:password" for Basic auth (default the suite's directearn:directearn); at most one of basic, token, oauth. */
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

/** The scenario, duration and batch sizes a run uses (its options, or the defaults). */
export interface Checked {
  scenario: LoadScenario;
  duration: string;
  seconds: number;
  batchSizes: number[];
}

/** The scenario, duration and batch sizes of a run: as given, else the defaults. */
export function withDefaults(options: LoadOptions): Checked {
  const scenario = options.scenario ?? 'throughput';
  const duration = options.duration ?? {
    seconds: durationSeconds(DEFAULT_LOAD_DURATION) ?? 5,
    text: DEFAULT_LOAD_DURATION,
  };
  const batchSizes = options.batchSizes ?? [...DEFAULT_BATCH_SIZES];
  return { scenario, duration: duration.text, seconds: duration.seconds, batchSizes };
}

/** Arrival rate the throughput run offers one batch size (k6/contract.ts offeredRpsAt, as k6/profiles.ts). */
export const offeredRps = (batchSize: number): number =>
  offeredRpsAt(batchSize, DEFAULT_LOAD_OFFERED_CUSTOMERS_PER_S, DEFAULT_LOAD_OFFERED_MAX_RPS);

/** VUs of the rate run's steady window (k6/contract.ts rateVusAt, as k6/profiles.ts rateScenarios). */
export const rateVus = rateVusAt;

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
  /** Aborted when a --target broke a bound of the relay in front of it (src/load/relay.ts): k6 stops. */
  k6Stop?: AbortSignal;
}
