// JUnit XML of a verification: one test case per interaction; "not verified" is a skipped case
// with its reason, so CI shows it and never counts it as passed.
import type { VerifyResult } from './run.js';

function esc(text: string): string {
  return (
    text
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the characters XML 1.0 cannot hold
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
  );
}

export function verificationJUnit(result: VerifyResult, timestamp = new Date().toISOString()): string {
  const { counts } = result;
  const cases = result.interactions.map((i) => {
    const open = `    <testcase classname="directearn.verify.${esc(i.case)}" name="${esc(i.description)}">`;
    if (i.status === 'passed') return `${open}</testcase>`;
    if (i.status === 'failed') {
      return `${open}\n      <failure message="verification failed">${esc(i.message ?? '')}</failure>\n    </testcase>`;
    }
    return `${open}\n      <skipped message="not verified: ${esc(i.message ?? '')}"/>\n    </testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="directearn verify" tests="${counts.total}" failures="${counts.failed}" skipped="${counts.notVerified}">`,
    `  <testsuite name="pact verification against ${esc(result.target)}" tests="${counts.total}" failures="${counts.failed}" skipped="${counts.notVerified}" errors="0" timestamp="${timestamp}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
