// The one JUnit writer (src/util/junit.ts) and its four callers (check, verify, diff, proxy): the
// counts on testsuites and testsuite are the cases' own, the elements come in JUnit's order, every
// text is escaped, and each caller's document parses with a real XML parser.
import { describe, expect, it } from 'vitest';
import type { StageResult } from '../../src/check/check-summary.js';
import { stageJUnit } from '../../src/check/junit.js';
import { verificationJUnit } from '../../src/contracts/junit.js';
import type { VerifyResult } from '../../src/contracts/verification.js';
import type { DiffReport } from '../../src/diff/diff-report.js';
import { renderJUnit } from '../../src/diff/render.js';
import type { ProxyReport } from '../../src/proxy/report.js';
import { proxyJUnit } from '../../src/proxy/report.js';
import { type JUnitCase, junitXml } from '../../src/util/junit.js';
import { parseXml, type XmlElement } from '../support/xml.js';

const CASES: JUnitCase[] = [
  { classname: 'k', name: 'quiet', outcome: { kind: 'passed' } },
  { classname: 'k', name: 'noted', durationMs: 1500, outcome: { kind: 'passed' }, output: 'a <note>' },
  {
    classname: 'k',
    name: 'broke',
    outcome: { kind: 'failure', message: 'first', body: 'first\nsecond', type: 'breaking' },
    output: 'after',
  },
  { classname: 'k', name: 'broke too', outcome: { kind: 'failure', message: '', body: '' } },
  { classname: 'k', name: 'down', outcome: { kind: 'error', message: 'no answer', body: '#1 GET /' } },
  { classname: 'k', name: 'later', outcome: { kind: 'skipped', message: 'not-verified: why' } },
];

function parsed(xml: string): XmlElement[] {
  const result = parseXml(xml);
  if ('error' in result) throw new Error(`not well-formed: ${result.error}\n${xml}`);
  return result.elements;
}

/** What each testsuites/testsuite element claims, next to what its cases hold. */
function claimedAndCounted(elements: XmlElement[]) {
  const count = (from: XmlElement[]) => {
    const cases = from.filter((e) => e.tag === 'testcase').length;
    const of = (tag: string) => from.filter((e) => e.tag === tag).length;
    return { tests: cases, failures: of('failure'), errors: of('error'), skipped: of('skipped') };
  };
  const claim = (e: XmlElement) => ({
    tests: Number(e.attrib.tests),
    failures: Number(e.attrib.failures),
    errors: Number(e.attrib.errors),
    skipped: Number(e.attrib.skipped),
  });
  const out = [{ claimed: claim(elements[0] as XmlElement), counted: count(elements) }];
  elements.forEach((e, i) => {
    if (e.tag !== 'testsuite') return;
    const next = elements.findIndex((n, j) => j > i && n.tag === 'testsuite');
    out.push({ claimed: claim(e), counted: count(elements.slice(i + 1, next < 0 ? undefined : next)) });
  });
  return out;
}

describe('junitXml', () => {
  const xml = junitXml({
    name: 'directearn t -> "u"',
    durationMs: 2000,
    suites: [{ name: 's & t', durationMs: 1999, timestamp: '<now>', cases: CASES }],
  });

  it('counts tests, failures, errors and skipped from the cases, on testsuites and testsuite', () => {
    expect(xml).toContain(
      '<testsuites name="directearn t -&gt; &quot;u&quot;" tests="6" failures="2" errors="1" skipped="1" time="2.000">',
    );
    expect(xml).toContain(
      '<testsuite name="s &amp; t" tests="6" failures="2" errors="1" skipped="1" time="1.999" timestamp="&lt;now&gt;">',
    );
  });

  it('closes a case with nothing to say, leaves out an unknown time, and puts the outcome before system-out', () => {
    expect(xml).toContain('    <testcase classname="k" name="quiet"/>\n');
    expect(xml).toContain(
      '    <testcase classname="k" name="noted" time="1.500">\n      <system-out>a &lt;note&gt;</system-out>\n    </testcase>\n',
    );
    expect(xml).toContain(
      '<testcase classname="k" name="broke">\n      <failure message="first" type="breaking">first\nsecond</failure>\n      <system-out>after</system-out>\n    </testcase>',
    );
    expect(xml).toContain('<error message="no answer">#1 GET /</error>');
    expect(xml).toContain('<skipped message="not-verified: why"/>');
  });

  it('parses with a real XML parser, counts matching, text intact', () => {
    const elements = parsed(xml);
    for (const { claimed, counted } of claimedAndCounted(elements)) expect(claimed).toEqual(counted);
    expect(elements.find((e) => e.tag === 'failure')?.text).toBe('first\nsecond');
    expect(elements[0]?.attrib.name).toBe('directearn t -> "u"');
  });

  it('writes a document with no suite as an empty testsuites', () => {
    expect(junitXml({ name: 'x', suites: [] })).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="x" tests="0" failures="0" errors="0" skipped="0">\n</testsuites>\n',
    );
  });
});

describe('the four JUnit documents claim what their cases hold', () => {
  const stage = {
    id: 'verify',
    title: 'provider verification',
    status: 'failed',
    durationMs: 12,
    detail: 'd',
    tests: [
      { name: 'a', status: 'passed', durationMs: 1 },
      { name: 'b', status: 'failed', message: 'x\ny' },
      { name: 'c', status: 'not-verified', message: 'limit' },
      { name: 'd', status: 'skipped', message: 'no state' },
    ],
  } as StageResult;
  const verify = {
    target: 'http://127.0.0.1:1',
    interactions: [
      { case: 'ok', description: 'i1', status: 'passed', notes: ['inferred'] },
      { case: '8015', description: 'i2', status: 'failed', message: 'm' },
      { case: 'x', description: 'i3', status: 'not-verified', message: 'why' },
    ],
  } as unknown as VerifyResult;
  const diff = {
    base: 'a',
    new: 'b',
    findings: [
      { severity: 'breaking', source: 'catalogue', subject: 's', change: 'c', text: 't' },
      { severity: 'info', source: 'structure', subject: 's', change: 'c', text: 't' },
    ],
  } as unknown as DiffReport;
  const proxy = {
    upstream: 'http://u',
    checked: 2,
    rules: { a: 0, b: 1 },
    violations: [
      { rule: 'b', exchange: 1, method: 'POST', url: '/', side: 'request', field: '/f', message: 'm' },
    ],
    upstreamFailures: [{ exchange: 2, method: 'POST', url: '/', error: 'refused' }],
  } as unknown as ProxyReport;
  it.each([
    ['check', () => stageJUnit(stage, 'now'), { tests: 4, failures: 1, errors: 0, skipped: 2 }],
    ['verify', () => verificationJUnit(verify, 'now'), { tests: 3, failures: 1, errors: 0, skipped: 1 }],
    ['diff', () => renderJUnit(diff, 'breaking', 'now'), { tests: 3, failures: 1, errors: 0, skipped: 0 }],
    ['proxy', () => proxyJUnit(proxy, 'now'), { tests: 3, failures: 1, errors: 1, skipped: 0 }],
  ])('%s', (_, render, expected) => {
    const pairs = claimedAndCounted(parsed(render()));
    expect(pairs[0]?.claimed).toEqual(expected);
    for (const { claimed, counted } of pairs) expect(claimed).toEqual(counted);
  });
});
