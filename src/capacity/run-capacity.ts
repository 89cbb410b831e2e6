// `runCapacity`: the capacity search of every batch size against a target or the embedded reference
// provider, k6 running one open-model step at a time, with the customer budget kept before each
// step; the result per batch size is what capacity.json and capacity.html show.
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type GeneratedToken, TokenKeeper } from '../client/oauth.js';
import { DEFAULT_BASIC_PASSWORD, DEFAULT_BASIC_USER, DEFAULT_OUT_DIR } from '../config/defaults.js';
import {
  describeIdentity,
  firstCustomers,
  type LoadIdentity,
  PREFLIGHT_CUSTOMERS,
  preflight,
  resolveIdentity,
} from '../load/identity.js';
import { k6Binary } from '../load/options.js';
import { k6Env, k6Gogc, oauthScriptVars, scriptVars } from '../load/script-vars.js';
import { parseSlo, type Slo, sloText } from '../load/slo.js';
import { exchangeDeadlineMs } from '../util/bounded-http.js';
import { writeFileSafe } from '../util/safe-write.js';
import {
  type CapacityOptions,
  DEFAULT_CAPACITY_BATCH_SIZES,
  DEFAULT_CAPACITY_MAX_VUS,
  DEFAULT_CAPACITY_SLO_TEXT,
  DEFAULT_COOL_DOWN_SECONDS,
  DEFAULT_MAX_RATE,
  DEFAULT_MAX_STEPS,
  DEFAULT_RESOLUTION,
  DEFAULT_START_RATE,
  DEFAULT_STEP_SECONDS,
} from './options.js';
import { renderCapacityPage } from './page.js';
import {
  type BatchCapacity,
  CAPACITY_SCHEMA_VERSION,
  type CapacityResult,
  type RateLimitSeen,
} from './result.js';
import { searchCapacity } from './search.js';
import { type CapacityStep, runStep, stepPlan } from './step.js';

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

/** What every step of a run shares: k6, the target's variables, the SLOs, the budget kept so far. */
interface Search {
  o: CapacityOptions;
  k6: string;
  vars: Record<string, string>;
  keeper: TokenKeeper | undefined;
  slos: Slo[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  out: string;
  say: (line: string) => void;
  stepSeconds: number;
  maxVus: number;
  runners: number;
  coolDown: number;
  /** Customers sent so far (preflight included). */
  sent: number;
}

/** Runs the search for every batch size; writes DIR/capacity.json and DIR/capacity.html. */
export async function runCapacity(
  o: CapacityOptions,
): Promise<{ result: CapacityResult; json: string; html: string }> {
  const env = o.env ?? process.env;
  const cwd = o.cwd ?? process.cwd();
  const say = o.onProgress ?? (() => {});
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
  try {
    const search = await prepare(o, { k6, target, identity, env, cwd, out, say });
    const batches: BatchCapacity[] = [];
    const batchSizes = o.batchSizes ?? DEFAULT_CAPACITY_BATCH_SIZES;
    for (const batchSize of batchSizes) {
      batches.push(await searchBatch(search, batchSize));
      if (search.coolDown > 0 && batchSize !== batchSizes.at(-1)) await sleep(search.coolDown * 1000);
    }
    const result: CapacityResult = {
      schemaVersion: CAPACITY_SCHEMA_VERSION,
      target,
      startedAt,
      slos: search.slos.map(sloText),
      stepSeconds: search.stepSeconds,
      maxVus: search.maxVus,
      ...(search.runners > 1 ? { runners: search.runners } : {}),
      ...(o.budgetCustomers !== undefined ? { budgetCustomers: o.budgetCustomers } : {}),
      customersSent: search.sent,
      batches,
    };
    return writeResult(out, result, search.runners);
  } finally {
    await embedded?.close();
  }
}

/**
 * The token (renewed between steps at 80% of its life: each step's k6 starts with a token young
 * enough that its VUs renew one by one, jittered), the preflight, and the variables every step's k6 gets.
 */
async function prepare(
  o: CapacityOptions,
  at: {
    k6: string;
    target: string;
    identity: LoadIdentity;
    env: NodeJS.ProcessEnv;
    cwd: string;
    out: string;
    say: (line: string) => void;
  },
): Promise<Search> {
  const { target, identity, env, say } = at;
  const basic = o.basic ?? `${DEFAULT_BASIC_USER}:${DEFAULT_BASIC_PASSWORD}`;
  const csv = o.customersCsv !== undefined ? resolve(at.cwd, o.customersCsv) : undefined;
  const keeper = o.oauth === undefined ? undefined : new TokenKeeper(target, o.oauth);
  const token: GeneratedToken | undefined = await keeper?.current();
  const authorization =
    token !== undefined
      ? { 'X-CAP-API-OAUTH-TOKEN': token.accessToken }
      : o.token !== undefined
        ? `Bearer ${o.token}`
        : `Basic ${Buffer.from(basic).toString('base64')}`;
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
      // Several runners' steps are merged through the dense latency grid; one process needs none.
      latencySketch: (o.runners ?? 1) > 1,
    }),
    DIRECTEARN_BASIC: basic,
    DIRECTEARN_TOKEN: token?.accessToken ?? o.token ?? '',
    DIRECTEARN_CUSTOMERS_CSV: csv ?? '',
    ...(o.oauth !== undefined && token !== undefined ? oauthScriptVars(o.oauth, token) : {}),
    // Every request to a --target has the exchange deadline as its timeout (k6/bounds.ts).
    ...(o.target !== undefined ? k6Env({ requestTimeoutMs: exchangeDeadlineMs(env) }) : {}),
  };
  return {
    ...at,
    o,
    vars,
    keeper,
    slos: o.slos ?? DEFAULT_CAPACITY_SLO_TEXT.map((s) => parseSlo(s)),
    stepSeconds: o.stepSeconds ?? DEFAULT_STEP_SECONDS,
    maxVus: o.maxVus ?? DEFAULT_CAPACITY_MAX_VUS,
    runners: o.runners ?? 1,
    coolDown: o.coolDownSeconds ?? DEFAULT_COOL_DOWN_SECONDS,
    sent: PREFLIGHT_CUSTOMERS,
  };
}

