// What the bulk helper (bulk.ts) is asked, tells and answers: its options, the events it emits for
// logs and its result; and the settings its options come down to, checked once with defaults filled.
import {
  DEFAULT_CLIENT_BACKOFF_BASE_MS,
  DEFAULT_CLIENT_BACKOFF_MAX_MS,
  DEFAULT_CLIENT_BATCH_SIZE,
  DEFAULT_CLIENT_CONCURRENCY,
  DEFAULT_CLIENT_MAX_ATTEMPTS,
  DEFAULT_CLIENT_MAX_RATE_LIMIT_WAITS,
  DEFAULT_CLIENT_MAX_RETRY_AFTER_MS,
} from '../config/defaults.js';
import type {
  CustomerIdentifier,
  DirectEarnRequest,
  EntityType,
  IdentifierName,
  PromotionDetails,
} from '../openapi/index.js';
import type { CustomerOutcome, OutcomeCounts } from './outcomes.js';
import type { Backoff } from './retry.js';

export interface BulkEarnOptions {
  type?: EntityType;
  promotionDetails: PromotionDetails;
  identifierName: IdentifierName;
  customers: readonly CustomerIdentifier[];
  /** Customers per request (default DEFAULT_CLIENT_BATCH_SIZE). */
  batchSize?: number;
  /** The host's BULK_API_BATCH_SIZE_FOR_REDIRECTION when redirection is enabled: batches never exceed it. */
  redirectionBatchSize?: number;
  /** Requests in flight at once (default DEFAULT_CLIENT_CONCURRENCY). */
  concurrency?: number;
  /** Failure attempts per batch, first included; 429s do not count (default DEFAULT_CLIENT_MAX_ATTEMPTS). */
  maxAttempts?: number;
  /** 429 answers a batch waits out before giving up (default DEFAULT_CLIENT_MAX_RATE_LIMIT_WAITS). */
  maxRateLimitWaits?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** A Retry-After longer than this fails the batch instead of waiting (default 60 s). */
  maxRetryAfterMs?: number;
  /** Re-send batches that may have been processed (5xx, lost connection). Off by default: see bulk.ts. */
  retryAmbiguous?: boolean;
  /**
   * Asked after an ambiguous failure (5xx, connection lost after sending): did the server process
   * this request? 'not-processed' makes the batch safe to retry; outcomes (one per customer of the
   * request) settle it; undefined leaves its customers `unknown` (or re-sent under retryAmbiguous).
   */
  reconcile?: (
    request: DirectEarnRequest,
    reason: string,
  ) => Promise<CustomerOutcome[] | 'not-processed' | undefined>;
  /** Called on every retry and final failure, for logs. */
  onEvent?: (event: BulkEvent) => void;
  /** Injected for tests. */
  sleep?: (ms: number) => Promise<void>;
  /** Random source of the jitter (tests inject a seeded one). */
  random?: () => number;
}

export type BulkEvent =
  | {
      type: 'retry';
      batch: number;
      /** Failure attempts so far (429 waits not counted). */
      attempt: number;
      /** 'rate-limit': a 429 wait; 'failure': a failure attempt. */
      cause: 'rate-limit' | 'failure';
      delayMs: number;
      reason: string;
    }
  | { type: 'split'; batch: number; size: number }
  | { type: 'reconciled'; batch: number; processed: boolean; reason: string }
  | { type: 'gave-up'; batch: number; kind: 'rejected' | 'unknown'; reason: string };

export interface BulkEarnResult {
  /** Exactly one outcome per input customer, in input order. */
  outcomes: CustomerOutcome[];
  counts: OutcomeCounts;
  /** `earned`, `warned` or `failed` outcomes with ambiguousAttempts > 0 (retryAmbiguous only). */
  possiblyDuplicated: number;
  /** Requests sent, retries among them, and batches the input was cut into. */
  requests: number;
  retries: number;
  batches: number;
}

/** The options as the helper uses them: numbers checked, defaults filled, hooks always present. */
export interface BulkSettings {
  /** The requested batch size, never above the host's redirection batch size. */
  batchSize: number;
  concurrency: number;
  maxAttempts: number;
  maxWaits: number;
  backoff: Backoff;
  maxRetryAfterMs: number;
  retryAmbiguous: boolean | undefined;
  reconcile: BulkEarnOptions['reconcile'];
  sleep: (ms: number) => Promise<void>;
  emit: (event: BulkEvent) => void;
}

function positiveInt(v: number | undefined, name: string, fallback: number): number {
  if (v === undefined) return fallback;
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a whole number >= 1, got ${v}`);
  return v;
}

function nonNegativeInt(v: number | undefined, name: string, fallback: number): number {
  if (v === undefined) return fallback;
  if (!Number.isInteger(v) || v < 0) throw new Error(`${name} must be a whole number >= 0, got ${v}`);
  return v;
}

/** Checks the numbers in the order they are documented (the first bad one throws, naming it) and fills defaults. */
export function settleBulkOptions(options: BulkEarnOptions): BulkSettings {
  const requested = positiveInt(options.batchSize, 'batchSize', DEFAULT_CLIENT_BATCH_SIZE);
  const redirection =
    options.redirectionBatchSize === undefined
      ? undefined
      : positiveInt(options.redirectionBatchSize, 'redirectionBatchSize', 1);
  return {
    batchSize: redirection === undefined ? requested : Math.min(requested, redirection),
    concurrency: positiveInt(options.concurrency, 'concurrency', DEFAULT_CLIENT_CONCURRENCY),
    maxAttempts: positiveInt(options.maxAttempts, 'maxAttempts', DEFAULT_CLIENT_MAX_ATTEMPTS),
    maxWaits: nonNegativeInt(
      options.maxRateLimitWaits,
      'maxRateLimitWaits',
      DEFAULT_CLIENT_MAX_RATE_LIMIT_WAITS,
    ),
    backoff: {
      baseMs: options.backoffBaseMs ?? DEFAULT_CLIENT_BACKOFF_BASE_MS,
      maxMs: options.backoffMaxMs ?? DEFAULT_CLIENT_BACKOFF_MAX_MS,
      random: options.random ?? Math.random,
    },
    maxRetryAfterMs: options.maxRetryAfterMs ?? DEFAULT_CLIENT_MAX_RETRY_AFTER_MS,
    retryAmbiguous: options.retryAmbiguous,
    reconcile: options.reconcile,
    sleep: options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms))),
    emit: options.onEvent ?? (() => {}),
  };
}
