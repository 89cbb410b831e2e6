// What a stage of `directearn check` is: the context the stages share (the target, and what each
// stage found for the next ones and the case table), the Stage interface, and summarise, the outcome
// of a stage from its tests.
import type { StatesFile } from '../contracts/states-file.js';
import type { Credentials, VerifiedInteraction } from '../contracts/verification.js';
import type { IdentityOptions } from '../load/identity.js';
import type { StageId, StageResult, StageTest } from './check-summary.js';
import type { K6BuildResult } from './k6-build.js';

export type { Credentials, VerifiedInteraction };

export interface SmokeCase {
  passed: boolean;
  detail: string;
}

/** What the stages share: the target and what each stage found for the next ones and the table. */
export interface CheckContext {
  /** Base URL of the provider under test; undefined = the embedded reference provider. */
  target: string | undefined;
  credentials: Credentials | undefined;
  /** --states: the provider-state file, read (and checked) by the CLI before any stage. */
  states: StatesFile | undefined;
  /** May k6 stages send traffic to the target (loopback, or --allow-real-issue)? */
  loadAllowed: { ok: true } | { ok: false; reason: string };
  /** --skip-load: the user asked for no k6 stages. */
  skipLoad: boolean;
  /** Where load reports go (the check's report folder). */
  reportDir: string;
  /** Throughput run: program, promotion and identifier flags (`directearn load`'s). */
  loadIdentity?: IdentityOptions;
  /** Throughput run: batch sizes and seconds per size, short by default. */
  throughput: { batchSizes: number[]; durationSeconds: number };
  /** --strict: inferred parts (HTTP error bodies) compared word for word, skipped interactions fail. */
  strict?: boolean;
  /** --customers-csv: the throughput run's customers on a target, each sent once. */
  customersCsv?: string;
  // Filled by the stages:
  pactFiles?: string[];
  verification?: VerifiedInteraction[];
  smoke?: Record<string, SmokeCase>;
  /** Smoke: cases the target could not be asked for, with why. */
  smokeSkipped?: Record<string, string>;
  /** Where progress lines of long steps (the one-time k6 build) go; default nowhere. */
  progress?: (line: string) => void;
  /** The background k6 build runCheck started (src/check/k6-build.ts), awaited by the k6 stages. */
  k6Build?: Promise<K6BuildResult>;
}

export type StageOutcome = Omit<StageResult, 'id' | 'title' | 'durationMs'>;

export interface Stage {
  id: StageId;
  title: string;
  /** Runs k6: waits for a background k6 build first. */
  needsK6?: boolean;
  run(ctx: CheckContext): Promise<StageOutcome>;
}

/** A stage's outcome from its tests: passed when none failed, else the first failure named. */
export function summarise(tests: StageTest[], noun: string): StageOutcome {
  const failed = tests.filter((t) => t.status === 'failed');
  if (failed.length === 0) return { status: 'passed', detail: `${tests.length} ${noun} passed`, tests };
  const first = failed[0];
  return {
    status: 'failed',
    detail: `${failed.length} of ${tests.length} ${noun} failed${first ? `, first: ${first.name}: ${(first.message ?? '').split('\n')[0]}` : ''}`,
    tests,
  };
}
