// Comparing a run with one or more earlier summary.json files (`directearn load --baseline`): issued
// customers/s and p95 per batch size, judged against the noise the runs themselves show. A change
// is a regression only when it is beyond the allowed share AND the ranges of the runs do not overlap
// (min/max across repeats: every run now is worse than every baseline run); the verdict says which.
import type { BatchFigures, LoadSummary } from './summary.js';

/**
 * The allowed regression when none is given: 30%. From the noise of five identical runs on a shared
 * 2-core machine (docs/campaign-performance.md "Baseline", `load --repeat 5`, 2026-12-06): issued/s moved up to 8-24% from
 * its median at batch 10-1000 (64% at batch 1, one stalled run), so a smaller threshold flags noise.
 * p95 of answers of a few ms moved 26-78% (610% with the stall): beyond the threshold that noise is
 * left to the spread rule, which is why a run with --baseline repeats (DEFAULT_BASELINE_REPEAT).
 */
export const DEFAULT_MAX_REGRESSION = 0.3;

/** Runs per batch size when --baseline is given and --repeat is not: enough for a min/max spread. */
export const DEFAULT_BASELINE_REPEAT = 3;

/** The smallest and largest value of the runs, and their median. */
export interface Spread {
  min: number;
  median: number;
  max: number;
  /** How many runs. */
  runs: number;
}

/** How sure a verdict on one figure is. */
export type Sureness =
  /** Every run now is worse (or better) than every baseline run: the ranges do not overlap. */
  | 'apart'
  /** The ranges overlap: the change is within the noise the runs show. */
  | 'overlap'
  /** One run on each side: no spread was measured, the threshold alone decides. */
  | 'no spread';

/** One figure of one batch size in both runs. */
export interface FigureDelta {
  baseline: Spread;
  now: Spread;
  /** (now - baseline) / baseline of the medians, rounded to 0.01%. */
  change: number;
  sure: Sureness;
  /** Worse by more than the allowed share and not within the runs' spread. */
  regressed: boolean;
}

/** One batch size measured in both runs. */
export interface BatchDelta {
  batchSize: number;
  /** Issued customers per second (higher is better). */
  issuedPerSecond: FigureDelta;
  /** p95 latency per request, ms (lower is better). */
  p95Ms: FigureDelta;
  regressed: boolean;
}

export interface Comparison {
  /** The allowed regression as a share (0.25 = 25%). */
  maxRegression: number;
  /** startedAt of each baseline summary. */
  baselineStartedAt: string[];
  deltas: BatchDelta[];
  /** Batch sizes only one of the runs measured. */
  onlyInBaseline: number[];
  onlyInRun: number[];
  regressed: boolean;
  /** One line: the verdict and how sure it is. */
  verdict: string;
}

/** A share from "10%", "10" (percent) or "0.1%"; undefined when not a percentage from 0 to 1000. */
export function parseRegression(raw: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)%?$/.exec(raw.trim());
  if (m === null) return undefined;
  const pct = Number(m[1]);
  return pct > 1000 ? undefined : pct / 100;
}

function spread(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median =
    sorted.length % 2 === 1
      ? (sorted[mid] as number)
      : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return { min: sorted[0] ?? 0, median, max: sorted.at(-1) ?? 0, runs: sorted.length };
}

/** The issued/s of every run of a batch size (its repeats, else its one figure). */
const issuedRuns = (b: BatchFigures): number[] => b.repeats?.issuedPerSecond ?? [b.issuedPerSecond];
const p95Runs = (b: BatchFigures): number[] => b.repeats?.p95Ms ?? [b.latencyMs.p95];

// Rounding keeps a change that prints as exactly the threshold from failing on float noise.
const r4 = (n: number) => Math.round(n * 10_000) / 10_000;

/**
 * One figure judged: worse by more than `allowed`, and (with runs on both sides) every run now worse
 * than every baseline run. `higherIsBetter` says which way is worse.
 */
