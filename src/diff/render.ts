// The diff report as people and CI read it: a text table grouped by severity, JSON, and JUnit
// (src/util/junit.ts writes the XML).
import { type JUnitCase, type JUnitSuite, junitXml } from '../util/junit.js';
import {
  type DiffReport,
  type Finding,
  type FindingSource,
  rank,
  SEVERITIES,
  type Severity,
} from './diff-report.js';

export interface TextOptions {
  color: boolean;
  failOn: 'breaking' | 'warning';
}

const paint = (on: boolean, code: number, s: string) => (on ? `\u001b[${code}m${s}\u001b[0m` : s);
const COLOR: Record<Severity, number> = { breaking: 31, warning: 33, info: 36 };
const SUBJECT_WIDTH = 44;

/** What was compared, in one line. */
export function headline(report: DiffReport): string {
  const p = report.pacts;
  const pacts =
    p.files.length === 0
      ? 'no pacts to check'
      : `${p.interactions} pact interaction(s) in ${p.files.length} file(s) checked against NEW`;
  return `directearn diff ${report.base} -> ${report.new} (oasdiff ${report.oasdiff.version}; ${pacts})`;
}

/** The verdict line: counts, and whether the run fails at `failOn`. */
export function verdict(report: DiffReport, failOn: 'breaking' | 'warning'): string {
  const c = report.counts;
  const fails = report.findings.some((f) => rank(f.severity) <= rank(failOn));
  const counts = `${c.breaking} breaking, ${c.warning} warning(s), ${c.info} info`;
  return fails ? `FAIL: ${counts} (--fail-on ${failOn})` : `OK: ${counts}; nothing at or above ${failOn}`;
}

/** The report as text lines: one table per severity, worst first, then the verdict. */
export function renderText(report: DiffReport, options: TextOptions): string[] {
  const lines = [headline(report)];
  if (report.pacts.baseNote !== undefined) lines.push(`note: ${report.pacts.baseNote}`);
  for (const severity of SEVERITIES) {
    const group = report.findings.filter((f) => f.severity === severity);
    if (group.length === 0) continue;
    lines.push('', paint(options.color, COLOR[severity], `${severity.toUpperCase()} (${group.length})`));
    const width = Math.min(SUBJECT_WIDTH, Math.max(26, ...group.map((f) => f.subject.length)));
    lines.push(`  ${'source'.padEnd(9)}  ${'case / field / interaction'.padEnd(width)}  change`);
    for (const f of group) {
      // A long subject (an interaction's name) is never cut: the change goes on the next line.
      if (f.subject.length > width) {
        lines.push(
          `  ${f.source.padEnd(9)}  ${f.subject}`,
          `  ${' '.repeat(9)}  ${' '.repeat(width)}  ${f.text}`,
        );
      } else lines.push(`  ${f.source.padEnd(9)}  ${f.subject.padEnd(width)}  ${f.text}`);
      lines.push(...dependentLines(f, `  ${' '.repeat(9)}  ${' '.repeat(width)}  `));
    }
  }
  if (report.findings.length === 0) lines.push('', 'no changes');
  lines.push('', verdict(report, options.failOn));
  return lines;
}

/** Who depends on a finding, one per line under it: the interactions by name, then the client code. */
export function dependentLines(f: Finding, indent: string): string[] {
  const d = f.dependents;
  if (d === undefined) return [];
  const out = d.interactions.map((name, i) => `${indent}${i === 0 ? 'pact:   ' : '        '}${name}`);
  if (d.client.length > 0) out.push(`${indent}client: ${d.client.join(', ')}`);
  return out;
}

/** The report as JSON (the `--json` file), with the threshold it was judged at. */
export function renderJson(report: DiffReport, failOn: 'breaking' | 'warning'): string {
  const failed = report.findings.some((f) => rank(f.severity) <= rank(failOn));
  return `${JSON.stringify({ ...report, failOn, failed }, null, 2)}\n`;
}

const SOURCES: { id: FindingSource; title: string }[] = [
  { id: 'structure', title: 'structural changes (oasdiff)' },
  { id: 'catalogue', title: 'catalogue changes (x-directearn-catalogue)' },
  { id: 'pacts', title: 'committed pacts against NEW (swagger-mock-validator)' },
];

function testcase(f: Finding, failOn: 'breaking' | 'warning'): JUnitCase {
  const base = {
    classname: `directearn.diff.${f.source}`,
    name: `[${f.severity}] ${f.subject}: ${f.change}`,
    durationMs: 0,
  };
  if (rank(f.severity) > rank(failOn)) return { ...base, outcome: { kind: 'passed' }, output: f.text };
  const body = [f.text, ...dependentLines(f, '')].join('\n');
  return { ...base, outcome: { kind: 'failure', message: f.text, type: f.severity, body } };
}

/**
 * JUnit XML: one suite per question, one test case per finding (failed when at or above `failOn`),
 * and one passing case for a question with nothing to report, so CI shows it was asked.
 */
export function renderJUnit(report: DiffReport, failOn: 'breaking' | 'warning', timestamp: string): string {
  const suites = SOURCES.map(({ id, title }): JUnitSuite => {
    const mine = report.findings.filter((f) => f.source === id);
    const cases: JUnitCase[] =
      mine.length > 0
        ? mine.map((f) => testcase(f, failOn))
        : [
            {
              classname: `directearn.diff.${id}`,
              name: `no ${id} changes`,
              durationMs: 0,
              outcome: { kind: 'passed' },
            },
          ];
    return { name: title, durationMs: 0, timestamp, cases };
  });
  return junitXml({ name: `directearn diff ${report.base} -> ${report.new}`, suites });
}
