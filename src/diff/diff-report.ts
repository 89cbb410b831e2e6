// The shape of a `directearn diff` report: findings graded for a consumer, and the report as JSON.

/** How much a change matters to a team that calls the endpoint, worst first. */
export type Severity = 'breaking' | 'warning' | 'info';

/** The severities, worst first (the order of the report's groups). */
export const SEVERITIES: readonly Severity[] = ['breaking', 'warning', 'info'];

/** Which of the three questions found it: oasdiff, the catalogue, or the committed pacts. */
export type FindingSource = 'structure' | 'catalogue' | 'pacts';

/** One change between the two specs, named by what it touches. */
export interface Finding {
  severity: Severity;
  source: FindingSource;
  /** The case ("8892"), field ("request promotionDetails.programId") or interaction it is about. */
  subject: string;
  /** A stable id of the kind of change: oasdiff's check id, or `catalogue-message-changed` etc. */
  change: string;
  /** One sentence saying what changed. */
  text: string;
  /** Who depends on what the change touches (pacts, client code): why it is breaking for this consumer. */
  dependents?: Dependents;
  /** oasdiff's own level, when the consumer's grade is worse than it. */
  oasdiffLevel?: Severity;
}

/** The pact interactions (`case: description`) and client code (`client.ts outcomeOf`) that depend on a place. */
export interface Dependents {
  interactions: string[];
  client: string[];
}

/** The pacts part of a report: what was checked, so "nothing found" cannot hide "nothing checked". */
export interface PactCheckSummary {
  files: string[];
  /** Interactions checked against NEW. */
  interactions: number;
  /** Interactions that agree with BASE but not with NEW. */
  broken: number;
  /** Why BASE could not be used to tell new disagreements from old ones, when it could not. */
  baseNote?: string;
}

/** The whole report (`--json`). */
export interface DiffReport {
  tool: 'directearn diff';
  version: 1;
  base: string;
  new: string;
  /** The oasdiff that classified the structure (path and pinned version). */
  oasdiff: { path: string; version: string };
  pacts: PactCheckSummary;
  counts: Record<Severity, number>;
  findings: Finding[];
}

/** Severity rank: 0 breaking, 1 warning, 2 info. */
export function rank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

/** Findings sorted worst first, then by source and subject, so reports compare line by line. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  const sources: FindingSource[] = ['catalogue', 'pacts', 'structure'];
  return [...findings].sort(
    (a, b) =>
      rank(a.severity) - rank(b.severity) ||
      sources.indexOf(a.source) - sources.indexOf(b.source) ||
      a.subject.localeCompare(b.subject) ||
      a.text.localeCompare(b.text),
  );
}

/** Counts per severity. */
export function countFindings(findings: readonly Finding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { breaking: 0, warning: 0, info: 0 };
  for (const f of findings) counts[f.severity] += 1;
  return counts;
}

/** Whether the report fails at `failOn`: something found at or above that level. */
export function failsAt(findings: readonly Finding[], failOn: 'breaking' | 'warning'): boolean {
  return findings.some((f) => rank(f.severity) <= rank(failOn));
}
