// `runCapacity`: the capacity search of every batch size against a target or the embedded reference
// provider, k6 running one open-model step at a time, with the customer budget kept before each
// step; the result per batch size is what capacity.json and capacity.html show.
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type GeneratedToken, type OAuthCredential, TokenKeeper } from '../client/oauth.js';
import { DEFAULT_BASIC_PASSWORD, DEFAULT_BASIC_USER, DEFAULT_OUT_DIR } from '../config/defaults.js';
import { UserFacingError } from '../errors.js';
import { isLoopbackUrl } from '../input/loopback.js';
import { hostOf } from '../input/url.js';
import {
  describeIdentity,
  firstCustomers,
  type IdentityOptions,
  type LoadIdentity,
  PREFLIGHT_CUSTOMERS,
  preflight,
  resolveIdentity,
} from '../load/identity.js';
import { k6Binary } from '../load/options.js';
import { k6Gogc, oauthScriptVars, scriptVars } from '../load/script-vars.js';
import { DEFAULT_SLO_TEXT, parseSlo, type Slo, sloText } from '../load/slo.js';
import { writeFileSafe } from '../util/safe-write.js';
import { renderCapacityPage } from './page.js';
import {
  type BatchCapacity,
  CAPACITY_SCHEMA_VERSION,
  type CapacityResult,
  type RateLimitSeen,
} from './result.js';
import { searchCapacity } from './search.js';
import { type CapacityStep, runStep, stepPlan } from './step.js';

/** The default SLOs of a step: load's (p95, failed requests and customers, at most 5% warned). */
export const DEFAULT_CAPACITY_SLO_TEXT = DEFAULT_SLO_TEXT;
export const DEFAULT_CAPACITY_BATCH_SIZES = [10, 100, 1000];
export const DEFAULT_STEP_SECONDS = 10;
export const DEFAULT_COOL_DOWN_SECONDS = 2;
export const DEFAULT_START_RATE = 100;
export const DEFAULT_MAX_RATE = 1_000_000;
export const DEFAULT_RESOLUTION = 0.05;
export const DEFAULT_MAX_STEPS = 16;
export const DEFAULT_CAPACITY_MAX_VUS = 500;

export interface CapacityOptions extends IdentityOptions {
  target?: string;
  allowRealIssue?: boolean;
  batchSizes?: number[];
  stepSeconds?: number;
  coolDownSeconds?: number;
  /** First offered rate and the ceiling, customers/s. */
  startRate?: number;
  maxRate?: number;
  resolution?: number;
  maxSteps?: number;
  maxVus?: number;
  /** k6 processes per step, with the k6-operator's execution segments; their figures merged (default 1). */
  runners?: number;
  slos?: Slo[];
  /** Customers sent at most over the whole run (preflight included); required with allowRealIssue. */
  budgetCustomers?: number;
  basic?: string;
  token?: string;
  oauth?: OAuthCredential;
  customersCsv?: string;
  out?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  k6Path?: string;
  /** Progress lines (one per step). */
  onProgress?: (line: string) => void;
}

/** The rate limit a 429 step shows: per minute when Retry-After pointed past a second. */
export function rateLimitSeen(step: CapacityStep): RateLimitSeen {
  // Per minute when Retry-After points past the next second, or when 429s came at a request rate
  // below the limit the target states (a per-second limit that high would have let them through).
  const window =
    (step.retryAfterSeconds ?? 0) > 1 ||
    (step.rateLimitHeader !== undefined && step.offeredRequestsPerSecond < step.rateLimitHeader)
      ? 'minute'
      : 'second';
  const accepted = step.achievedRequestsPerSecond * (1 - step.rateLimitedShare);
  if (step.rateLimitHeader !== undefined) {
    const perMinute = window === 'minute' ? step.rateLimitHeader : step.rateLimitHeader * 60;
    return {
      perSecond: Math.round((perMinute / 60) * 100) / 100,
      perMinute,
      window,
      source: 'X-RateLimit-Limit',
    };
  }
  const perSecond = Math.round(accepted * 100) / 100;
  return { perSecond, perMinute: Math.round(perSecond * 60), window, source: 'accepted requests' };
}

