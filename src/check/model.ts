// The shape of a `directearn check` run: stages, per-case rows, and the summary written as JSON.

export type StageStatus = 'passed' | 'failed' | 'skipped';

/** One test inside a stage (a spec check, a pact interaction, a smoke case): a JUnit test case. */
export interface StageTest {
  name: string;
  status: StageStatus;
  /** Why it failed or was skipped. */
  message?: string;
  durationMs?: number;
}

export interface StageResult {
  id: StageId;
  title: string;
  status: StageStatus;
  durationMs: number;
  /** One line for the progress output: what passed or what went wrong. */
  detail: string;
  /** A skip the user asked for (--skip-load, a real host without --allow-real-issue) does not fail the run. */
  skipRequested?: boolean;
  tests: StageTest[];
  /** Files the stage wrote (pacts, load reports). */
  artifacts?: string[];
}

export type StageId = 'spec' | 'contracts' | 'pacts-vs-spec' | 'verify' | 'smoke' | 'throughput';

/**
 * A cell of the case table: `pass`/`fail` when the stage said so for this case, `none` when the
 * case has nothing there (no example, no interaction, no smoke request), `skip` when the stage
 * did not run or did not reach the case.
 */
export type Cell = 'pass' | 'fail' | 'none' | 'skip';

export interface CaseRow {
  case: string;
  kind: string;
  code: number | null;
  /** The spec examples of the case. */
  examples: string[];
  /** The pact interactions (descriptions) of the case. */
  interactions: {
    description: string;
    verification: 'passed' | 'failed' | 'skipped' | 'not-verified' | 'not-run';
  }[];
  inSpec: Cell;
  inPact: Cell;
  verified: Cell;
  smoke: Cell;
  /** Why a cell failed, for the report. */
  notes: string[];
}

export interface CheckSummary {
  tool: 'directearn check';
  version: 1;
  startedAt: string;
  durationMs: number;
  target: { url: string; embedded: boolean };
  ok: boolean;
  stages: StageResult[];
  cases: CaseRow[];
}

/** Whether the run passes: every stage passed, or was skipped because the user asked. */
export function runPassed(stages: readonly StageResult[]): boolean {
  return stages.every((s) => s.status === 'passed' || (s.status === 'skipped' && s.skipRequested === true));
}