function judge(before: number[], after: number[], allowed: number, higherIsBetter: boolean): FigureDelta {
  const baseline = spread(before);
  const now = spread(after);
  const change = r4(baseline.median === 0 ? 0 : (now.median - baseline.median) / baseline.median);
  const worse = higherIsBetter ? -change : change;
  const apart = higherIsBetter ? now.max < baseline.min : now.min > baseline.max;
  const better = higherIsBetter ? now.min > baseline.max : now.max < baseline.min;
  // With runs repeated on at least one side, "apart" means every run now beats (or trails) every
  // baseline run: a single baseline run is judged against the spread of the runs now.
  const sure: Sureness =
    baseline.runs < 2 && now.runs < 2 ? 'no spread' : apart || better ? 'apart' : 'overlap';
  return { baseline, now, change, sure, regressed: worse > allowed && (sure === 'no spread' || apart) };
}

const signed = (share: number): string => `${share >= 0 ? '+' : ''}${(share * 100).toFixed(1)}%`;

/** The verdict line: what regressed (or the largest move), and how sure. */
function verdictOf(deltas: BatchDelta[], allowed: number): string {
  const figures = deltas.flatMap((d) => [
    { d, name: 'issued/s', f: d.issuedPerSecond, worse: -d.issuedPerSecond.change },
    { d, name: 'p95', f: d.p95Ms, worse: d.p95Ms.change },
  ]);
  const bad = figures.filter((x) => x.f.regressed);
  const runs = (f: FigureDelta) => `${f.now.runs} run(s) now, ${f.baseline.runs} in the baseline`;
  if (bad.length > 0) {
    const x = bad.reduce((a, b) => (b.worse > a.worse ? b : a));
    const how =
      x.f.sure === 'apart'
        ? `sure: every run now is worse than every baseline run (${runs(x.f)})`
        : `not sure: one run on each side, no spread measured (${runs(x.f)}); --repeat 3 and more --baseline files show the noise`;
    return `REGRESSED: batch ${x.d.batchSize} ${x.name} ${signed(x.f.change)}, beyond the allowed ${(allowed * 100).toFixed(1)}%; ${how}`;
  }
  const noisy = figures.filter((x) => x.worse > allowed);
  if (noisy.length > 0) {
    const x = noisy.reduce((a, b) => (b.worse > a.worse ? b : a));
    return `no regression: batch ${x.d.batchSize} ${x.name} ${signed(x.f.change)} is beyond the allowed ${(allowed * 100).toFixed(1)}% but within the runs' spread (their min/max ranges overlap; ${runs(x.f)})`;
  }
  if (deltas.length === 0) return 'no batch size was measured in both runs: nothing to compare';
  const spreadKnown = figures.every((x) => x.f.sure !== 'no spread');
  return `no regression: every change is within the allowed ${(allowed * 100).toFixed(1)}%${spreadKnown ? '' : ' (one run on each side: no spread measured)'}`;
}

/**
 * Compares every batch size the run and the baselines measured: the baselines' runs (each file's
 * repeats, or its one figure) pooled per batch size, against the run's repeats.
 */
export function compareRuns(
  run: LoadSummary,
  baselines: LoadSummary | readonly LoadSummary[],
  maxRegression: number,
): Comparison {
  const list = Array.isArray(baselines) ? baselines : [baselines as LoadSummary];
  const before = new Map<number, BatchFigures[]>();
  for (const s of list)
    for (const b of s.batches) before.set(b.batchSize, [...(before.get(b.batchSize) ?? []), b]);
  const now = new Map(run.batches.map((b) => [b.batchSize, b]));
  const deltas: BatchDelta[] = [];
  for (const b of run.batches) {
    const old = before.get(b.batchSize);
    if (old === undefined) continue;
    const issued = judge(old.flatMap(issuedRuns), issuedRuns(b), maxRegression, true);
    const p95 = judge(old.flatMap(p95Runs), p95Runs(b), maxRegression, false);
    deltas.push({
      batchSize: b.batchSize,
      issuedPerSecond: issued,
      p95Ms: p95,
      regressed: issued.regressed || p95.regressed,
    });
  }
  return {
    maxRegression,
    baselineStartedAt: list.map((s) => s.startedAt),
    deltas,
    onlyInBaseline: [...before.keys()].filter((s) => !now.has(s)),
    onlyInRun: run.batches.map((b) => b.batchSize).filter((s) => !before.has(s)),
    regressed: deltas.some((d) => d.regressed),
    verdict: verdictOf(deltas, maxRegression),
  };
}