/** Runs the search for every batch size; writes DIR/capacity.json and DIR/capacity.html. */
export async function runCapacity(
  o: CapacityOptions,
): Promise<{ result: CapacityResult; json: string; html: string }> {
  const env = o.env ?? process.env;
  const cwd = o.cwd ?? process.cwd();
  const say = o.onProgress ?? (() => {});
  if (o.target !== undefined && !isLoopbackUrl(o.target)) {
    if (o.allowRealIssue !== true)
      throw new UserFacingError(
        `refusing to load ${hostOf(o.target)}: it is not loopback, and every request there issues real promotions. Pass --allow-real-issue (with --budget-customers) if that is what you want.`,
      );
    if (o.budgetCustomers === undefined)
      throw new UserFacingError(
        '--allow-real-issue needs --budget-customers: the most customers the search may issue to',
      );
  }
  const runnerCount = o.runners ?? 1;
  if (!Number.isInteger(runnerCount) || runnerCount < 1 || runnerCount > 64)
    throw new UserFacingError(`--runners must be a whole number from 1 to 64, got ${runnerCount}`);
  const identity: LoadIdentity = resolveIdentity(o, env);
  const out = resolve(cwd, o.out ?? join(DEFAULT_OUT_DIR, 'capacity'));
  mkdirSync(out, { recursive: true });
  const k6 = await k6Binary({ ...(o.k6Path !== undefined ? { k6Path: o.k6Path } : {}), env }, say);
  const embedded =
    o.target === undefined
      ? await (await import('../provider/server.js')).startProvider({
          port: 0,
          ...(o.basic !== undefined ? { basic: [o.basic] } : {}),
          ...(o.token !== undefined ? { tokens: [o.token] } : {}),
          ...(o.oauth !== undefined ? { oauthClients: [`${o.oauth.key}:${o.oauth.secret}`] } : {}),
        })
      : undefined;
  const target = o.target ?? (embedded?.url as string);
  if (embedded !== undefined)
    say(
      `embedded reference provider on ${target} (no capacity of its own: the search climbs until the generator or --max-rate bounds it)`,
    );
  const startedAt = new Date().toISOString();
  const slos = o.slos ?? DEFAULT_CAPACITY_SLO_TEXT.map((s) => parseSlo(s));
  const basic = o.basic ?? `${DEFAULT_BASIC_USER}:${DEFAULT_BASIC_PASSWORD}`;
  const csv = o.customersCsv !== undefined ? resolve(cwd, o.customersCsv) : undefined;
  const budget = o.budgetCustomers;
  let sent = 0;
  try {
    // Renewed between steps at 80% of its life: each step's k6 starts with a token young enough
    // that its VUs renew one by one (jittered), not all at once at the step's start.
    const keeper = o.oauth === undefined ? undefined : new TokenKeeper(target, o.oauth);
    const token: GeneratedToken | undefined = await keeper?.current();
    const authorization =
      token !== undefined
        ? { 'X-CAP-API-OAUTH-TOKEN': token.accessToken }
        : o.token !== undefined
          ? `Bearer ${o.token}`
          : `Basic ${Buffer.from(basic).toString('base64')}`;
    if (budget !== undefined && budget < PREFLIGHT_CUSTOMERS)
      throw new UserFacingError(
        `--budget-customers ${budget} does not cover the preflight's ${PREFLIGHT_CUSTOMERS} customers`,
      );
    sent += PREFLIGHT_CUSTOMERS;
    await preflight(
      target,
      identity,
      authorization,
      firstCustomers(identity, PREFLIGHT_CUSTOMERS, csv),
      env.DIRECTEARN_SOURCE || undefined,
    );
    say(`preflight: ${describeIdentity(identity)} earns for the first ${PREFLIGHT_CUSTOMERS} customers`);
    const vars: Record<string, string> = {
      ...scriptVars({
        target,
        identity,
        batchSizes: [1],
        duration: '1s',
        maxVus: 1,
        rateMaxRps: 2,
        summaryFile: '',
        gogc: k6Gogc(env),
      }),
      DIRECTEARN_BASIC: basic,
      DIRECTEARN_TOKEN: token?.accessToken ?? o.token ?? '',
      DIRECTEARN_CUSTOMERS_CSV: csv ?? '',
      ...(o.oauth !== undefined && token !== undefined ? oauthScriptVars(o.oauth, token) : {}),
    };
    const stepSeconds = o.stepSeconds ?? DEFAULT_STEP_SECONDS;
    const maxVus = o.maxVus ?? DEFAULT_CAPACITY_MAX_VUS;
    const runners = runnerCount;
    const coolDown = o.coolDownSeconds ?? DEFAULT_COOL_DOWN_SECONDS;
    const batches: BatchCapacity[] = [];
    const batchSizes = o.batchSizes ?? DEFAULT_CAPACITY_BATCH_SIZES;
    for (const batchSize of batchSizes) {
      let first = true;
      const settings = {
        k6,
        batchSize,
        seconds: stepSeconds,
        maxVus,
        runners,
        slos,
        vars,
        env,
        dir: out,
        cwd,
        onLine: say,
      };
      const found = await searchCapacity<CapacityStep>(
        async (rate, phase) => {
          const plan = stepPlan(rate, batchSize, stepSeconds);
          let maxIterations = 0;
          if (budget !== undefined) {
            // The step must fit the budget whole: a step cut short would read as the generator's limit.
            if (sent + plan.customers > budget) return 'budget';
            maxIterations = plan.scheduled;
          }
          if (!first && coolDown > 0) await sleep(coolDown * 1000);
          first = false;
          const fresh = await keeper?.current();
          const step = await runStep(
            fresh !== undefined && o.oauth !== undefined
              ? { ...settings, vars: { ...vars, ...oauthScriptVars(o.oauth, fresh) } }
              : settings,
            rate,
            phase,
            maxIterations,
          );
          sent += step.customersSent;
          say(
            `batch ${batchSize} ${phase.padEnd(7)} offered ${fmt(step.offeredCustomersPerSecond)} customers/s (${fmt(step.offeredRequestsPerSecond)} req/s): issued ${fmt(step.issuedPerSecond)}/s, p95 ${fmt(step.latencyMs.p95)} ms, errors ${pct(step.errorShare)}, warned ${pct(step.warnedShare)}, 429 ${pct(step.rateLimitedShare)} -> ${step.verdict === 'good' ? 'good' : `${step.verdict}: ${step.reason}`}`,
          );
          return step;
        },
        {
          startRate: o.startRate ?? DEFAULT_START_RATE,
          maxRate: o.maxRate ?? DEFAULT_MAX_RATE,
          resolution: o.resolution ?? DEFAULT_RESOLUTION,
          maxSteps: o.maxSteps ?? DEFAULT_MAX_STEPS,
          quantize: (rate) =>
            Math.round((stepPlan(rate, batchSize, stepSeconds).ratePerMinute / 60) * batchSize * 100) / 100,
        },
      );
      const limited = found.steps.find((s) => s.verdict === 'rate-limit');
      const isHostCapacity =
        found.found !== undefined && found.boundBy !== 'generator' && found.boundBy !== 'budget';
      batches.push({
        batchSize,
        issuedPerSecond: found.found?.issuedPerSecond ?? 0,
        requestsPerSecond: found.found?.servedRequestsPerSecond ?? 0,
        boundBy: found.boundBy,
        isHostCapacity,
        ...(limited !== undefined ? { rateLimit: rateLimitSeen(limited) } : {}),
        ...(found.note !== undefined ? { note: found.note } : {}),
        steps: found.steps,
      });
      if (coolDown > 0 && batchSize !== batchSizes.at(-1)) await sleep(coolDown * 1000);
    }
    const result: CapacityResult = {
      schemaVersion: CAPACITY_SCHEMA_VERSION,
      target,
      startedAt,
      slos: slos.map(sloText),
      stepSeconds,
      maxVus,
      ...(runners > 1 ? { runners } : {}),
      ...(budget !== undefined ? { budgetCustomers: budget } : {}),
      customersSent: sent,
      batches,
    };
    const json = join(out, 'capacity.json');
    const html = join(out, 'capacity.html');
    writeFileSafe(json, `${JSON.stringify(result, null, 2)}\n`);
    writeFileSafe(html, renderCapacityPage(result));
    for (let i = 0; i <= runners; i++)
      rmSync(join(out, i === 0 ? 'k6-step-summary.json' : `k6-step-summary-${i}.json`), { force: true });
    return { result, json, html };
  } finally {
    await embedded?.close();
  }
}

const fmt = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: n >= 100 ? 0 : 1 });
const pct = (n: number) => `${(n * 100).toFixed(1)}%`;
