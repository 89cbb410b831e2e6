// `load --runners N`: N k6 processes on this machine with the execution segments the k6-operator
// gives N runner pods, each leaving its runner summary in DIR/runner-<i>/, merged into DIR/summary.json
// by the same code as `directearn merge`: the operator's path, testable here.
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { UserFacingError } from '../errors.js';
import { compareRuns, DEFAULT_MAX_REGRESSION } from './baseline.js';
import { runTogether } from './k6.js';
import { mergeRunners } from './merge.js';
import { judgeAndWrite } from './merged-outputs.js';
import type { LoadResult, Run } from './options.js';
import { parseRunnerSummary, RUNNER_SUMMARY_FILE, type RunnerInput } from './runner-summaries.js';

/**
 * The k6 flags of runner `index` (0-based) of `count`, written as the k6-operator writes them for
 * its runner jobs: `--execution-segment=i/N:(i+1)/N` with 0 and N/N as "0" and "1", and the sequence.
 */
export function segmentArgs(index: number, count: number): string[] {
  const at = (i: number): string => (i === 0 ? '0' : i === count ? '1' : `${i}/${count}`);
  const sequence = Array.from({ length: count + 1 }, (_, i) => at(i)).join(',');
  return [`--execution-segment=${at(index)}:${at(index + 1)}`, `--execution-segment-sequence=${sequence}`];
}

/**
 * One k6 process of the run (src/load/run-load.ts's runScenario), handed in by its caller so this module
 * does not import the one that calls it.
 */
export type RunOneRunner = (
  run: Run,
  k6: string,
  vars: Record<string, string>,
  files: Run['files'],
  runner: { args: string[]; prefix: string },
) => Promise<{ code: number; k6Errors: string[]; insufficientVuWarnings: number }>;

/**
 * Each runner's k6 with its segment and files, side by side: one killed over its memory ceiling
 * stops the others, so none is left loading the target.
 */
function runEach(
  run: Run,
  k6: string,
  vars: Record<string, string>,
  runScenario: RunOneRunner,
  runners: ReadonlyArray<{ files: Run['files']; runnerFile: string; args: string[] }>,
) {
  return runTogether(
    runners.map((r, i) => (stop: AbortSignal) => {
      const own = {
        ...vars,
        DIRECTEARN_SUMMARY_FILE: r.files.summary,
        DIRECTEARN_RUNNER_SUMMARY_FILE: r.runnerFile,
      };
      return runScenario({ ...run, k6Stop: stop }, k6, own, r.files, {
        args: r.args,
        prefix: `[runner ${i + 1}] `,
      });
    }),
    run.k6Stop,
  );
}

/** Runs the N runners side by side, then merges their summaries; the run's SLOs judged on the whole. */
export async function runRunners(
  run: Run,
  k6: string,
  vars: Record<string, string>,
  runScenario: RunOneRunner,
): Promise<LoadResult> {
  const count = run.options.runners ?? 1;
  const runners = Array.from({ length: count }, (_, i) => {
    const dir = join(run.out, `runner-${i + 1}`);
    mkdirSync(dir, { recursive: true });
    return {
      dir,
      files: {
        summary: join(dir, 'k6-summary.json'),
        console: join(dir, 'k6-console.log'),
        points: join(dir, 'k6-points.json'),
      },
      runnerFile: join(dir, RUNNER_SUMMARY_FILE),
      args: segmentArgs(i, count),
    };
  });
  // A one-process run's summary in the same folder would overlap these runners in `merge DIR`.
  rmSync(join(run.out, RUNNER_SUMMARY_FILE), { force: true });
  run.say(`k6 run k6/${run.scenario}.ts as ${count} runners (execution segments of 1/${count} each)`);
  const results = await runEach(run, k6, vars, runScenario, runners);
  const codes = results.map((r) => r.code);
  const k6Errors = results.flatMap((r) => r.k6Errors);
  const insufficientVuWarnings = results.reduce((n, r) => n + r.insufficientVuWarnings, 0);
  const missing = runners.filter((r) => !existsSync(r.runnerFile));
  if (missing.length > 0) {
    throw new UserFacingError(
      `k6 exited with code(s) ${codes.join(', ')}; ${missing.map((r) => r.dir).join(', ')} got no ${RUNNER_SUMMARY_FILE} (see the lines above and each folder's k6-console.log)`,
    );
  }
  const inputs: RunnerInput[] = runners.map((r, i) =>
    parseRunnerSummary(readFileSync(r.runnerFile, 'utf8'), `runner-${i + 1}/${RUNNER_SUMMARY_FILE}`),
  );
  const completed = codes.every((c) => c === 0 || c === 99);
  const merged = mergeRunners(inputs);
  if (merged.summary.rate !== undefined && run.providerRateLimit !== undefined)
    merged.summary.rate.configuredLimitRps = run.providerRateLimit;
  // A run k6 did not complete (target down, script aborted) keeps the last good report.
  const verdict = completed
    ? judgeAndWrite(merged, run.slos, run.out)
    : { ...merged, slos: [], notIssued: [], ok: false, summaryPath: undefined, reportPath: undefined };
  const comparison =
    run.options.baseline !== undefined && completed
      ? compareRuns(merged.summary, run.options.baseline, run.options.maxRegression ?? DEFAULT_MAX_REGRESSION)
      : undefined;
  return {
    summary: merged.summary,
    summaryPath: join(run.out, 'summary.json'),
    reportPath: join(run.out, 'report.html'),
    written: completed && verdict.summaryPath !== undefined,
    slos: verdict.slos,
    ...(comparison !== undefined ? { comparison } : {}),
    insufficientVuWarnings,
    k6ExitCode: codes.find((c) => c !== 0) ?? 0,
    k6Errors,
    thresholds: [],
    notIssued: verdict.notIssued,
    ok: completed && verdict.ok && comparison?.regressed !== true,
    runners: {
      coverage: merged.coverage,
      rankBounds: merged.rankBounds,
      files: runners.map((r) => r.runnerFile),
    },
  };
}
