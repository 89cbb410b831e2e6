// `directearn merge`: the runner summaries of one distributed run (read and checked by
// src/load/runner-summaries.ts, their segments by segments.ts) checked to cover the run exactly once
// and merged into one summary.json of the same schema as a single run, plus `runners`.

import type { RunnerBatch, RunnerSummary } from '../config/k6-contract.js';
import { UsageError } from '../errors.js';
import { printable } from '../util/output-path.js';
import { mergedPercentile, mergedRankBound, type RankedSketch } from './merge-sketches.js';
import { customerShares } from './read-k6-summary.js';
import type { RunnerInput } from './runner-summaries.js';
import { coverageProblems } from './segments.js';
import { type BatchFigures, type LoadSummary, SCHEMA_VERSION } from './summary.js';

/** What `runners` of a merged summary.json says about each runner. */
export interface RunnerEntry {
  source: string;
  segment: string;
  startedAt: string;
  requests: number;
  droppedIterations: number;
  batches: { batchSize: number; requests: number; p95Ms: number }[];
}

/** A merged summary: a summary.json like a single run's, plus the runners it adds up. */
export type MergedSummary = LoadSummary & { runners: RunnerEntry[] };

/**
 * The runners must be one run: the same scenario, target, batch sizes, duration, concurrency,
 * identity and segment sequence. A UsageError names the first runner that differs from the first.
 */
function checkSameRun(inputs: readonly RunnerInput[]): void {
  const [first, ...rest] = inputs;
  if (first === undefined) throw new UsageError('merge needs at least one runner summary');
  const key = (r: RunnerSummary): Record<string, string> => ({
    scenario: r.scenario,
    target: r.run.target,
    'batch sizes': r.run.batchSizes.join(','),
    duration: `${r.run.durationSeconds}s`,
    'max VUs': String(r.run.maxVus),
    identity: r.run.identity,
    'segment sequence': r.sequence,
    batches: r.batches.map((b) => `${b.batchSize}@${b.scenario}`).join(','),
  });
  const want = key(first.summary);
  for (const r of rest) {
    const got = key(r.summary);
    for (const [what, value] of Object.entries(want)) {
      if (got[what] !== value) {
        throw new UsageError(
          `${r.source} is not from the same run as ${first.source}: its ${what} is ${printable(JSON.stringify(got[what]))}, not ${printable(JSON.stringify(value))}`,
        );
      }
    }
  }
}

const round = (n: number, digits = 2): number => {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
};

const sum = <T>(items: readonly T[], of: (t: T) => number): number => items.reduce((n, t) => n + of(t), 0);

/** A merged batch size: a single run's figures, plus its 429s (exact: every runner counts them). */
type MergedBatch = BatchFigures & { limited: number };

/**
 * One batch size over every runner: counts summed, rates over the scenario's seconds (as
 * read-k6-summary.ts batchFigures computes a single run's), percentiles merged.
 */
function mergeBatch(
  parts: readonly RunnerBatch[],
  ranks: readonly (readonly number[])[],
  maxVus: number,
): MergedBatch {
  const first = parts[0] as RunnerBatch;
  const seconds = first.seconds;
  const requests = sum(parts, (b) => b.requests);
  const answered = sum(parts, (b) => b.answered);
  const failed = sum(parts, (b) => b.failed);
  const warned = sum(parts, (b) => b.warned);
  const issued = sum(parts, (b) => b.issued);
  const sketches: RankedSketch[] = parts.map((b, i) => ({
    count: b.latencyMs.count,
    ranks: ranks[i] as readonly number[],
    values: b.latencyMs.values,
  }));
  const requestsPerSecond = round(seconds > 0 ? requests / seconds : 0);
  const failedRequestRate = round(requests > 0 ? sum(parts, (b) => b.failedRequests) / requests : 0, 4);
  const issuedRate = answered > 0 ? issued / answered : 0;
  const every = Math.max(...parts.map((b) => b.readEvery));
  return {
    batchSize: first.batchSize,
    requests,
    requestsPerSecond,
    customersPerSecond: round(requestsPerSecond * first.batchSize),
    issuedPerSecond: round(requestsPerSecond * first.batchSize * (1 - failedRequestRate) * issuedRate),
    latencyMs: {
      p50: round(mergedPercentile(sketches, 50)),
      p95: round(mergedPercentile(sketches, 95)),
      p99: round(mergedPercentile(sketches, 99)),
    },
    failedRequestRate,
    ...customerShares(answered, issued, warned, failed),
    limited: sum(parts, (b) => b.limited),
    droppedIterations: sum(parts, (b) => b.droppedIterations),
    offeredRequestsPerSecond: round(
      sum(parts, (b) => b.offeredRequestsPerSecond),
      3,
    ),
    maxVus,
    ...(every > 1 ? { sampled: { every } } : {}),
  };
}

