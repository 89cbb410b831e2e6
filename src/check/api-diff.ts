// `check --base REF`: the diff's verdict where CI reads the rest of the run: a stage (its line, the
// verdict, summary.json, JUnit api-diff.xml) and a column of the case table naming the cases a
// breaking change reaches.
import { countFindings, type DiffReport, type Finding } from '../diff/diff-report.js';
import { dependentLines } from '../diff/render.js';
import type { CaseRow, StageTest } from './check-summary.js';
import type { Stage, StageOutcome } from './context.js';

/** The diff as a stage's outcome: a test per finding, failed when breaking. */
export function apiDiffOutcome(report: DiffReport): StageOutcome {
  const c = countFindings(report.findings);
  const counts = `${c.breaking} breaking, ${c.warning} warning(s), ${c.info} info`;
  if (report.findings.length === 0) {
    return {
      status: 'passed',
      detail: 'no changes',
      tests: [{ name: `no API changes since ${report.base}`, status: 'passed' }],
    };
  }
  const tests: StageTest[] = report.findings.map((f) => ({
    name: `[${f.severity}] ${f.subject}: ${f.change}`,
    status: f.severity === 'breaking' ? 'failed' : 'passed',
    message: [f.text, ...dependentLines(f, '  ')].join('\n'),
  }));
  const first = report.findings.find((f) => f.severity === 'breaking');
  return first === undefined
    ? { status: 'passed', detail: `${counts}; nothing breaking`, tests }
    : { status: 'failed', detail: `${counts}, first: ${first.subject}: ${first.text}`, tests };
}

/** The stage `check --base` adds after the others (the diff itself ran before them, to fail fast). */
export function apiDiffStage(report: DiffReport): Stage {
  return {
    id: 'api-diff',
    title: `API changes since ${report.base}`,
    run: async () => apiDiffOutcome(report),
  };
}

/**
 * The breaking findings that reach a case: its catalogue entry, one of its interactions (pacts),
 * or a field, value or status one of its interactions depends on (the consumer's grade).
 */
export function breakingFor(caseName: string, report: DiffReport): Finding[] {
  const mine = (interaction: string) => interaction.startsWith(`${caseName}: `);
  return report.findings.filter((f) => {
    if (f.severity !== 'breaking') return false;
    if (f.source === 'catalogue') return f.subject === caseName || f.subject.startsWith(`${caseName} → `);
    if (f.source === 'pacts') return mine(f.subject);
    return (f.dependents?.interactions ?? []).some(mine);
  });
}

/** Fills the case table's `since base` column: ✗ with a note per breaking change that reaches the case. */
export function markApiDiff(rows: CaseRow[], report: DiffReport): void {
  for (const row of rows) {
    const found = breakingFor(row.case, report);
    row.apiDiff = found.length > 0 ? 'failed' : 'passed';
    for (const f of found) row.notes.push(`breaking since ${report.base}: ${f.subject}: ${f.text}`);
  }
}

/** The diff's verdict in summary.json, beside its stage. */
export function apiDiffSummary(report: DiffReport) {
  const counts = countFindings(report.findings);
  return { base: report.base, new: report.new, counts, failed: counts.breaking > 0 };
}