/** The search of one batch size, step by step within the budget; its capacity (or what bound it). */
async function searchBatch(search: Search, batchSize: number): Promise<BatchCapacity> {
  const { o, stepSeconds, say } = search;
  const budget = o.budgetCustomers;
  const settings = {
    k6: search.k6,
    batchSize,
    seconds: stepSeconds,
    maxVus: search.maxVus,
    runners: search.runners,
    slos: search.slos,
    vars: search.vars,
    env: search.env,
    dir: search.out,
    cwd: search.cwd,
    onLine: say,
  };
  let first = true;
  const found = await searchCapacity<CapacityStep>(
    async (rate, phase) => {
      const plan = stepPlan(rate, batchSize, stepSeconds);
      let maxIterations = 0;
      if (budget !== undefined) {
        // The step must fit the budget whole: a step cut short would read as the generator's limit.
        if (search.sent + plan.customers > budget) return 'budget';
        maxIterations = plan.scheduled;
      }
      if (!first && search.coolDown > 0) await sleep(search.coolDown * 1000);
      first = false;
      const fresh = await search.keeper?.current();
      const step = await runStep(
        fresh !== undefined && o.oauth !== undefined
          ? { ...settings, vars: { ...search.vars, ...oauthScriptVars(o.oauth, fresh) } }
          : settings,
        rate,
        phase,
        maxIterations,
      );
      search.sent += step.customersSent;
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
  return {
    batchSize,
    issuedPerSecond: found.found?.issuedPerSecond ?? 0,
    requestsPerSecond: found.found?.servedRequestsPerSecond ?? 0,
    boundBy: found.boundBy,
    isHostCapacity: found.found !== undefined && found.boundBy !== 'generator' && found.boundBy !== 'budget',
    ...(limited !== undefined ? { rateLimit: rateLimitSeen(limited) } : {}),
    ...(found.note !== undefined ? { note: found.note } : {}),
    steps: found.steps,
  };
}

/** DIR/capacity.json and DIR/capacity.html; the steps' k6 summaries removed. */
function writeResult(
  out: string,
  result: CapacityResult,
  runners: number,
): { result: CapacityResult; json: string; html: string } {
  const json = join(out, 'capacity.json');
  const html = join(out, 'capacity.html');
  writeFileSafe(json, `${JSON.stringify(result, null, 2)}\n`);
  writeFileSafe(html, renderCapacityPage(result));
  for (let i = 0; i <= runners; i++)
    rmSync(join(out, i === 0 ? 'k6-step-summary.json' : `k6-step-summary-${i}.json`), { force: true });
  return { result, json, html };
}

const fmt = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: n >= 100 ? 0 : 1 });
const pct = (n: number) => `${(n * 100).toFixed(1)}%`;
