// The stages of `directearn check`, in order, each reading what earlier stages left in the context:
// spec -> consumer contracts -> pacts vs spec -> provider verification -> k6 smoke -> k6 throughput.
// Stages call the modules of the other parts of the suite (src/contracts, src/load, src/provider);
// a module that is missing makes its stage fail, never pass.
import { checkExamples, checkMetaSchema, lintSpec } from '../spec/check.js';
import type { StageId, StageResult, StageTest } from './model.js';

/** Credentials for a real host: Basic user:password, or an OAuth token. */
export interface Credentials {
  basic?: { user: string; password: string };
  token?: string;
}

export interface VerifiedInteraction {
  description: string;
  case: string;
  status: 'passed' | 'failed' | 'not-verified';
  message?: string;
}

export interface SmokeCase {
  passed: boolean;
  detail: string;
}

/** What the stages share: the target and what each stage found for the next ones and the table. */
export interface CheckContext {
  /** Base URL of the provider under test (the embedded one unless --target). */
  targetUrl: string;
  embedded: boolean;
  credentials: Credentials | undefined;
  statesFile: string | undefined;
  /** May k6 stages send traffic to the target (loopback, or --allow-real-issue)? */
  loadAllowed: { ok: true } | { ok: false; reason: string };
  /** --skip-load: the user asked for no k6 stages. */
  skipLoad: boolean;
  /** Where load reports go (the check's report folder). */
  reportDir: string;
  /** Throughput run: batch sizes and seconds per size, short by default. */
  throughput: { batchSizes: number[]; durationSeconds: number };
  // Filled by the stages:
  pactFiles?: string[];
  pactCases?: Map<string, string[]>;
  verification?: VerifiedInteraction[];
  smoke?: Record<string, SmokeCase>;
}

export type StageOutcome = Omit<StageResult, 'id' | 'title' | 'durationMs'>;

export interface Stage {
  id: StageId;
  title: string;
  run(ctx: CheckContext): Promise<StageOutcome>;
}

