// Merging latency sketches (k6/sketch.ts: k6's percentiles on a grid of ranks) of several runners
// into the percentiles of the whole run, with a stated bound.
//
// Each runner's sketch gives its empirical distribution function F_i at the grid's values; between
// two of them F_i is taken as linear. The whole run's F is the mean of the F_i weighted by their
// sample counts, and a merged percentile is where that F reaches the rank. k6's p(g) of n samples
// sits at position g(n-1) of the sorted samples, so on [p(g_j), p(g_j+1)) the true F_i lies within
// [g_j - 1/n_i, g_j+1 + 1/n_i]: the estimate is off by at most one grid step plus 1/n_i, and the
// weighted mean by at most one step plus runners/N. Hence the bound below, in percentile points.

/** A runner's sketch as merge reads it. */
export interface RankedSketch {
  count: number;
  /** Ranks in percent, increasing, from 0 (min) to 100 (max). */
  ranks: readonly number[];
  /** Values at those ranks, non-decreasing. */
  values: readonly number[];
}

/**
 * The rank error of a merged percentile, in percentile points: a merged p(q) lies between the exact
 * p(q - e) and p(q + e) of every runner's samples pooled, e = the largest step of the grids +
 * 100 x runners / samples (the discreteness of k6's percentile positions).
 */
export function mergedRankBound(sketches: readonly RankedSketch[]): number {
  const used = sketches.filter((s) => s.count > 0);
  const n = used.reduce((sum, s) => sum + s.count, 0);
  if (n === 0) return 0;
  const step = Math.max(
    ...used.map((s) => Math.max(...s.ranks.slice(1).map((r, i) => r - (s.ranks[i] ?? 0)))),
  );
  return step + (100 * used.length) / n;
}

/** F_i(x) in percent: from the left (`left`, the share strictly below x) or from the right (at or below x). */
function rankAt(s: RankedSketch, x: number, left: boolean): number {
  const v = s.values;
  const last = v.length - 1;
  const first = v[0] ?? 0;
  const top = v[last] ?? 0;
  if (left ? x <= first : x < first) return 0;
  if (left ? x > top : x >= top) return 100;
  // The last grid value below x (left) or at or below x (right): binary search.
  let lo = 0;
  let hi = last;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    const m = v[mid] as number;
    if (left ? m < x : m <= x) lo = mid;
    else hi = mid;
  }
  const a = v[lo] as number;
  const b = v[lo + 1] as number;
  const ra = s.ranks[lo] as number;
  const rb = s.ranks[lo + 1] as number;
  return b > a ? ra + ((rb - ra) * (x - a)) / (b - a) : rb;
}

/** The whole run's F(x) in percent, each runner weighted by its samples. */
function pooledRank(sketches: readonly RankedSketch[], total: number, x: number, left: boolean): number {
  let sum = 0;
  for (const s of sketches) sum += s.count * rankAt(s, x, left);
  return sum / total;
}

/**
 * The whole run's percentile `rank` (0..100) from the runners' sketches, within mergedRankBound.
 * With one runner it is that runner's own value at every rank of its grid.
 */
export function mergedPercentile(sketches: readonly RankedSketch[], rank: number): number {
  const used = sketches.filter((s) => s.count > 0 && s.values.length > 1);
  const total = used.reduce((n, s) => n + s.count, 0);
  if (total === 0) return 0;
  if (rank <= 0) return Math.min(...used.map((s) => s.values[0] as number));
  if (rank >= 100) return Math.max(...used.map((s) => s.values.at(-1) as number));
  // F is linear between consecutive values of all the grids: find the piece where it reaches rank.
  const points = [...new Set(used.flatMap((s) => s.values))].sort((a, b) => a - b);
  let previous = points[0] as number;
  let previousRank = pooledRank(used, total, previous, false);
  if (previousRank >= rank) return previous;
  for (const x of points.slice(1)) {
    const below = pooledRank(used, total, x, true);
    if (below >= rank) return previous + ((x - previous) * (rank - previousRank)) / (below - previousRank);
    const at = pooledRank(used, total, x, false);
    if (at >= rank) return x;
    previous = x;
    previousRank = at;
  }
  return previous;
}

/** k6's percentile (Go TrendSink.P): linear interpolation at position rank/100 x (n-1) of sorted samples. */
export function k6Percentile(sorted: readonly number[], rank: number): number {
  if (sorted.length === 0) return 0;
  if (sorted.length === 1) return sorted[0] as number;
  const i = (rank / 100) * (sorted.length - 1);
  const lo = sorted[Math.floor(i)] as number;
  const hi = sorted[Math.ceil(i)] as number;
  return lo + (hi - lo) * (i - Math.floor(i));
}
