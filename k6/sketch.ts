// The latency sketch of a runner summary: k6's own percentiles of a trend on a fixed grid of ranks,
// dense enough that the sketches of several runners merge into the whole run's percentiles.
// No k6 import, so a unit test reads the same grid.
//
// Why a grid of k6 percentiles and not counters per log-spaced bucket: k6 keeps every sample of a
// trend anyway (its percentiles are exact), so asking it for more percentiles in summaryTrendStats
// costs nothing per request, only a few hundred lookups in an array k6 sorts once at the end; a
// bucket counter would add a metric sample (and its tag set) to every request on the generator.
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

const tenthOfMicrosecond = (ms: number): number => Math.round(ms * 10_000) / 10_000;

/** The sketch of a trend from its summary values (which must include count, avg and the grid's stats). */
export function sketchOf(values: Record<string, number> | undefined): LatencySketch {
  const v = values ?? {};
  const count = v.count ?? 0;
  return {
    count,
    sum: tenthOfMicrosecond((v.avg ?? 0) * count),
    values: SKETCH_RANKS.map((r) => tenthOfMicrosecond(v[sketchStat(r)] ?? 0)),
  };
}
