// The stages of `directearn check`, in order, each reading what earlier stages left in the context:
// spec -> consumer contracts -> pacts vs spec -> provider verification -> k6 smoke -> k6 throughput.
// Stages call the modules of the other parts of the suite (src/contracts, src/load); with no
// --target each of them starts its own fresh reference provider on a free loopback port.
import { join } from 'node:path';
import { runConsumerContracts } from '../contracts/consumer.js';
import { PoolDraw } from '../contracts/pool.js';
import { checkPactsAgainstSpec } from '../contracts/spec-check.js';
import type { StatesFile } from '../contracts/states-file.js';
import {
  type Credentials,
  poolLine,
  type VerifiedInteraction,
  verifyPacts,
} from '../contracts/verification.js';
import { durationOf } from '../input/duration.js';
import { type IdentityOptions, PREFLIGHT_CUSTOMERS } from '../load/identity.js';
import { notIssuedReason } from '../load/issued.js';
import { findGo } from '../load/k6.js';
import { type BatchFigures, findK6, installK6, K6_VERSION, runLoad } from '../load/run.js';
import { checkExamples, checkMetaSchema, lintSpec } from '../openapi/check.js';
import { STATES } from '../states/index.js';
import { writeFileSafe } from '../util/safe-write.js';
import type { K6BuildResult } from './k6-build.js';
import type { StageId, StageResult, StageTest } from './model.js';

export type { Credentials, VerifiedInteraction };

export interface SmokeCase {
  passed: boolean;
  detail: string;
}

/** What the stages share: the target and what each stage found for the next ones and the table. */
export interface CheckContext {
  /** Base URL of the provider under test; undefined = the embedded reference provider. */
  target: string | undefined;
  credentials: Credentials | undefined;
  /** --states: the provider-state file, read (and checked) by the CLI before any stage. */
  states: StatesFile | undefined;
  /** May k6 stages send traffic to the target (loopback, or --allow-real-issue)? */
  loadAllowed: { ok: true } | { ok: false; reason: string };
  /** --skip-load: the user asked for no k6 stages. */
  skipLoad: boolean;
  /** Where load reports go (the check's report folder). */
  reportDir: string;
  /** Throughput run: program, promotion and identifier flags (`directearn load`'s). */
  loadIdentity?: IdentityOptions;
  /** Throughput run: batch sizes and seconds per size, short by default. */
  throughput: { batchSizes: number[]; durationSeconds: number };
  /** --strict: inferred parts (HTTP error bodies) compared word for word, skipped interactions fail. */
  strict?: boolean;
  /** --customers-csv: the throughput run's customers on a target, each sent once. */
  customersCsv?: string;
  // Filled by the stages:
  pactFiles?: string[];
  verification?: VerifiedInteraction[];
  smoke?: Record<string, SmokeCase>;
  /** Smoke: cases the target could not be asked for, with why. */
  smokeSkipped?: Record<string, string>;
  /** Where progress lines of long steps (the one-time k6 build) go; default nowhere. */
  progress?: (line: string) => void;
  /** The background k6 build runCheck started (src/check/k6-build.ts), awaited by the k6 stages. */
  k6Build?: Promise<K6BuildResult>;
}

export type StageOutcome = Omit<StageResult, 'id' | 'title' | 'durationMs'>;

export interface Stage {
  id: StageId;
  title: string;
  /** Runs k6: waits for a background k6 build first. */
  needsK6?: boolean;
  run(ctx: CheckContext): Promise<StageOutcome>;
}

function summarise(tests: StageTest[], noun: string): StageOutcome {
  const failed = tests.filter((t) => t.status === 'failed');
  if (failed.length === 0) return { status: 'passed', detail: `${tests.length} ${noun} passed`, tests };
  const first = failed[0];
  return {
    status: 'failed',
    detail: `${failed.length} of ${tests.length} ${noun} failed${first ? `, first: ${first.name}: ${(first.message ?? '').split('\n')[0]}` : ''}`,
    tests,
  };
}

