// The pact-verifier's mismatches as we print them (`expected <contract>, received <host>`), and the
// one rule for which of them pin inferred behaviour: on a real target, a mismatch outside the status
// of an interaction whose catalogue case is marked inferred is a note, not a failure (unless --strict).
import { catalogue } from '../openapi/index.js';

/** One mismatch as the Rust pact-verifier's JSON report gives it. */
export interface VerifierMismatch {
  type?: string;
  path?: string;
  key?: string;
  expected?: unknown;
  actual?: unknown;
  mismatch?: string;
}

/** Which part of the answer a mismatch is about. */
export type MismatchPart = 'status' | 'header' | 'body' | 'other';

/** A mismatch in our words: the part it concerns and its line. */
export interface Mismatch {
  part: MismatchPart;
  line: string;
}

function partOf(m: VerifierMismatch): MismatchPart {
  const t = (m.type ?? '').toLowerCase();
  if (t.startsWith('status')) return 'status';
  if (t.startsWith('header')) return 'header';
  if (t.startsWith('body')) return 'body';
  return 'other';
}

/** A value of the report as one short line: strings quoted, JSON compact. */
function shown(v: unknown): string {
  if (typeof v === 'string') {
    // The verifier gives JSON bodies and headers as text; show JSON compact, anything else quoted.
    try {
      return JSON.stringify(JSON.parse(v));
    } catch {
      return JSON.stringify(v);
    }
  }
  return v === undefined ? 'nothing' : JSON.stringify(v);
}

/**
 * The line of one mismatch, contract first: `path: expected <contract>, received <host>` when the
 * verifier gave both values (its own sentence reads the other way round: "Expected <received> to be
 * equal to <expected>"), followed by that sentence only where it says more (a missing key, a type).
 */
export function mismatchLine(m: VerifierMismatch): Mismatch {
  const part = partOf(m);
  const where = m.path ?? (m.key === undefined ? (part === 'status' ? 'status' : '') : `header ${m.key}`);
  const lead = where === '' ? '' : `${where}: `;
  const said = (m.mismatch ?? '').trim();
  if (m.expected !== undefined || m.actual !== undefined) {
    const pair = `expected ${shown(m.expected)}, received ${shown(m.actual)}`;
    // "Expected X to be equal to Y" only restates the pair (backwards); other sentences explain it.
    const extra = said === '' || /^expected .* to (be equal to|equal) /i.test(said) ? '' : ` (${said})`;
    return { part, line: `${lead}${pair}${extra}` };
  }
  return { part, line: `${lead}${said || JSON.stringify(m)}` };
}

/** The catalogue cases marked inferred: the doc never gives them (HTTP statuses, their bodies). */
function inferredCases(): Set<string> {
  return new Set(
    catalogue()
      .filter((c) => c.inferred === true)
      .map((c) => c.case),
  );
}

/**
 * Whether a mismatch on an interaction of `caseId` pins only inferred behaviour, so that on a real
 * target it is a note rather than a failure: the case is inferred in the catalogue and the mismatch
 * is not about the status (an inferred case is still judged by its status; the doc gives no body,
 * header or message for any of them, so no shape of theirs is documented).
 */
export function isInferredPart(caseId: string, part: MismatchPart): boolean {
  return part !== 'status' && inferredCases().has(caseId);
}