const range = (s: Spread, digits: number): string =>
  s.runs > 1
    ? `${s.median.toFixed(digits)} [${s.min.toFixed(digits)}..${s.max.toFixed(digits)}]`
    : s.median.toFixed(digits);

/** The comparison as terminal lines. */
export function comparisonLines(c: Comparison): string[] {
  const lines = [
    `against the baseline of ${c.baselineStartedAt.join(', ')} (regression allowed: ${(c.maxRegression * 100).toFixed(1)}%, and beyond the runs' min/max spread):`,
    'batch  issued/s baseline -> now (change)                  p95 ms baseline -> now (change)',
  ];
  for (const d of c.deltas) {
    const i = d.issuedPerSecond;
    const p = d.p95Ms;
    lines.push(
      `${String(d.batchSize).padStart(5)}  ${`${range(i.baseline, 0)} -> ${range(i.now, 0)}`.padEnd(34)} ${signed(i.change).padStart(8)}  ${`${range(p.baseline, 1)} -> ${range(p.now, 1)}`.padEnd(30)} ${signed(p.change).padStart(8)}${d.regressed ? '  REGRESSED' : ''}`,
    );
  }
  if (c.onlyInBaseline.length > 0) lines.push(`only in the baseline: batch ${c.onlyInBaseline.join(', ')}`);
  if (c.onlyInRun.length > 0) lines.push(`not in the baseline: batch ${c.onlyInRun.join(', ')}`);
  lines.push(c.verdict);
  return lines;
}

const cell = (s: Spread, digits: number): string =>
  s.runs > 1
    ? `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)}, ${s.runs} runs)`
    : s.median.toFixed(digits);

/** The comparison as Markdown, for a pull-request comment (`--markdown FILE`). */
export function comparisonMarkdown(c: Comparison, target: string): string {
  const rows = c.deltas.map((d) => {
    const i = d.issuedPerSecond;
    const p = d.p95Ms;
    return `| ${d.batchSize} | ${cell(i.baseline, 0)} | ${cell(i.now, 0)} | ${signed(i.change)} | ${cell(p.baseline, 1)} | ${cell(p.now, 1)} | ${signed(p.change)} | ${d.regressed ? '**REGRESSED**' : i.sure === 'overlap' || p.sure === 'overlap' ? 'ok (within noise)' : 'ok'} |`;
  });
  return [
    `### directEarn load: ${c.regressed ? '❌ regressed' : '✅ no regression'}`,
    '',
    `${c.verdict.replace(/\|/g, '\\|')}`,
    '',
    `Target \`${target.replace(/`/g, "'")}\`; baseline of ${c.baselineStartedAt.join(', ')}. A change counts when it is beyond ${(c.maxRegression * 100).toFixed(1)}% **and** every run now is worse than every baseline run (min/max across repeats).`,
    '',
    '| batch size | issued/s baseline | issued/s now | change | p95 ms baseline | p95 ms now | change | verdict |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...rows,
    ...(c.onlyInBaseline.length > 0
      ? ['', `Only in the baseline: batch ${c.onlyInBaseline.join(', ')}.`]
      : []),
    ...(c.onlyInRun.length > 0 ? ['', `Not in the baseline: batch ${c.onlyInRun.join(', ')}.`] : []),
    '',
  ].join('\n');
}