export const specStage: Stage = {
  id: 'spec',
  title: 'spec valid and linted',
  async run() {
    const tests: StageTest[] = [];
    const checks: [string, () => Promise<{ ok: boolean; problems: string[] }>][] = [
      ['OpenAPI 3.1 meta-schema', () => checkMetaSchema()],
      ['Redocly lint (redocly.yaml)', () => lintSpec()],
      ['every example matches its schema', async () => checkExamples()],
    ];
    for (const [name, check] of checks) {
      const t0 = performance.now();
      const r = await check();
      tests.push({
        name,
        status: r.ok ? 'passed' : 'failed',
        message: r.problems.join('\n'),
        durationMs: performance.now() - t0,
      });
    }
    return summarise(tests, 'spec checks');
  },
};

export const contractsStage: Stage = {
  id: 'contracts',
  title: 'consumer contracts',
  async run(ctx) {
    const r = await runConsumerContracts();
    ctx.pactFiles = r.pactFiles;
    const tests: StageTest[] = r.tests.map((t) => ({ name: t.name, status: t.status, message: t.message }));
    const out = summarise(tests, 'consumer interactions');
    if (r.ok)
      return {
        ...out,
        detail: `${out.detail}, ${r.interactions} in ${r.pactFiles.length} pact file(s)`,
        artifacts: r.pactFiles,
      };
    const why =
      tests.length === 0
        ? `the consumer tests did not run: ${lastLines(r.output)}`
        : out.status === 'passed'
          ? `${r.interactions} interactions written for ${tests.filter((t) => t.status === 'passed').length} passing tests`
          : out.detail;
    return { status: 'failed', detail: why, tests, artifacts: r.pactFiles };
  },
};

function lastLines(text: string, n = 3): string {
  return text.trim().split('\n').slice(-n).join(' / ');
}

const noPacts = (ctx: CheckContext): StageOutcome | undefined =>
  ctx.pactFiles === undefined || ctx.pactFiles.length === 0
    ? { status: 'skipped', detail: 'no pacts: the consumer contracts wrote none', tests: [] }
    : undefined;

export const pactsVsSpecStage: Stage = {
  id: 'pacts-vs-spec',
  title: 'pacts vs spec',
  async run(ctx) {
    const none = noPacts(ctx);
    if (none !== undefined) return none;
    const r = await checkPactsAgainstSpec({ files: ctx.pactFiles });
    const tests: StageTest[] = r.interactions.map((i) => ({
      name: `${i.case ?? '?'}: ${i.description}`,
      status: i.ok ? 'passed' : 'failed',
      message: i.problems.join('\n'),
    }));
    // Problems that belong to no interaction (an unreadable pact file) fail the stage too.
    const loose = r.problems.filter((p) => !r.interactions.some((i) => i.problems.includes(p)));
    for (const p of loose) tests.push({ name: 'pact file', status: 'failed', message: p });
    const out = summarise(tests, 'interactions');
    if (!r.ok && out.status === 'passed')
      return { ...out, status: 'failed', detail: r.problems[0] ?? 'failed' };
    return r.ok ? { ...out, detail: `${tests.length} interactions agree with the spec` } : out;
  },
};

