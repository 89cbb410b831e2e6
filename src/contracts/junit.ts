// JUnit XML of a verification: one test case per interaction; "skipped" and "not verified" are
// skipped cases with their reason, so CI shows them and never counts them as passed.
import { xmlEscape } from '../util/xml.js';
import type { VerifyResult } from './verification.js';

/** The JUnit XML document of a verification run. */
export function verificationJUnit(result: VerifyResult, timestamp = new Date().toISOString()): string {
  const { counts } = result;
  const skipped = counts.skipped + counts.notVerified;
  const cases = result.interactions.map((i) => {
    // From a broker, one description may be in several pacts: the pact names the case apart.
    const name = i.pact === undefined ? i.description : `${i.pact}: ${i.description}`;
    const open = `    <testcase classname="directearn.verify.${xmlEscape(i.case)}" name="${xmlEscape(name)}">`;
    const notes =
      (i.notes?.length ?? 0) > 0
        ? `\n      <system-out>${xmlEscape((i.notes ?? []).map((n) => `note (inferred, not in the doc): ${n}`).join('\n'))}</system-out>`
        : '';
    if (i.status === 'passed')
      return notes === '' ? `${open}</testcase>` : `${open}${notes}\n    </testcase>`;
    if (i.status === 'failed') {
      // CI shows the message attribute first: it carries the first mismatch, the body all of them.
      const first = (i.message ?? '').split('\n')[0] || 'verification failed';
      return `${open}\n      <failure message="${xmlEscape(first)}">${xmlEscape(i.message ?? '')}</failure>${notes}\n    </testcase>`;
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
