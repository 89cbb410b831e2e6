// summary.json: the figures of a load run per batch size (what `load` writes and `plan`, `--baseline`
// and the report read; src/load/read-k6-summary.ts builds them from k6's end-of-test data), checked
// and read back from any earlier version.
import { readJsonInput } from '../input/file.js';

export interface BatchFigures {
  batchSize: number;
  requests: number;
  requestsPerSecond: number;
  /** requestsPerSecond x batchSize: customers SENT per second, whatever the answer (not the headline). */
  customersPerSecond: number;
  /**
   * Customers ISSUED per second, the headline: customersPerSecond x the share of requests answered
   * 200 x issuedRate. An 8890-warned customer was not issued and is not in it (schemaVersion 3;
   * derived from the shares when an older file is read).
   */
  issuedPerSecond: number;
  latencyMs: { p50: number; p95: number; p99: number };
  /** Share of HTTP requests that failed (non-2xx, or no answer). */
  failedRequestRate: number;
  /** Share of answered customers with an error entry: failed. */
  entityFailureRate: number;
  /** Share of answered customers with a warning entry (8890): warned, NOT issued. */
  warningRate: number;
  /**
   * Share of answered customers issued (neither failed nor warned): 1 - entityFailureRate -
   * warningRate, 0 when no answer was read (schemaVersion 3; derived when an older file is read).
   */
  issuedRate: number;
  /**
   * Customers of the answers read, by outcome: issued (earned), warned (8890, not issued), failed
   * (an error entry). They add up to the customers answered; with `sampled` they are a sample.
   * schemaVersion 3; absent when an older file is read.
   */
  issued?: number;
  warned?: number;
  failed?: number;
  /**
   * `load --repeat N`: issued/s and p95 of every run of this batch size (the figures above are those
   * of the run with the median issued/s); what `--baseline` measures the noise with.
   */
  repeats?: { issuedPerSecond: number[]; p95Ms: number[] };
  /** Iterations k6 could not start because maxVUs were busy: the target was saturated. */
  droppedIterations: number;
  /** Arrival rate k6 offered, requests/s (schemaVersion 2; absent in version 1 files). */
  offeredRequestsPerSecond?: number;
  /** Concurrency cap of the scenario: k6's maxVUs (schemaVersion 2; absent in version 1 files). */
  maxVus?: number;
  /**
   * Present when entityFailureRate and warningRate come from a sample: one answer in `every` was
   * read (k6/answers.ts). Requests, latency, failed requests and customers/s are always exact.
   */
  sampled?: { every: number };
}

/** Requests k6 got answers for in one second of the rate run. */
export interface RateSecond {
  /** Seconds since the run's first request. */
  second: number;
  /** 2xx answers. */
  accepted: number;
  /** 429 answers. */
  refused: number;
  /** Anything else: other statuses and requests without an answer. */
  failed: number;
}

export interface RateFigures {
  configuredLimitRps?: number;
  /** Accepted requests/s once the limit bites; null when no 429 came back. */
  detectedLimitRps: number | null;
  /** Whether the target accepted again after waiting Retry-After; null when no 429 came back. */
  retryAfterHonoured: boolean | null;
  /**
   * The limit's window when a 429 came: 'minute' when its Retry-After pointed past the next second
   * (the real CRM's quotas are per minute per API key), with the quota per minute the target stated
   * in X-RateLimit-Limit, when it did.
   */
  window?: 'second' | 'minute';
  limitPerMinute?: number;
  /** Every 429 of the run (ramp, steady window and recovery). */
  refusedRequests?: number;
  /** Accepted, refused and failed requests per second of the run (schemaVersion 2). */
  timeline?: RateSecond[];
}

/** The schemaVersion this version writes; every version in READABLE_SCHEMA_VERSIONS is read. */
export const SCHEMA_VERSION = 3;
export const READABLE_SCHEMA_VERSIONS: readonly number[] = [1, 2, 3];

export interface LoadSummary {
  /** 3 adds issued / warned / failed, issuedRate and issuedPerSecond per batch size. */
  schemaVersion: 1 | 2 | 3;
  target: string;
  startedAt: string;
  batches: BatchFigures[];
  rate?: RateFigures;
}

export interface ThresholdResult {
  metric: string;
  expression: string;
  ok: boolean;
}

const round = (n: number, digits = 2): number => {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
};