export const verifyStage: Stage = {
  id: 'verify',
  title: 'provider verification',
  async run(ctx) {
    const none = noPacts(ctx);
    if (none !== undefined) return none;
    const r = await verifyPacts({
      files: ctx.pactFiles,
      ...(ctx.target === undefined ? {} : { providerBaseUrl: ctx.target }),
      ...(ctx.states === undefined ? {} : { states: ctx.states }),
      ...(ctx.credentials === undefined ? {} : { credentials: ctx.credentials }),
      ...(ctx.strict === true ? { strict: true } : {}),
    });
    ctx.verification = r.interactions;
    const tests = r.interactions.map(
      (i): StageTest => ({
        name: `${i.case}: ${i.description}`,
        status: i.status,
        // A passed interaction's notes (inferred parts the host answers otherwise) stay visible.
        message:
          i.message ?? (i.notes === undefined ? undefined : i.notes.map((n) => `note: ${n}`).join('\n')),
      }),
    );
    if (tests.length === 0) return { status: 'failed', detail: 'no interaction was verified', tests };
    const { passed, failed, skipped, notVerified, total } = r.counts;
    const where = r.embedded ? 'the embedded provider' : r.target;
    const rest = `${skipped > 0 ? `, ${skipped} skipped` : ''}${notVerified > 0 ? `, ${notVerified} not verified` : ''}`;
    // The same verdict as `directearn verify`: skipped interactions of inferred cases do not fail it.
    // The pool line as verify prints it: a CI log shows how many runs the pool has left.
    const pool = `${r.counts.noted > 0 ? `; ${r.counts.noted} with notes on inferred parts` : ''}${r.undocumented.length > 0 ? `; ${r.undocumented.length} undocumented finding(s) (directearn verify --record FILE keeps them)` : ''}${r.pool === undefined ? '' : `; ${poolLine(r.pool)}`}`;
    if (r.ok)
      return {
        status: 'passed',
        detail: `${passed} of ${total} interactions verified against ${where}${rest}${pool}`,
        tests,
      };
    return {
      status: 'failed',
      detail: `${passed} passed, ${failed} failed${rest} against ${where}; ${r.reasons.join('; ')}${pool}`,
      tests,
    };
  },
};

/**
 * Why a k6 stage cannot run, or undefined when it can. A missing k6 is built with Go when Go is
 * there (once per machine, with progress lines), as `directearn load` does, so the quick start
 * works on a fresh clone; without Go the stage is skipped, which fails the run, saying how to get k6.
 */
async function loadSkip(ctx: CheckContext): Promise<StageOutcome | undefined> {
  if (ctx.skipLoad)
    return { status: 'skipped', skipRequested: true, detail: 'skipped (--skip-load)', tests: [] };
  if (!ctx.loadAllowed.ok) {
    return {
      status: 'skipped',
      skipRequested: true,
      detail: `skipped: ${ctx.loadAllowed.reason}`,
      tests: [],
    };
  }
  if (ctx.k6Build !== undefined) {
    const built = await ctx.k6Build;
    if (built.ok) return undefined;
    return {
      status: 'failed',
      detail: `k6 could not be built: ${built.error.split('\n')[0]} (or pass --skip-load)`,
      tests: [],
    };
  }
  if (findK6() !== undefined) return undefined;
  if (findGo() === undefined) {
    return {
      status: 'skipped',
      detail:
        'skipped: k6 not found and no Go to build it (install k6 on PATH, or Go and run `npm run k6:install`, or pass --skip-load)',
      tests: [],
    };
  }
  const say = ctx.progress ?? (() => {});
  say(`      k6 is not installed; building k6 ${K6_VERSION} with Go (once per machine, a minute or two)`);
  try {
    await installK6((line) => say(`      ${line}`));
    return undefined;
  } catch (e) {
    return {
      status: 'failed',
      detail: `k6 could not be built: ${e instanceof Error ? e.message : String(e)} (run \`npm run k6:install\` to see why, or pass --skip-load)`,
      tests: [],
    };
  }
}

function loadCredentials(ctx: CheckContext): { basic?: string; token?: string } {
  const c = ctx.credentials;
  if (c === undefined) return {};
  if (c.basic !== undefined) return { basic: `${c.basic.user}:${c.basic.password}` };
  return c.token === undefined ? {} : { token: c.token };
}

