// Reading capacity.json back (for `plan`): checked field by field, and turned into the figures a
// load summary gives per batch size, so one plan function decides from either.
import { readJsonInput } from '../input/file.js';
import type { BatchFigures, LoadSummary } from '../load/summary.js';
import { type BatchCapacity, CAPACITY_SCHEMA_VERSION, type CapacityResult } from './result.js';

/** The first field of a parsed capacity.json at fault, or undefined when it is one. */
export function capacityProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'not a JSON object';
  const r = value as Partial<CapacityResult>;
  if (r.schemaVersion !== CAPACITY_SCHEMA_VERSION)
    return `schemaVersion is ${JSON.stringify(r.schemaVersion)}, this version reads ${CAPACITY_SCHEMA_VERSION}`;
  if (typeof r.target !== 'string') return 'target is not a string';
  if (typeof r.startedAt !== 'string') return 'startedAt is not a string';
  if (typeof r.maxVus !== 'number') return 'maxVus is not a number';
  if (!Array.isArray(r.batches)) return 'batches is not an array';
  for (const [i, b] of r.batches.entries()) {
    for (const k of ['batchSize', 'issuedPerSecond', 'requestsPerSecond'] as const)
      if (typeof b?.[k] !== 'number') return `batches[${i}].${k} is not a number`;
    if (typeof b.boundBy !== 'string') return `batches[${i}].boundBy is not a string`;
    if (typeof b.isHostCapacity !== 'boolean') return `batches[${i}].isHostCapacity is not a boolean`;
    if (!Array.isArray(b.steps)) return `batches[${i}].steps is not an array`;
  }
  return undefined;
}

/** Reads capacity.json; a missing, non-JSON or wrong file is a UserFacingError naming `what` and the file. */
export function readCapacity(path: string, what: string): CapacityResult {
  return readJsonInput<CapacityResult>(path, what, 'a capacity.json', capacityProblem);
}

/** The step a batch size's capacity was read from (its confirmed good step). */
function foundStep(b: BatchCapacity) {
  return (
    b.steps.find(
      (s) => s.verdict === 'good' && s.phase === 'confirm' && s.issuedPerSecond === b.issuedPerSecond,
    ) ?? b.steps.find((s) => s.verdict === 'good' && s.issuedPerSecond === b.issuedPerSecond)
  );
}

/**
 * The batch sizes whose capacity was found (the host's, or a rate limit's), as a summary's figures:
 * the sustained rate at the confirmed step's latency. Those bound by the generator or the budget,
 * or without a good step, are left out, with why.
 */
export function capacityAsSummary(r: CapacityResult): {
  summary: LoadSummary;
  left: string[];
  rateLimitRps?: number;
} {
  const batches: BatchFigures[] = [];
  const left: string[] = [];
  let rateLimitRps: number | undefined;
  for (const b of r.batches) {
    if (b.rateLimit !== undefined)
      rateLimitRps = Math.min(rateLimitRps ?? Number.POSITIVE_INFINITY, b.rateLimit.perSecond);
    const step = foundStep(b);
    if (step === undefined || (!b.isHostCapacity && b.boundBy !== 'rate-limit')) {
      left.push(`batch size ${b.batchSize} (bound by ${b.boundBy}: no capacity of the host measured)`);
      continue;
    }
    const answered = 1 - step.errorShare - step.rateLimitedShare;
    batches.push({
      batchSize: b.batchSize,
      requests: step.requests,
      requestsPerSecond: b.requestsPerSecond,
      customersPerSecond: b.requestsPerSecond * b.batchSize,
      issuedPerSecond: b.issuedPerSecond,
      latencyMs: step.latencyMs,
      failedRequestRate: step.errorShare,
      entityFailureRate: step.failedCustomerShare,
      warningRate: step.warnedShare,
      issuedRate: Math.max(0, answered > 0 ? 1 - step.failedCustomerShare - step.warnedShare : 0),
      droppedIterations: 0,
      offeredRequestsPerSecond: step.offeredRequestsPerSecond,
      maxVus: r.maxVus,
    });
  }
  return {
    summary: { schemaVersion: 3, target: r.target, startedAt: r.startedAt, batches } as LoadSummary,
    left,
    ...(rateLimitRps !== undefined ? { rateLimitRps } : {}),
  };
}
