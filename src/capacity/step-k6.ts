// The k6 processes of one capacity step: k6/capacity.ts as one process or as N runners with the
// k6-operator's execution segments, started together; their errors and "Insufficient VUs" warnings
// counted. A runner killed over its memory ceiling (src/load/k6-memory.ts) stops the others.
import { join } from 'node:path';
import { k6Env } from '../config/k6-contract.js';
import { runK6, runTogether } from '../load/k6.js';
import { segmentArgs } from '../load/runners.js';
import type { Slo } from '../load/slo.js';
import { unquote } from '../load/smoke-verdicts.js';
import { printable } from '../util/output-path.js';
import { packageRoot } from '../util/package-root.js';

/** What every step of a search runs with (src/capacity/step.ts). */
export interface StepSettings {
  k6: string;
  batchSize: number;
  seconds: number;
  maxVus: number;
  /** k6 processes of the step (execution segments of 1/N each, as the k6-operator's runners); default 1. */
  runners?: number;
  slos: Slo[];
  /** The k6 scripts' variables of the run (target, identity, credentials); the step adds its own. */
  vars: Record<string, string>;
  env: NodeJS.ProcessEnv;
  dir: string;
  cwd?: string;
  onLine?: (line: string) => void;
}

/** What the k6 processes of a step left: their exit codes, k6's errors, the VU warnings. */
export interface StepK6 {
  codes: number[];
  errors: string[];
  insufficientVus: number;
}

/** k6's error without the script place it appends to an abort (` at fn (file:///...:48:12(13))`). */
const withoutPlace = (message: string): string => message.replace(/ at [\w.$<>]+ \(file:\/\/[^)]*\)+$/, '');

/** Runs the step's k6 process(es), one per summary file; rejects (after stopping all) when one is killed. */
export async function runStepK6(
  s: StepSettings,
  ratePerMinute: number,
  maxIterations: number,
  summaryFiles: string[],
): Promise<StepK6> {
  const count = summaryFiles.length;
  let insufficientVus = 0;
  const errors: string[] = [];
  // The runners start together and each schedules its segment's share of the arrivals; the budget
  // cap (stepMaxIterations) is the step's whole, which k6/capacity.ts compares with
  // k6's iterationInTest: numbered across all segments, so each runner sends only its share of it.
  const codes = await runTogether(
    summaryFiles.map(
      (summaryFile, i) => (stop: AbortSignal) =>
        runK6(
          s.k6,
          [
            'run',
            '--no-usage-report',
            '--no-color',
            '--quiet',
            '--address=',
            ...(count > 1 ? segmentArgs(i, count) : []),
            join(packageRoot, 'k6', 'capacity.ts'),
          ],
          {
            ...s.env,
            ...s.vars,
            ...k6Env({
              batchSizes: s.batchSize,
              duration: `${s.seconds}s`,
              maxVus: s.maxVus,
              stepRatePerMinute: ratePerMinute,
              stepMaxIterations: maxIterations,
              summaryFile,
            }),
          },
          (line) => {
            if (/Insufficient VUs/.test(line)) insufficientVus++;
            const error = /level=error msg="((?:[^"\\]|\\.)*)"/.exec(line);
            if (error !== null) errors.push(withoutPlace(unquote(error[1] as string)));
            else if (/level=(warning|error)/.test(line) && !/Insufficient VUs/.test(line))
              s.onLine?.(printable(count > 1 ? `[runner ${i + 1}] ${line}` : line, 500));
          },
          s.cwd,
          stop,
        ),
    ),
  );
  return { codes, errors, insufficientVus };
}