export const smokeStage: Stage = {
  id: 'smoke',
  title: 'k6 smoke',
  needsK6: true,
  async run(ctx) {
    const skip = await loadSkip(ctx);
    if (skip !== undefined) return skip;
    const r = await runLoad({
      scenario: 'smoke',
      ...(ctx.target === undefined ? {} : { target: ctx.target }),
      ...loadCredentials(ctx),
      // On a target: the states file's IDs (or the identity flags) instead of the examples'.
      ...(ctx.target !== undefined && ctx.states !== undefined ? { states: ctx.states } : {}),
      ...(ctx.target !== undefined ? ctx.loadIdentity : {}),
      ...(ctx.strict === true ? { strict: true } : {}),
      out: join(ctx.reportDir, 'load-smoke'),
      install: false,
    });
    ctx.smoke = r.smoke ?? {};
    ctx.smokeSkipped = r.smokeSkipped ?? {};
    const tests: StageTest[] = [
      ...Object.entries(ctx.smoke).map(
        ([caseId, s]): StageTest => ({
          name: caseId,
          status: s.passed ? 'passed' : 'failed',
          message: s.detail,
        }),
      ),
      ...Object.entries(ctx.smokeSkipped).map(
        ([caseId, why]): StageTest => ({ name: caseId, status: 'skipped', message: why }),
      ),
    ];
    const artifacts = [r.reportPath, r.summaryPath];
    if (tests.length === 0)
      return { status: 'failed', detail: 'the smoke run reported no case', tests, artifacts };
    const out = summarise(
      tests.filter((t) => t.status !== 'skipped'),
      'smoke cases',
    );
    const skipped = tests.length - tests.filter((t) => t.status !== 'skipped').length;
    const failedThresholds = r.thresholds.filter((t) => !t.ok).map((t) => `${t.metric} ${t.expression}`);
    if (!r.ok && out.status === 'passed') {
      return {
        status: 'failed',
        detail: `k6 exited ${r.k6ExitCode}${failedThresholds.length > 0 ? `, thresholds crossed: ${failedThresholds.join(', ')}` : ''}`,
        tests,
        artifacts,
      };
    }
    return {
      ...out,
      tests,
      detail: `${out.detail}${skipped > 0 ? `, ${skipped} not asked of this target` : ''}`,
      artifacts,
    };
  },
};

const pct = (share: number): string => `${(share * 100).toFixed(1)}%`;

/** "1200 issued/s (issued 99.0%, warned 1.0%, failed 0.0% of customers)": JUnit and the console say it alike. */
const issuedSplit = (b: BatchFigures): string =>
  `${Math.round(b.issuedPerSecond)} issued/s (issued ${pct(b.issuedRate)}, warned 8890 ${pct(b.warningRate)}, failed ${pct(b.entityFailureRate)} of customers)`;

/** Requests per batch size the throughput stage sends on a target from the pool, each to fresh customers. */
export const POOL_REQUESTS_PER_BATCH_SIZE = 10;

/**
 * The throughput run's identity: the flags, else on a target the states file's active promotion
 * (a real host has neither the embedded provider's program nor its promotion).
 */
function targetIdentity(ctx: CheckContext): IdentityOptions {
  const flags = ctx.loadIdentity ?? {};
  const given =
    flags.programId !== undefined || flags.promotionId !== undefined || flags.promoIdentifier !== undefined;
  if (ctx.target === undefined || given || ctx.states === undefined) return flags;
  const active = ctx.states.states[STATES.promotionActive];
  if (active === undefined) return flags;
  const id = (v: unknown) =>
    typeof v === 'number' || (typeof v === 'string' && /^\d+$/.test(v)) ? Number(v) : undefined;
  const programId = id(active.programId);
  const promotionId = id(active.promotionId);
  return {
    ...flags,
    ...(programId !== undefined ? { programId } : {}),
    ...(promotionId !== undefined ? { promotionId } : {}),
  };
}

/**
 * The throughput run's customers on a target, each sent once: --customers-csv, else fresh customers
 * reserved from the states file's pool (recorded as used before any request) and written as a CSV
 * beside the report; undefined when there are neither (the generated range, as on a seeded host).
 */
