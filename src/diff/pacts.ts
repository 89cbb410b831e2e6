// The committed pacts checked against NEW (and BASE) with PactFlow's swagger-mock-validator, the
// check PactFlow's bi-directional contract testing runs: which interactions would no longer agree.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { PACT_DIR, pactFiles, pactInteractions } from '../contracts/pacts.js';
import { type SmvIssue, validatePactFile } from '../contracts/spec-check.js';
import type { Finding, PactCheckSummary } from './diff-report.js';

/** Problems per interaction description, or the reason the validator refused the spec itself. */
type Outcome = { refused: string } | { byInteraction: Map<string, string[]> };

/** Outcomes by spec text and pact files: BASE is often the same spec for many comparisons. */
const memo = new Map<string, Promise<Outcome>>();

async function validate(specPath: string, label: string, files: readonly string[]): Promise<Outcome> {
  const hash = createHash('sha256').update(readFileSync(specPath));
  for (const f of files) hash.update(f).update(readFileSync(f));
  const key = hash.digest('hex');
  let outcome = memo.get(key);
  if (outcome === undefined) {
    outcome = validateNow(specPath, files);
    memo.set(key, outcome);
  }
  const found = await outcome;
  // The validator names the (temporary) spec file; the report names the side.
  return 'refused' in found ? { refused: found.refused.split(SPEC).join(label) } : found;
}

const SPEC = '\u0000spec\u0000';

async function validateNow(specPath: string, files: readonly string[]): Promise<Outcome> {
  const byInteraction = new Map<string, string[]>();
  for (const file of files) {
    let errors: SmvIssue[];
    try {
      errors = await validatePactFile(specPath, file);
    } catch (e) {
      const lines = (e as Error).message.split('\n').map((l) => l.trim());
      const why = lines
        .filter((l) => l !== '')
        .slice(0, 2)
        .join(' ');
      return { refused: why.split(`"${specPath}"`).join(SPEC).split(specPath).join(SPEC) };
    }
    for (const e of errors) {
      const key = String(e.mockDetails?.interactionDescription ?? file);
      const where = e.mockDetails?.location === undefined ? '' : ` at ${e.mockDetails.location}`;
      byInteraction.set(key, [...(byInteraction.get(key) ?? []), `${e.code}: ${e.message}${where}`]);
    }
  }
  return { byInteraction };
}

/**
 * Checks the pacts of `dir` against NEW and BASE. An interaction that agrees with BASE but not
 * with NEW is breaking; one that already disagreed with BASE is a warning (not this change's doing).
 */
export async function checkPacts(
  basePath: string,
  newPath: string,
  dir: string = PACT_DIR,
): Promise<{ findings: Finding[]; summary: PactCheckSummary }> {
  const files = pactFiles(dir);
  const interactions = pactInteractions(dir, files);
  const summary: PactCheckSummary = { files, interactions: interactions.length, broken: 0 };
  if (files.length === 0) {
    summary.baseNote = `no pact files in ${dir}`;
    return { findings: [], summary };
  }
  const [onNew, onBase] = await Promise.all([
    validate(newPath, 'NEW', files),
    validate(basePath, 'BASE', files),
  ]);
  if ('refused' in onNew) {
    const text = `swagger-mock-validator (PactFlow's bi-directional check) refuses NEW: ${onNew.refused}`;
    summary.broken = interactions.length;
    return {
      findings: [
        { severity: 'breaking', source: 'pacts', subject: 'NEW spec', change: 'pact-spec-refused', text },
      ],
      summary,
    };
  }
  if ('refused' in onBase) summary.baseNote = `BASE could not be read by the validator (${onBase.refused})`;
  const findings: Finding[] = [];
  for (const i of interactions) {
    const problems = onNew.byInteraction.get(i.description);
    if (problems === undefined) continue;
    const before = 'byInteraction' in onBase ? onBase.byInteraction.get(i.description) : undefined;
    const subject = `${i.case ?? '?'}: ${i.description}`;
    const first = problems[0] ?? '';
    const more = problems.length > 1 ? ` (+${problems.length - 1} more)` : '';
    if (before === undefined) {
      summary.broken += 1;
      findings.push({
        severity: 'breaking',
        source: 'pacts',
        subject,
        change: 'pact-interaction-broken',
        text: `no longer agrees with NEW: ${first}${more}`,
      });
    } else {
      findings.push({
        severity: 'warning',
        source: 'pacts',
        subject,
        change: 'pact-interaction-disagrees',
        text: `disagrees with NEW and already with BASE: ${first}${more}`,
      });
    }
  }
  return { findings, summary };
}

/** Catalogue changes to what an interaction's expected body pins exactly: its code, message, kind. */
const PINNED: Record<string, string> = {
  'catalogue-code-removed': 'a code NEW no longer has',
  'catalogue-code-renumbered': 'the code as BASE numbers it',
  'catalogue-message-changed': 'the message as BASE words it',
  'catalogue-kind-changed': 'the entry in errors[] or warnings[] as BASE files it',
  'catalogue-failure-changed': 'failureCount as BASE counts it',
};

/**
 * The pacts pin each case's body exactly (code, message, errors[] or warnings[], failureCount), and
 * no schema check sees a catalogue change: every interaction of a changed case would fail against
 * a provider that answers as NEW does.
 */
export function pinnedInteractions(catalogueFindings: readonly Finding[], dir: string = PACT_DIR): Finding[] {
  const interactions = pactInteractions(dir, pactFiles(dir));
  const out: Finding[] = [];
  for (const f of catalogueFindings) {
    const what = PINNED[f.change];
    if (what === undefined) continue;
    const baseCase = f.subject.split(' → ')[0];
    for (const i of interactions.filter((x) => x.case === baseCase)) {
      out.push({
        severity: 'breaking',
        source: 'pacts',
        subject: `${baseCase}: ${i.description}`,
        change: 'pact-pins-changed-case',
        text: `pins ${what}: verified against a provider that answers as NEW, it fails`,
      });
    }
  }
  return out;
}
