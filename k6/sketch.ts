// The latency sketch of a runner summary: k6's own percentiles of a trend on a fixed grid of ranks,
// dense enough that the sketches of several runners merge into the whole run's percentiles.
// No k6 import, so a unit test reads the same grid.
//
// Why a grid of k6 percentiles and not counters per log-spaced bucket: k6 keeps every sample of a
// trend anyway (its percentiles are exact), so the grid adds no metric sample per request, while a
// bucket counter would add one (and its tag set) to every request on the generator. The grid is
// not free either (k6 computes it for every trend and sub-metric, once, at the end of the run: one
// measure put it at 8 µs per request at batch 1, a side-by-side one saw nothing above the noise,
// docs/benchmarks.md), so only runs whose summaries are merged ask for it
// (DIRECTEARN_LATENCY_SKETCH=1: runner pods, --runners N > 1); the others report SUMMARY_RANKS.
// Bound (src/load/merge-sketches.ts mergedPercentile): a merged p(q) lies between the exact p(q - e) and
// p(q + e) of all the runners' samples pooled, e = SKETCH_STEP + 100 x runners / requests points.
import type { LatencySketch } from './contract.ts';

/** Distance between two ranks of the grid, in percentile points. */
export const SKETCH_STEP = 0.25;

/** Every rank of the grid, in percent: 0, 0.25, ..., 99.75, 100 (0 is k6's min, 100 its max). */
export const SKETCH_RANKS: readonly number[] = Array.from(
  { length: 100 / SKETCH_STEP + 1 },
  (_, i) => i * SKETCH_STEP,
);

/** The name of k6's summary statistic for a rank: min and max at the ends, else p(rank). */
export const sketchStat = (rank: number): string =>
  rank === 0 ? 'min' : rank === 100 ? 'max' : `p(${rank})`;

/** The summaryTrendStats that make k6 report the grid. */
export const SKETCH_TREND_STATS: readonly string[] = SKETCH_RANKS.map(sketchStat);

/**
 * The ranks every summary has without the grid (min, p(50), p(95), p(99), max): the sketch of a run
 * not meant to be merged. One such runner still merges to its own exact p50/p95/p99; several merge
 * with a bound of 50 percentile points (its largest step), which merge states.
 */
export const SUMMARY_RANKS: readonly number[] = [0, 50, 95, 99, 100];

const tenthOfMicrosecond = (ms: number): number => Math.round(ms * 10_000) / 10_000;

/** The sketch of a trend from its summary values (which must include count, avg and the stats of `ranks`). */
export function sketchOf(
  values: Record<string, number> | undefined,
  ranks: readonly number[] = SKETCH_RANKS,
): LatencySketch {
  const v = values ?? {};
  const count = v.count ?? 0;
  return {
    count,
    sum: tenthOfMicrosecond((v.avg ?? 0) * count),
    values: ranks.map((r) => tenthOfMicrosecond(v[sketchStat(r)] ?? 0)),
  };
}
