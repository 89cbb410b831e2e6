// The verdict of a verification, the one rule the exit code of `verify` and `check --target` follows:
// no interaction failed, and every documented case (catalogue entries not marked inferred) verified.
import { catalogue } from '../openapi/index.js';

/** The fields of an interaction outcome the verdict reads. */
export interface Outcome {
  case: string;
  description: string;
  status: 'passed' | 'failed' | 'skipped' | 'not-verified';
}

/**
 * ok when: at least one interaction; none failed; each documented case with interactions has one
 * passed and none not verified (a skipped one, e.g. for a credential not given, is fine when another
 * verified the case). Inferred cases may be skipped or not verified, unless `strict`, which fails on
 * any interaction not passed.
 */
export function verdict(outcomes: readonly Outcome[], strict: boolean): { ok: boolean; reasons: string[] } {
  const reasons: string[] = [];
  if (outcomes.length === 0) reasons.push('no interaction to verify');
  const failed = outcomes.filter((o) => o.status === 'failed');
  if (failed.length > 0) reasons.push(`${failed.length} interaction(s) failed`);
  const documented = catalogue().filter((c) => c.inferred !== true);
  for (const entry of documented) {
    const mine = outcomes.filter((o) => o.case === entry.case);
    if (mine.length === 0) continue;
    const notVerified = mine.filter((o) => o.status === 'not-verified');
    if (!mine.some((o) => o.status === 'passed'))
      reasons.push(`documented case ${entry.case} was not verified by any interaction`);
    else if (notVerified.length > 0)
      reasons.push(`documented case ${entry.case}: ${notVerified.length} interaction(s) not verified`);
  }
  if (strict) {
    const rest = outcomes.filter((o) => o.status === 'skipped' || o.status === 'not-verified');
    if (rest.length > 0) reasons.push(`--strict: ${rest.length} interaction(s) skipped or not verified`);
  }
  return { ok: reasons.length === 0, reasons };
}
