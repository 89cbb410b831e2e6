// JUnit XML of a verification: one test case per interaction; "skipped" and "not verified" are
// skipped cases with their reason, so CI shows them and never counts them as passed
// (src/util/junit.ts writes the XML).
import { type JUnitCase, junitXml } from '../util/junit.js';
import type { VerifiedInteraction, VerifyResult } from './verification.js';

function interactionCase(i: VerifiedInteraction): JUnitCase {
  // From a broker, one description may be in several pacts: the pact names the case apart.
  const name = i.pact === undefined ? i.description : `${i.pact}: ${i.description}`;
  const base = { classname: `directearn.verify.${i.case}`, name };
  const notes = i.notes ?? [];
  const output =
    notes.length > 0 ? notes.map((n) => `note (inferred, not in the doc): ${n}`).join('\n') : undefined;
  const message = i.message ?? '';
  if (i.status === 'passed') return { ...base, outcome: { kind: 'passed' }, output };
  if (i.status === 'failed') {
    // CI shows the message attribute first: it carries the first mismatch, the body all of them.
    const first = message.split('\n')[0] || 'verification failed';
    return { ...base, outcome: { kind: 'failure', message: first, body: message }, output };
  }
  const what = i.status === 'skipped' ? 'skipped' : 'not verified';
  return { ...base, outcome: { kind: 'skipped', message: `${what}: ${message}` } };
}

/** The JUnit XML document of a verification run. */
export function verificationJUnit(result: VerifyResult, timestamp = new Date().toISOString()): string {
  return junitXml({
    name: 'directearn verify',
    suites: [
      {
        name: `pact verification against ${result.target}`,
        timestamp,
        cases: result.interactions.map(interactionCase),
      },
    ],
  });
}
