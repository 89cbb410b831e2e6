// capacity.json's shape: what `directearn capacity` found per batch size, written by src/capacity/run-capacity.ts,
// drawn by page.ts and read back by read.ts (for `plan`).
import type { BoundBy } from './search.js';
import type { CapacityStep } from './step.js';

export const CAPACITY_SCHEMA_VERSION = 1;

export interface RateLimitSeen {
  perSecond: number;
  perMinute: number;
  /** 'minute' when the target's Retry-After pointed past the next second (a per-minute window). */
  window: 'second' | 'minute';
  /** Where the figure comes from. */
  source: 'X-RateLimit-Limit' | 'accepted requests';
}

export interface BatchCapacity {
  batchSize: number;
  /** Issued customers/s and served requests/s the host sustained at the confirmed step (0 when none held). */
  issuedPerSecond: number;
  requestsPerSecond: number;
  boundBy: BoundBy;
  /** Whether these figures are the host's capacity (false when the generator, the budget or no good step bound it). */
  isHostCapacity: boolean;
  rateLimit?: RateLimitSeen;
  note?: string;
  steps: CapacityStep[];
}

export interface CapacityResult {
  schemaVersion: 1;
  target: string;
  startedAt: string;
  slos: string[];
  stepSeconds: number;
  maxVus: number;
  /** k6 processes per step (present when more than one). */
  runners?: number;
  budgetCustomers?: number;
  customersSent: number;
  batches: BatchCapacity[];
}