/** The merge of one run's runners, or why it cannot stand for the whole run. */
export interface MergeResult {
  summary: MergedSummary;
  /** Overlaps and gaps of the segments, naming runners: the figures are not the whole run's. */
  coverage: string[];
  /** Per batch size: the rank error of its merged percentiles, in percentile points (merge-sketches.ts). */
  rankBounds: { batchSize: number; points: number }[];
}

/**
 * Merges one run's runner summaries: counts summed, rates over the scenario's duration, percentiles
 * from the merged sketches. A UsageError when they are not from one run; coverage problems returned.
 */
export function mergeRunners(inputs: readonly RunnerInput[]): MergeResult {
  checkSameRun(inputs);
  const first = (inputs[0] as RunnerInput).summary;
  const ranks = inputs.map((r) => r.summary.sketchRanks);
  const batches = first.batches.map((_b, i) =>
    mergeBatch(
      inputs.map((r) => r.summary.batches[i] as RunnerBatch),
      ranks,
      first.run.maxVus,
    ),
  );
  const rankBounds = first.batches.map((b, i) => ({
    batchSize: b.batchSize,
    points: round(
      mergedRankBound(
        inputs.map((r, j) => ({
          count: (r.summary.batches[i] as RunnerBatch).latencyMs.count,
          ranks: ranks[j] as number[],
          values: (r.summary.batches[i] as RunnerBatch).latencyMs.values,
        })),
      ),
      4,
    ),
  }));
  const startedAt = inputs.map((r) => r.summary.startedAt).sort()[0] as string;
  const summary: MergedSummary = {
    schemaVersion: SCHEMA_VERSION as LoadSummary['schemaVersion'],
    target: first.run.target,
    startedAt,
    batches,
    runners: inputs.map((r) => ({
      source: r.source,
      segment: r.summary.segment,
      startedAt: r.summary.startedAt,
      requests: sum(r.summary.batches, (b) => b.requests),
      droppedIterations: sum(r.summary.batches, (b) => b.droppedIterations),
      batches: r.summary.batches.map((b) => ({
        batchSize: b.batchSize,
        requests: b.requests,
        p95Ms: round(
          mergedPercentile(
            [{ count: b.latencyMs.count, ranks: r.summary.sketchRanks, values: b.latencyMs.values }],
            95,
          ),
        ),
      })),
    })),
  };
  if (first.scenario === 'rate') {
    const rates = inputs.map((r) => r.summary.rate).filter((r) => r !== undefined);
    const accepted = sum(rates, (r) => r.accepted);
    const limited = sum(rates, (r) => r.limited);
    const window = rates[0]?.windowSeconds ?? 0;
    const checked = rates.map((r) => r.retryAfterHonoured).filter((h) => h !== null);
    summary.rate = {
      detectedLimitRps: limited > 0 && window > 0 ? round(accepted / window, 1) : null,
      // The runner whose segment holds the recovery's one VU checked it; false anywhere is false.
      retryAfterHonoured: checked.length === 0 ? null : checked.every((h) => h),
      refusedRequests: limited,
    };
  }
  return { summary, coverage: coverageProblems(inputs), rankBounds };
}
