// The stages of `directearn check`, in order, each reading what earlier stages left in the context:
// spec -> consumer contracts -> pacts vs spec -> provider verification -> k6 smoke -> k6 throughput.
// The first four live in src/check/contract-stages.ts; this file holds the two k6 stages and the
// order. Stages call the modules of the other parts of the suite (src/contracts, src/load); with no
// --target each of them starts its own fresh reference provider on a free loopback port.
import { join } from 'node:path';
import { durationOf } from '../input/duration.js';
import { notIssuedReason } from '../load/issued.js';
import { findGo } from '../load/k6.js';
import { type BatchFigures, findK6, installK6, K6_VERSION, runLoad } from '../load/run-load.js';
import type { StageTest } from './check-summary.js';
import { type CheckContext, type Stage, type StageOutcome, summarise } from './context.js';
import { contractsStage, pactsVsSpecStage, specStage, verifyStage } from './contract-stages.js';
import { targetCustomers, targetIdentity } from './throughput-target.js';

export type {
  CheckContext,
  Credentials,
  SmokeCase,
  Stage,
  StageOutcome,
  VerifiedInteraction,
} from './context.js';
export { contractsStage, pactsVsSpecStage, specStage, verifyStage };

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
