// JUnit XML of a check run, one file per stage, for CI systems that show test reports
// (GitHub's test reporters, GitLab's `artifacts:reports:junit`, Jenkins).
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileSafe } from '../util/safe-write.js';
import { xmlEscape } from '../util/xml.js';
import type { StageResult } from './model.js';

export { xmlEscape };

const seconds = (ms: number | undefined) => ((ms ?? 0) / 1000).toFixed(3);

/** The JUnit document of one stage: a testsuite whose test cases are the stage's tests. */
export function stageJUnit(stage: StageResult, timestamp: string): string {
  // A stage that failed or was skipped before reaching any test still shows up as one test case.
  const tests =
    stage.tests.length > 0
      ? stage.tests
      : [{ name: stage.title, status: stage.status, message: stage.detail, durationMs: stage.durationMs }];
  const failures = tests.filter((t) => t.status === 'failed').length;
  // JUnit knows passed, failure and skipped: not-verified is a skipped case whose message says so.
  const skipped = tests.filter((t) => t.status === 'skipped' || t.status === 'not-verified').length;
  const classname = `directearn.check.${stage.id}`;
  const cases = tests.map((t) => {
    const open = `    <testcase classname="${xmlEscape(classname)}" name="${xmlEscape(t.name)}" time="${seconds(t.durationMs)}"`;
    // A passed case keeps what it says (a note on an inferred part) as its output.
    if (t.status === 'passed')
      return t.message === undefined || stage.tests.length === 0
        ? `${open}/>`
        : `${open}>\n      <system-out>${xmlEscape(t.message)}</system-out>\n    </testcase>`;
    const message = xmlEscape(t.message ?? '');
    const inner =
      t.status === 'failed'
        ? `      <failure message="${message.split('\n')[0]}">${message}</failure>`
        : `      <skipped message="${t.status === 'not-verified' ? `not-verified: ${message}` : message}"/>`;
    return `${open}>\n${inner}\n    </testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="directearn check" tests="${tests.length}" failures="${failures}" skipped="${skipped}" time="${seconds(stage.durationMs)}">`,
    `  <testsuite name="${xmlEscape(stage.title)}" tests="${tests.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${seconds(stage.durationMs)}" timestamp="${xmlEscape(timestamp)}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
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
