// The one JUnit XML writer: verify, check, diff and proxy describe their results as plain suites and
// cases, and this turns them into the document CI test reporters read (GitHub's reporters, GitLab's
// `artifacts:reports:junit`, Jenkins). Every text goes through xmlEscape (the printable rule, then
// XML's entities), so a hostile target's words can never make the document not well-formed.
import { xmlEscape } from './xml.js';

/** How a test case ended: JUnit knows passed, failure, error (could not run) and skipped. */
export type JUnitOutcome =
  | { kind: 'passed' }
  /** `message` is what CI shows first (one line); `body` holds all of it. */
  | { kind: 'failure'; message: string; body: string; type?: string }
  | { kind: 'error'; message: string; body: string }
  | { kind: 'skipped'; message: string };

export interface JUnitCase {
  classname: string;
  name: string;
  /** The time attribute, in milliseconds; left out when undefined. */
  durationMs?: number;
  outcome: JUnitOutcome;
  /** What the case has to say besides its outcome (a note on an inferred part): its system-out. */
  output?: string;
}

export interface JUnitSuite {
  name: string;
  /** The time attribute, in milliseconds; left out when undefined. */
  durationMs?: number;
  timestamp: string;
  cases: readonly JUnitCase[];
}

export interface JUnitDocument {
  /** The testsuites element's name: the command that wrote the document. */
  name: string;
  /** The time attribute of the whole document, in milliseconds; left out when undefined. */
  durationMs?: number;
  suites: readonly JUnitSuite[];
}

/** A count of each outcome; tests, failures, errors and skipped attributes come from it alone. */
interface Counts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

function countCases(cases: readonly JUnitCase[]): Counts {
  const of = (kind: JUnitOutcome['kind']) => cases.filter((c) => c.outcome.kind === kind).length;
  return { tests: cases.length, failures: of('failure'), errors: of('error'), skipped: of('skipped') };
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

/** ` name="…"` for each defined value, in the order given. */
function attributes(pairs: readonly [string, string | number | undefined][]): string {
  return pairs
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => ` ${key}="${typeof value === 'number' ? value : xmlEscape(value ?? '')}"`)
    .join('');
}

function countAttributes(c: Counts): [string, number][] {
  return [
    ['tests', c.tests],
    ['failures', c.failures],
    ['errors', c.errors],
    ['skipped', c.skipped],
  ];
}

function outcomeElement(outcome: JUnitOutcome): string | undefined {
  switch (outcome.kind) {
    case 'passed':
      return undefined;
    case 'skipped':
      return `<skipped${attributes([['message', outcome.message]])}/>`;
    case 'failure':
      return `<failure${attributes([
        ['message', outcome.message],
        ['type', outcome.type],
      ])}>${xmlEscape(outcome.body)}</failure>`;
    case 'error':
      return `<error${attributes([['message', outcome.message]])}>${xmlEscape(outcome.body)}</error>`;
  }
}

function caseLines(c: JUnitCase): string[] {
  const open = `    <testcase${attributes([
    ['classname', c.classname],
    ['name', c.name],
    ['time', c.durationMs === undefined ? undefined : seconds(c.durationMs)],
  ])}`;
  // JUnit's schema order: the outcome, then what the case printed.
  const inner = [
    outcomeElement(c.outcome),
    c.output === undefined ? undefined : `<system-out>${xmlEscape(c.output)}</system-out>`,
  ].filter((line): line is string => line !== undefined);
  if (inner.length === 0) return [`${open}/>`];
  return [`${open}>`, ...inner.map((line) => `      ${line}`), '    </testcase>'];
}

function suiteLines(s: JUnitSuite): string[] {
  const open = `  <testsuite${attributes([
    ['name', s.name],
    ...countAttributes(countCases(s.cases)),
    ['time', s.durationMs === undefined ? undefined : seconds(s.durationMs)],
    ['timestamp', s.timestamp],
  ])}>`;
  return [open, ...s.cases.flatMap(caseLines), '  </testsuite>'];
}

/** The JUnit XML document: its counts are the cases' own, so they can never disagree with them. */
export function junitXml(doc: JUnitDocument): string {
  const all = countCases(doc.suites.flatMap((s) => s.cases));
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attributes([
      ['name', doc.name],
      ...countAttributes(all),
      ['time', doc.durationMs === undefined ? undefined : seconds(doc.durationMs)],
    ])}>`,
    ...doc.suites.flatMap(suiteLines),
    '</testsuites>',
    '',
  ].join('\n');
}
