// JUnit XML of a verification: one test case per interaction; "not verified" is a skipped case
// with its reason, so CI shows it and never counts it as passed.
import { xmlEscape } from '../util/xml.js';
import type { VerifyResult } from './run.js';

export function verificationJUnit(result: VerifyResult, timestamp = new Date().toISOString()): string {
  const { counts } = result;
  const cases = result.interactions.map((i) => {
    const open = `    <testcase classname="directearn.verify.${xmlEscape(i.case)}" name="${xmlEscape(i.description)}">`;
    if (i.status === 'passed') return `${open}</testcase>`;
    if (i.status === 'failed') {
      return `${open}\n      <failure message="verification failed">${xmlEscape(i.message ?? '')}</failure>\n    </testcase>`;
    }
    return `${open}\n      <skipped message="not verified: ${xmlEscape(i.message ?? '')}"/>\n    </testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="directearn verify" tests="${counts.total}" failures="${counts.failed}" skipped="${counts.notVerified}">`,
    `  <testsuite name="pact verification against ${xmlEscape(result.target)}" tests="${counts.total}" failures="${counts.failed}" skipped="${counts.notVerified}" errors="0" timestamp="${timestamp}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
