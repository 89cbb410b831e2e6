// What a verification run says: per interaction passed / failed / skipped / not verified (with the
// mismatches and invariant findings that failed it), the counts, and the verdict the exit code follows.
import type { Finding } from './findings.js';
import type { PoolStatus } from './pool.js';
import type { UndocumentedFinding } from './undocumented.js';

/**
 * passed: replayed and matched, invariants held. failed: a mismatch or a broken invariant. skipped:
 * not sent by choice or by a limit of the run (credential not given, inferred limit no states file
 * can set). not-verified: should have run but could not (state unmapped, pool used up, not replayed).
 */
export type VerificationStatus = 'passed' | 'failed' | 'skipped' | 'not-verified';

/** One interaction's outcome. */
export interface VerifiedInteraction {
  description: string;
  case: string;
  status: VerificationStatus;
  message?: string;
  /** The doc's invariants the answer broke, as data (each is also a line of `message`). */
  findings?: Finding[];
  /**
   * On a real target, how the host's answer differs from the pact in parts that pin inferred
   * behaviour (src/contracts/mismatch.ts): reported, not failed, unless --strict.
   */
  notes?: string[];
  /** The broker pact it comes from (broker-driven runs only). */
  pact?: string;
  /** From a pending pact: a failure is reported and does not fail the run. */
  pending?: true;
}

/** The outcome of a verification run; `ok` is the verdict the exit code follows. */
export interface VerifyResult {
  ok: boolean;
  /** Why `ok` is false, one line each. */
  reasons: string[];
  target: string;
  embedded: boolean;
  interactions: VerifiedInteraction[];
  counts: {
    total: number;
    passed: number;
    failed: number;
    skipped: number;
    notVerified: number;
    /** Interactions with notes: inferred parts the host answers otherwise (never failed without --strict). */
    noted: number;
  };
  /** The ID pool of the states file, when it has one. */
  pool?: PoolStatus;
  /**
   * What the host answered that the catalogue does not document (codes, other messages, fields,
   * statuses): information for the docs, never a failure by itself.
   */
  undocumented: UndocumentedFinding[];
}
