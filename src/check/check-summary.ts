// The shape of a `directearn check` run: stages, per-case rows, and the summary written as JSON.

export type StageStatus = 'passed' | 'failed' | 'skipped';

/** One test inside a stage (a spec check, a pact interaction, a smoke case): a JUnit test case. */
export interface StageTest {
  name: string;
  /** not-verified: the stage ran but could not check it on this target (JUnit: skipped). */
  status: StageStatus | 'not-verified';
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

export type StageId =
  | 'spec'
  | 'contracts'
  | 'pacts-vs-spec'
  | 'verify'
  | 'smoke'
  | 'throughput'
  /** `check --base REF`: the API diff since REF (src/check/api-diff.ts). */
  | 'api-diff';

/**
 * The one vocabulary of results: the terminal table and its legend, the JSON summary, JUnit (as
 * passed, failure, or skipped with the word first in the message) and the coverage page all use it.
 */
export type Outcome = 'passed' | 'failed' | 'not-verified' | 'skipped' | 'none';

/** What each outcome means: the legend under the table and on the coverage page. */
export const OUTCOME_MEANING: Readonly<Record<Outcome, string>> = {
  passed: 'checked, and it held',
  failed: 'checked, and it did not hold (see Notes)',
  'not-verified': 'the stage ran but could not check it on this target (see Notes)',
  skipped: 'the stage did not run, or an earlier stage left it nothing to check',
  none: 'nothing to check: no example, no pact interaction or no smoke request (see Notes)',
};

/** A cell of the case table, for one case and one stage. */
export type Cell = Outcome;

export interface CaseRow {
  case: string;
  kind: string;
  code: number | null;
  /** The spec examples of the case. */
  examples: string[];
  /** The pact interactions (descriptions) of the case. */
  interactions: { description: string; verification: Exclude<Outcome, 'none'> }[];
  inSpec: Cell;
  inPact: Cell;
  verified: Cell;
  smoke: Cell;
  /** `check --base`: failed when a breaking change since the base reaches the case. */
  apiDiff?: Cell;
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
  /** `check --base`: the diff's verdict (its findings are the api-diff stage's tests). */
  apiDiff?: {
    base: string;
    new: string;
    counts: Record<'breaking' | 'warning' | 'info', number>;
    /** A breaking change was found: the run fails. */
    failed: boolean;
  };
  /** Tools built during the run (k6 on a fresh machine), each with its own time, outside any stage's. */
  builds?: ToolBuild[];
}

/** A tool the run had to build first (once per machine). */
export interface ToolBuild {
  tool: 'k6';
  version: string;
  ok: boolean;
  durationMs: number;
  /** The binary built, or why the build failed. */
  detail: string;
}

/** Whether the run passes: every stage passed, or was skipped because the user asked. */
export function runPassed(stages: readonly StageResult[]): boolean {
  return stages.every((s) => s.status === 'passed' || (s.status === 'skipped' && s.skipRequested === true));
}