/** Imports a sibling module of the suite; undefined when it is not there (not built yet). */
export async function optionalModule<T>(relativeUrl: string): Promise<T | undefined> {
  const url = new URL(relativeUrl, import.meta.url).href;
  try {
    return (await import(url)) as T;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const message = e instanceof Error ? e.message : String(e);
    if (
      code === 'ERR_MODULE_NOT_FOUND' ||
      /Cannot find module|Failed to load url|does not exist/i.test(message)
    ) {
      if (message.includes(relativeUrl.replace(/^\.\.\//, '').replace(/\.js$/, ''))) return undefined;
    }
    throw e;
  }
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

const missing = (what: string): StageOutcome => ({
  status: 'failed',
  detail: `${what} is not available in this build, so this stage cannot run`,
  tests: [],
});

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

interface ContractsRunModule {
  runConsumerContracts(options?: Record<string, unknown>): Promise<unknown>;
  checkPactsAgainstSpec(options?: Record<string, unknown>): Promise<unknown>;
  verifyPacts(options?: Record<string, unknown>): Promise<{ interactions: VerifiedInteraction[] }>;
}

/** Reads what the contracts module returned without trusting its exact shape. */
function field<T>(value: unknown, key: string): T | undefined {
  return value !== null && typeof value === 'object' && key in value
    ? ((value as Record<string, unknown>)[key] as T)
    : undefined;
}

export const contractsStage: Stage = {
  id: 'contracts',
  title: 'consumer contracts',
  async run(ctx) {
    const mod = await optionalModule<ContractsRunModule>('../contracts/run.js');
    if (mod === undefined) return missing('src/contracts/run.ts');
    const r = await mod.runConsumerContracts();
    const ok = field<boolean>(r, 'ok');
    const files = field<string[]>(r, 'pactFiles') ?? field<string[]>(r, 'files') ?? [];
    ctx.pactFiles = files;
    const tests = (
      field<{ name?: string; description?: string; status: string; message?: string }[]>(r, 'tests') ?? []
    ).map(
      (t): StageTest => ({
        name: t.name ?? t.description ?? '?',
        status: t.status === 'passed' ? 'passed' : t.status === 'skipped' ? 'skipped' : 'failed',
        message: t.message,
      }),
    );
    if (ok === false || tests.some((t) => t.status === 'failed')) {
      return { ...summarise(tests, 'consumer interactions'), status: 'failed', artifacts: files };
    }
    return { ...summarise(tests, 'consumer interactions'), artifacts: files };
  },
};

export const pactsVsSpecStage: Stage = {
  id: 'pacts-vs-spec',
  title: 'pacts vs spec',
  async run(ctx) {
    if (ctx.pactFiles === undefined) {
      return { status: 'skipped', detail: 'no pacts: the consumer contracts did not run', tests: [] };
    }
    const mod = await optionalModule<ContractsRunModule>('../contracts/run.js');
    if (mod === undefined) return missing('src/contracts/run.ts');
    const r = await mod.checkPactsAgainstSpec();
    const ok = field<boolean>(r, 'ok');
    const problems = field<string[]>(r, 'problems') ?? [];
    return {
      status: ok === true ? 'passed' : 'failed',
      detail:
        ok === true
          ? 'every interaction agrees with the spec'
          : `${problems.length} problem(s): ${problems[0] ?? ''}`,
      tests: [
        {
          name: 'swagger-mock-validator',
          status: ok === true ? 'passed' : 'failed',
          message: problems.join('\n'),
        },
      ],
    };
  },
};

export const verifyStage: Stage = {
  id: 'verify',
  title: 'provider verification',
  async run(ctx) {
    if (ctx.pactFiles === undefined) {
      return { status: 'skipped', detail: 'no pacts: the consumer contracts did not run', tests: [] };
    }
    const mod = await optionalModule<ContractsRunModule>('../contracts/run.js');
    if (mod === undefined) return missing('src/contracts/run.ts');
    const r = await mod.verifyPacts({
      ...(ctx.embedded ? {} : { providerBaseUrl: ctx.targetUrl }),
      ...(ctx.statesFile === undefined ? {} : { states: ctx.statesFile }),
      ...(ctx.credentials === undefined ? {} : { credentials: ctx.credentials }),
    });
    ctx.verification = r.interactions;
    const tests = r.interactions.map(
      (i): StageTest => ({
        name: `${i.case}: ${i.description}`,
        status: i.status === 'passed' ? 'passed' : i.status === 'failed' ? 'failed' : 'skipped',
        message: i.message,
      }),
    );
    const out = summarise(tests, 'interactions');
    const notVerified = tests.filter((t) => t.status === 'skipped').length;
    if (tests.length === 0) return { status: 'failed', detail: 'no interaction was verified', tests };
    if (out.status === 'passed' && notVerified > 0) {
      return {
        ...out,
        status: 'failed',
        detail: `${notVerified} of ${tests.length} interactions not verified (no state for them on the target?)`,
      };
    }
    return out;
  },
};

interface LoadRunModule {
  findK6(): Promise<string | undefined> | string | undefined;
  runLoad(options: Record<string, unknown>): Promise<{
    summary?: unknown;
    summaryPath?: string;
    reportPath?: string;
    smoke?: Record<string, SmokeCase>;
    ok?: boolean;
  }>;
}

/** Why a k6 stage cannot run, or undefined when it can. */
async function loadSkip(ctx: CheckContext, mod: LoadRunModule): Promise<StageOutcome | undefined> {
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
  const k6 = await mod.findK6();
  if (k6 === undefined) {
    return {
      status: 'skipped',
      detail: 'skipped: k6 not found (run `npm run k6:install`, put k6 on PATH, or pass --skip-load)',
      tests: [],
    };
  }
  return undefined;
}

export const smokeStage: Stage = {
  id: 'smoke',
  title: 'k6 smoke',
  async run(ctx) {
    const mod = await optionalModule<LoadRunModule>('../load/run.js');
    if (mod === undefined) return missing('src/load/run.ts');
    const skip = await loadSkip(ctx, mod);
    if (skip !== undefined) return skip;
    const r = await mod.runLoad({ scenario: 'smoke', target: ctx.targetUrl, out: ctx.reportDir });
    ctx.smoke = r.smoke ?? {};
    const tests = Object.entries(ctx.smoke).map(
      ([caseId, s]): StageTest => ({
        name: caseId,
        status: s.passed ? 'passed' : 'failed',
        message: s.detail,
      }),
    );
    const artifacts = [r.reportPath, r.summaryPath].filter((p): p is string => p !== undefined);
    if (tests.length === 0)
      return { status: 'failed', detail: 'the smoke run reported no case', tests, artifacts };
    return { ...summarise(tests, 'smoke cases'), artifacts };
  },
};

export const throughputStage: Stage = {
  id: 'throughput',
  title: 'k6 short throughput run',
  async run(ctx) {
    const mod = await optionalModule<LoadRunModule>('../load/run.js');
    if (mod === undefined) return missing('src/load/run.ts');
    const skip = await loadSkip(ctx, mod);
    if (skip !== undefined) return skip;
    const r = await mod.runLoad({
      scenario: 'throughput',
      target: ctx.targetUrl,
      out: ctx.reportDir,
      batchSizes: ctx.throughput.batchSizes,
      duration: `${ctx.throughput.durationSeconds}s`,
    });
    const artifacts = [r.reportPath, r.summaryPath].filter((p): p is string => p !== undefined);
    const ok = r.ok ?? field<boolean>(r.summary, 'ok') ?? field<boolean>(r.summary, 'thresholdsPassed');
    const detail = r.reportPath === undefined ? 'no report written' : `report ${r.reportPath}`;
    return {
      status: ok === false ? 'failed' : 'passed',
      detail,
      tests: [
        {
          name: `batch sizes ${ctx.throughput.batchSizes.join(', ')}`,
          status: ok === false ? 'failed' : 'passed',
        },
      ],
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