/** Checks whether a parsed JSON value is a summary this version writes, naming the first field at fault. */
export function summaryProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'not a JSON object';
  const s = value as Partial<LoadSummary>;
  if (!READABLE_SCHEMA_VERSIONS.includes(s.schemaVersion as number))
    return `schemaVersion is ${JSON.stringify(s.schemaVersion)}, this version reads ${READABLE_SCHEMA_VERSIONS.slice(0, -1).join(', ')} and ${READABLE_SCHEMA_VERSIONS.at(-1)}`;
  if (typeof s.target !== 'string') return 'target is not a string';
  if (typeof s.startedAt !== 'string') return 'startedAt is not a string';
  if (!Array.isArray(s.batches)) return 'batches is not an array';
  for (const [i, b] of s.batches.entries()) {
    for (const k of [
      'batchSize',
      'requests',
      'requestsPerSecond',
      'customersPerSecond',
      'failedRequestRate',
      'entityFailureRate',
      'warningRate',
      'droppedIterations',
    ] as const) {
      if (typeof b[k] !== 'number') return `batches[${i}].${k} is not a number`;
    }
    for (const k of ['p50', 'p95', 'p99'] as const) {
      if (typeof b.latencyMs?.[k] !== 'number') return `batches[${i}].latencyMs.${k} is not a number`;
    }
    const since3 = s.schemaVersion === 3 ? (['issuedPerSecond', 'issuedRate'] as const) : [];
    for (const k of since3) if (typeof b[k] !== 'number') return `batches[${i}].${k} is not a number`;
    for (const k of ['offeredRequestsPerSecond', 'maxVus', 'issued', 'warned', 'failed'] as const) {
      if (b[k] !== undefined && typeof b[k] !== 'number') return `batches[${i}].${k} is not a number`;
    }
    const r = b.repeats;
    if (
      r !== undefined &&
      !(
        Array.isArray(r?.issuedPerSecond) &&
        Array.isArray(r?.p95Ms) &&
        [...r.issuedPerSecond, ...r.p95Ms].every((v) => typeof v === 'number')
      )
    )
      return `batches[${i}].repeats must hold issuedPerSecond and p95Ms, lists of numbers`;
    if (b.sampled !== undefined && typeof b.sampled?.every !== 'number')
      return `batches[${i}].sampled.every is not a number`;
  }
  return s.rate === undefined ? undefined : rateProblem(s.rate);
}

/**
 * The rate figures' fields, checked before any reaches a report: a string where a number belongs
 * (`configuredLimitRps: "<meta http-equiv=refresh ...>"`) would reach plan --html as markup.
 */
function rateProblem(rate: unknown): string | undefined {
  if (typeof rate !== 'object' || rate === null || Array.isArray(rate)) return 'rate is not an object';
  const r = rate as Record<string, unknown>;
  const isNumber = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
  for (const k of ['configuredLimitRps', 'refusedRequests'] as const)
    if (r[k] !== undefined && !isNumber(r[k])) return `rate.${k} is not a number`;
  if (r.detectedLimitRps !== undefined && r.detectedLimitRps !== null && !isNumber(r.detectedLimitRps))
    return 'rate.detectedLimitRps is not a number or null';
  if (
    r.retryAfterHonoured !== undefined &&
    r.retryAfterHonoured !== null &&
    typeof r.retryAfterHonoured !== 'boolean'
  )
    return 'rate.retryAfterHonoured is not true, false or null';
  if (r.timeline === undefined) return undefined;
  if (!Array.isArray(r.timeline)) return 'rate.timeline is not an array';
  for (const [i, t] of r.timeline.entries()) {
    for (const k of ['second', 'accepted', 'refused', 'failed'] as const) {
      if (!isNumber((t as Record<string, unknown> | null)?.[k]))
        return `rate.timeline[${i}].${k} is not a number`;
    }
  }
  return undefined;
}

/**
 * Reads a summary.json of any readable schemaVersion; a file that is missing, not JSON or not a
 * summary becomes a UserFacingError naming `what` (the flag) and the file.
 */
export function readSummary(path: string, what: string): LoadSummary {
  return withIssued(readJsonInput<LoadSummary>(path, what, 'a load summary', summaryProblem));
}

/**
 * A summary of schemaVersion 1 or 2 with issuedRate and issuedPerSecond derived from its shares
 * (those files counted an 8890-warned customer in customers/s; this does not); version 3 as it is.
 * The schemaVersion stays the file's, and issued / warned / failed stay absent: they were not counted.
 */
export function withIssued(summary: LoadSummary): LoadSummary {
  if (summary.schemaVersion === 3) return summary;
  return {
    ...summary,
    batches: summary.batches.map((b) => {
      // Without a count of answered customers, a run whose every request failed answered nobody.
      const answeredAny = b.requests > 0 && b.failedRequestRate < 1;
      const issuedRate = answeredAny ? Math.max(0, 1 - b.entityFailureRate - b.warningRate) : 0;
      return {
        ...b,
        issuedRate: round(issuedRate, 4),
        issuedPerSecond: round(b.customersPerSecond * (1 - b.failedRequestRate) * issuedRate),
      };
    }),
  };
}

/**
 * One summary of N runs of the same batch sizes (`load --repeat N`): per batch size the figures of
 * the run with the median issued/s, and every run's issued/s and p95 in `repeats`.
 */
export function withRepeats(runs: readonly LoadSummary[]): LoadSummary {
  const first = runs[0];
  if (first === undefined) throw new Error('withRepeats needs at least one run');
  if (runs.length === 1) return first;
  return {
    ...first,
    batches: first.batches.map((b) => {
      const all = runs.flatMap((s) => s.batches.filter((x) => x.batchSize === b.batchSize));
      const sorted = [...all].sort((x, y) => x.issuedPerSecond - y.issuedPerSecond);
      const median = sorted[Math.floor((sorted.length - 1) / 2)] ?? b;
      return {
        ...median,
        repeats: {
          issuedPerSecond: all.map((x) => x.issuedPerSecond),
          p95Ms: all.map((x) => x.latencyMs.p95),
        },
      };
    }),
  };
}
