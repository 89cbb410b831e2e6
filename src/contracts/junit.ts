// JUnit XML of a verification: one test case per interaction; "skipped" and "not verified" are
// skipped cases with their reason, so CI shows them and never counts them as passed.
import { xmlEscape } from '../util/xml.js';
import type { VerifyResult } from './verification.js';

/** The JUnit XML document of a verification run. */
export function verificationJUnit(result: VerifyResult, timestamp = new Date().toISOString()): string {
  const { counts } = result;
  const skipped = counts.skipped + counts.notVerified;
  const cases = result.interactions.map((i) => {
    const open = `    <testcase classname="directearn.verify.${xmlEscape(i.case)}" name="${xmlEscape(i.description)}">`;
    if (i.status === 'passed') return `${open}</testcase>`;
    if (i.status === 'failed') {
      return `${open}\n      <failure message="verification failed">${xmlEscape(i.message ?? '')}</failure>\n    </testcase>`;
    }
    const what = i.status === 'skipped' ? 'skipped' : 'not verified';
    return `${open}\n      <skipped message="${what}: ${xmlEscape(i.message ?? '')}"/>\n    </testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="directearn verify" tests="${counts.total}" failures="${counts.failed}" skipped="${skipped}">`,
    `  <testsuite name="pact verification against ${xmlEscape(result.target)}" tests="${counts.total}" failures="${counts.failed}" skipped="${skipped}" errors="0" timestamp="${timestamp}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
