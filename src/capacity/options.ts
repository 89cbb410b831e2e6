// What a capacity search takes (`CapacityOptions`, settled by the caller: the CLI's flags, or a
// test) and the defaults of what it leaves unset.
import type { OAuthCredential } from '../client/oauth.js';
import type { IdentityOptions } from '../load/identity.js';
import { DEFAULT_SLO_TEXT, type Slo } from '../load/slo.js';

/** The default SLOs of a step: load's (p95, failed requests and customers, at most 5% warned). */
export const DEFAULT_CAPACITY_SLO_TEXT = DEFAULT_SLO_TEXT;
export const DEFAULT_CAPACITY_BATCH_SIZES = [10, 100, 1000];
export const DEFAULT_STEP_SECONDS = 10;
export const DEFAULT_COOL_DOWN_SECONDS = 2;
export const DEFAULT_START_RATE = 100;
export const DEFAULT_MAX_RATE = 1_000_000;
export const DEFAULT_RESOLUTION = 0.05;
export const DEFAULT_MAX_STEPS = 16;
export const DEFAULT_CAPACITY_MAX_VUS = 500;

/**
 * What a capacity search takes, already checked where it was given (the CLI's flags): runCapacity
 * checks none of it again. Unset ones take the defaults above.
 */
export interface CapacityOptions extends IdentityOptions {
  /** An http(s) URL the caller may load (loopback, or --allow-real-issue with a budget); absent = the embedded provider. */
  target?: string;
  batchSizes?: number[];
  stepSeconds?: number;
  coolDownSeconds?: number;
  /** First offered rate and the ceiling, customers/s. */
  startRate?: number;
  maxRate?: number;
  resolution?: number;
  maxSteps?: number;
  maxVus?: number;
  /** k6 processes per step, with the k6-operator's execution segments; their figures merged (default 1). */
  runners?: number;
  slos?: Slo[];
  /** Customers sent at most over the whole run (preflight included; at least PREFLIGHT_CUSTOMERS); required for a real host. */
  budgetCustomers?: number;
  basic?: string;
  token?: string;
  oauth?: OAuthCredential;
  customersCsv?: string;
  out?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  k6Path?: string;
  /** Progress lines (one per step). */
  onProgress?: (line: string) => void;
}
