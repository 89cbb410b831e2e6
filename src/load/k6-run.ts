// The k6 processes of a load run: `k6 run` on the scenario's script with the run's variables, its
// lines passed on as --quiet allows, its errors and "Insufficient VUs" warnings counted; repeated
// for --repeat, each run's summary read back.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { K6_VARS } from '../config/k6-contract.js';
import type { RecordingProxy } from '../contracts/recording-proxy.js';
import { UserFacingError } from '../errors.js';
import { packageRoot } from '../util/package-root.js';
import { DEFAULT_BASELINE_REPEAT } from './baseline.js';
import { runK6 } from './k6.js';
import type { LoadScenario, Run } from './options.js';
import { summarise } from './outputs.js';
import type { K6SummaryData } from './read-k6-summary.js';
import { noteTrip } from './relay.js';
import { unquote } from './smoke-verdicts.js';
import type { LoadSummary } from './summary.js';

const scriptPath = (scenario: LoadScenario): string => join(packageRoot, 'k6', `${scenario}.ts`);

/** k6's "Insufficient VUs" warning: expected when the open model offers more than maxVUs carry. */
const INSUFFICIENT_VUS = /Insufficient VUs/;

/**
 * What reaches the user of a k6 line: everything, or in quiet mode only k6's errors and warnings
 * (stderr), without the expected "Insufficient VUs" ones.
 */
function shownLine(line: string, stream: 'stdout' | 'stderr', quiet: boolean): boolean {
  if (!quiet) return true;
  return stream === 'stderr' && /level=(error|warning)/.test(line) && !INSUFFICIENT_VUS.test(line);
}

/**
 * Runs k6 on the scenario's script; its lines go to the user as `quiet` allows. A runner of a
 * distributed run (src/load/runners.ts) passes its own files, its segment's flags and a line prefix.
 */
export async function runScenario(
  run: Run,
  k6: string,
  vars: Record<string, string>,
  files: Run['files'] = run.files,
  runner: { args: string[]; prefix: string } = { args: [], prefix: '' },
): Promise<{ code: number; k6Errors: string[]; insufficientVuWarnings: number }> {
  const k6Errors: string[] = [];
  let insufficientVuWarnings = 0;
  const quiet = run.options.quiet === true;
  // k6 creates these itself (it follows a symbolic link it finds there): removing them first removes
  // a planted link, never what it points at, so k6 writes fresh files in the output folder.
  rmSync(files.summary, { force: true });
  rmSync(files.points, { force: true });
  rmSync(files.console, { force: true });
  // A runner summary left by an earlier run must not pass for this one's.
  const runnerFile = vars[K6_VARS.runnerSummaryFile.env];
  if (runnerFile) rmSync(runnerFile, { force: true });
  const code = await runK6(
    k6,
    [
      'run',
      '--no-usage-report',
      '--no-color',
      '--console-output',
      files.console,
      // No REST API: nothing here uses it, and parallel k6 runs would fight over its port 6565.
      '--address=',
      ...(quiet ? ['--quiet'] : []),
      // The rate report's per-second chart needs k6's points; its summary has no time series.
      ...(run.scenario === 'rate' ? ['--out', `json=${files.points}`] : []),
      ...runner.args,
      ...(run.options.k6Args ?? []),
      scriptPath(run.scenario),
    ],
    { ...run.env, ...vars },
    (line, stream) => {
      if (INSUFFICIENT_VUS.test(line)) insufficientVuWarnings++;
      if (shownLine(line, stream, quiet)) run.say(`${runner.prefix}${line}`);
      const error = /level=error msg="((?:[^"\\]|\\.)*)"/.exec(line);
      if (error !== null) k6Errors.push(unquote(error[1] as string));
    },
    run.options.cwd,
    run.k6Stop,
  );
  if (insufficientVuWarnings > 0) {
    run.say(
      `k6 warned ${insufficientVuWarnings} time(s) "Insufficient VUs": expected, the run offers more than ${run.maxVus} VUs carry, so the figures are the target's capacity at that concurrency (dropped iterations)`,
    );
  }
  return { code, k6Errors, insufficientVuWarnings };
}

/** What the k6 runs of one scenario left: the summaries, the last k6 data and exit code, k6's errors. */
export interface Repeated {
  runs: LoadSummary[];
  data: K6SummaryData;
  code: number;
  k6Errors: string[];
  insufficientVuWarnings: number;
}

/**
 * The scenario's k6 run, `--repeat N` times for throughput (the spread of the runs is the noise a
 * baseline is judged by); stops at a run k6 did not complete. A UserFacingError when k6 wrote no summary.
 */
export async function repeatScenario(
  run: Run,
  k6: string,
  vars: Record<string, string>,
  target: string,
  startedAt: string,
  relay: RecordingProxy | undefined,
): Promise<Repeated> {
  const repeat =
    run.scenario !== 'throughput'
      ? 1
      : (run.options.repeat ?? (run.options.baseline !== undefined ? DEFAULT_BASELINE_REPEAT : 1));
  const done: Repeated = {
    runs: [],
    data: { metrics: {} },
    code: 0,
    k6Errors: [],
    insufficientVuWarnings: 0,
  };
  for (let i = 1; i <= repeat; i++) {
    run.say(`k6 run k6/${run.scenario}.ts against ${target}${repeat > 1 ? ` (run ${i} of ${repeat})` : ''}`);
    const one = await runScenario(run, k6, vars);
    done.code = one.code;
    done.k6Errors.push(...one.k6Errors);
    done.insufficientVuWarnings += one.insufficientVuWarnings;
    // The exchanges k6 left at its end run on to their deadline: the target is judged on them too.
    await relay?.settle();
    const tripped = noteTrip(relay, run.scenario, run.say, done.k6Errors);
    if (!existsSync(run.files.summary)) {
      throw new UserFacingError(
        `k6 exited with code ${done.code} before writing its summary (${tripped ? `${done.k6Errors.at(-1)}; ` : ''}see the lines above${existsSync(run.files.console) ? ` and ${run.files.console}` : ''})`,
      );
    }
    done.data = JSON.parse(readFileSync(run.files.summary, 'utf8')) as K6SummaryData;
    done.runs.push(await summarise(run, done.data, target, startedAt));
    if (done.code !== 0 && done.code !== 99) break;
  }
  return done;
}
