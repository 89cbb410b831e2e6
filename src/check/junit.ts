// JUnit XML of a check run, one file per stage, for CI systems that show test reports
// (GitHub's test reporters, GitLab's `artifacts:reports:junit`, Jenkins); src/util/junit.ts writes it.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type JUnitCase, junitXml } from '../util/junit.js';
import { writeFileSafe } from '../util/safe-write.js';
import type { StageResult, StageTest } from './check-summary.js';

/** One test of a stage as a JUnit case; `noted` when a passed test's message is worth showing. */
function stageCase(stage: StageResult, t: StageTest, noted: boolean): JUnitCase {
  const base = { classname: `directearn.check.${stage.id}`, name: t.name, durationMs: t.durationMs ?? 0 };
  const message = t.message ?? '';
  switch (t.status) {
    // A passed case keeps what it says (a note on an inferred part) as its output.
    case 'passed':
      return { ...base, outcome: { kind: 'passed' }, output: noted ? t.message : undefined };
    case 'failed':
      return { ...base, outcome: { kind: 'failure', message: message.split('\n')[0] ?? '', body: message } };
    // JUnit knows passed, failure and skipped: not-verified is a skipped case whose message says so.
    case 'not-verified':
      return { ...base, outcome: { kind: 'skipped', message: `not-verified: ${message}` } };
    case 'skipped':
      return { ...base, outcome: { kind: 'skipped', message } };
  }
}

/** The JUnit document of one stage: a testsuite whose test cases are the stage's tests. */
export function stageJUnit(stage: StageResult, timestamp: string): string {
  // A stage that failed or was skipped before reaching any test still shows up as one test case.
  const cases =
    stage.tests.length > 0
      ? stage.tests.map((t) => stageCase(stage, t, true))
      : [
          stageCase(
            stage,
            { name: stage.title, status: stage.status, message: stage.detail, durationMs: stage.durationMs },
            false,
          ),
        ];
  return junitXml({
    name: 'directearn check',
    durationMs: stage.durationMs ?? 0,
    suites: [{ name: stage.title, durationMs: stage.durationMs ?? 0, timestamp, cases }],
  });
}

/** Writes DIR/<stage id>.xml for every stage; returns the paths written. */
export async function writeJUnit(
  dir: string,
  stages: readonly StageResult[],
  timestamp: string,
): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const stage of stages) {
    const path = join(dir, `${stage.id}.xml`);
    writeFileSafe(path, stageJUnit(stage, timestamp));
    written.push(path);
  }
  return written;
}