async function targetCustomers(ctx: CheckContext): Promise<{ csv?: string; problem?: string } | undefined> {
  if (ctx.customersCsv !== undefined) return { csv: ctx.customersCsv };
  const file = ctx.states;
  if (file?.pool === undefined) return undefined;
  const seconds = Math.ceil(ctx.throughput.durationSeconds);
  const needed =
    PREFLIGHT_CUSTOMERS +
    ctx.throughput.batchSizes.reduce((n, b) => n + b, 0) *
      seconds *
      Math.ceil(POOL_REQUESTS_PER_BATCH_SIZE / seconds);
  const reserved = await new PoolDraw(file.pool, file.path).reserve(needed);
  if (reserved === undefined)
    return {
      problem: `the ID pool of the states file is used up: the throughput run needs ${needed} fresh customers (or give --customers-csv)`,
    };
  const name = (ctx.loadIdentity?.identifierName ?? 'id') as 'id' | 'mobile' | 'email';
  const value = (c: (typeof reserved)[number]) => (name === 'id' ? c.customerId : (c[name] ?? ''));
  if (reserved.some((c) => value(c) === ''))
    return { problem: `the pool's customers need a ${name} for --identifier-name ${name}` };
  const csv = join(ctx.reportDir, 'throughput-customers.csv');
  writeFileSafe(csv, `identifierValue\n${reserved.map((c) => JSON.stringify(value(c))).join('\n')}\n`);
  return { csv };
}

export const throughputStage: Stage = {
  id: 'throughput',
  title: 'k6 short throughput run',
  needsK6: true,
  async run(ctx) {
    const skip = await loadSkip(ctx);
    if (skip !== undefined) return skip;
    const customers = ctx.target === undefined ? undefined : await targetCustomers(ctx);
    if (customers?.problem !== undefined) return { status: 'failed', detail: customers.problem, tests: [] };
    const r = await runLoad({
      scenario: 'throughput',
      ...(ctx.target === undefined ? {} : { target: ctx.target }),
      ...loadCredentials(ctx),
      ...targetIdentity(ctx),
      ...(customers?.csv !== undefined ? { customersCsv: customers.csv, customersOnce: true } : {}),
      out: join(ctx.reportDir, 'load-throughput'),
      batchSizes: ctx.throughput.batchSizes,
      duration: durationOf(ctx.throughput.durationSeconds),
      install: false,
    });
    const tests: StageTest[] = [
      ...r.summary.batches.map(
        (b): StageTest => ({
          name: `batch size ${b.batchSize}`,
          status:
            b.requests > 0 && b.failedRequestRate === 0 && notIssuedReason(b) === undefined
              ? 'passed'
              : 'failed',
          message:
            b.requests === 0
              ? 'no request completed'
              : `${issuedSplit(b)}, p95 ${Math.round(b.latencyMs.p95)} ms, ${(b.failedRequestRate * 100).toFixed(1)}% failed requests${notIssuedReason(b) !== undefined ? `: ${notIssuedReason(b)}` : ''}`,
        }),
      ),
      ...r.thresholds.map(
        (t): StageTest => ({
          name: `threshold ${t.metric} ${t.expression}`,
          status: t.ok ? 'passed' : 'failed',
        }),
      ),
    ];
    const figures = r.summary.batches
      .map(
        (b) =>
          `batch ${b.batchSize}: ${Math.round(b.issuedPerSecond)} issued/s, p95 ${Math.round(b.latencyMs.p95)} ms`,
      )
      .join('; ');
    const artifacts = [r.reportPath, r.summaryPath];
    const anyFailed = tests.some((t) => t.status === 'failed');
    if (r.ok && !anyFailed && r.summary.batches.length > 0) {
      return { status: 'passed', detail: `${figures}; report ${r.reportPath}`, tests, artifacts };
    }
    const first = tests.find((t) => t.status === 'failed');
    return {
      status: 'failed',
      detail: `${first ? `${first.name}: ${first.message ?? 'failed'}` : `k6 exited ${r.k6ExitCode}`}; report ${r.reportPath}`,
      tests,
      artifacts,
    };
  },
};

/** Every stage in order. */
export const STAGES: readonly Stage[] = [
  specStage,
  contractsStage,
  pactsVsSpecStage,
  verifyStage,
  smokeStage,
  throughputStage,
];
