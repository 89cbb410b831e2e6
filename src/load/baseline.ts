// Comparing a run with an earlier summary.json: customers/s and p95 per batch size, and whether the
// run is worse than the allowed regression (`directearn load --baseline`).
import type { LoadSummary } from './summary.js';

/** One batch size measured in both runs. */
export interface BatchDelta {
  batchSize: number;
  baselineCustomersPerSecond: number;
  customersPerSecond: number;
  /** (now - baseline) / baseline; negative is slower. */
  customersPerSecondChange: number;
  baselineP95Ms: number;
  p95Ms: number;
  /** (now - baseline) / baseline; positive is slower. */
  p95Change: number;
  /** Customers/s fell, or p95 rose, by more than the allowed regression. */
  regressed: boolean;
}

export interface Comparison {
  /** The allowed regression as a share (0.1 = 10%). */
  maxRegression: number;
  baselineStartedAt: string;
  deltas: BatchDelta[];
  /** Batch sizes only one of the runs measured. */
  onlyInBaseline: number[];
  onlyInRun: number[];
  regressed: boolean;
}

/** A share from "10%", "10" (percent) or "0.1%"; undefined when not a percentage from 0 to 1000. */
export function parseRegression(raw: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)%?$/.exec(raw.trim());
  if (m === null) return undefined;
  const pct = Number(m[1]);
  return pct > 1000 ? undefined : pct / 100;
}

const change = (now: number, before: number): number => (before === 0 ? 0 : (now - before) / before);

/** Compares every batch size both summaries measured; the change is rounded to 0.01% first. */
export function compareRuns(run: LoadSummary, baseline: LoadSummary, maxRegression: number): Comparison {
  const before = new Map(baseline.batches.map((b) => [b.batchSize, b]));
  const now = new Map(run.batches.map((b) => [b.batchSize, b]));
  const deltas: BatchDelta[] = [];
  // Rounding keeps a change that prints as exactly the threshold from failing on float noise.
  const r = (n: number) => Math.round(n * 10_000) / 10_000;
  for (const b of run.batches) {
    const old = before.get(b.batchSize);
    if (old === undefined) continue;
    const cps = r(change(b.customersPerSecond, old.customersPerSecond));
    const p95 = r(change(b.latencyMs.p95, old.latencyMs.p95));
    deltas.push({
      batchSize: b.batchSize,
      baselineCustomersPerSecond: old.customersPerSecond,
      customersPerSecond: b.customersPerSecond,
      customersPerSecondChange: cps,
      baselineP95Ms: old.latencyMs.p95,
      p95Ms: b.latencyMs.p95,
      p95Change: p95,
      regressed: -cps > maxRegression || p95 > maxRegression,
    });
  }
  return {
    maxRegression,
    baselineStartedAt: baseline.startedAt,
    deltas,
    onlyInBaseline: baseline.batches.map((b) => b.batchSize).filter((s) => !now.has(s)),
    onlyInRun: run.batches.map((b) => b.batchSize).filter((s) => !before.has(s)),
    regressed: deltas.some((d) => d.regressed),
  };
}

const signed = (share: number): string => `${share >= 0 ? '+' : ''}${(share * 100).toFixed(1)}%`;

/** The comparison as terminal lines. */
export function comparisonLines(c: Comparison): string[] {
  const lines = [
    `against the baseline of ${c.baselineStartedAt} (regression allowed: ${(c.maxRegression * 100).toFixed(1)}%):`,
    'batch  customers/s (baseline -> now, change)      p95 ms (baseline -> now, change)',
  ];
  for (const d of c.deltas) {
    lines.push(
      `${String(d.batchSize).padStart(5)}  ${`${d.baselineCustomersPerSecond.toFixed(0)} -> ${d.customersPerSecond.toFixed(0)}`.padStart(22)} ${signed(d.customersPerSecondChange).padStart(8)}  ${`${d.baselineP95Ms.toFixed(1)} -> ${d.p95Ms.toFixed(1)}`.padStart(20)} ${signed(d.p95Change).padStart(8)}${d.regressed ? '  REGRESSED' : ''}`,
    );
  }
  if (c.deltas.length === 0) lines.push('no batch size was measured in both runs: nothing to compare');
  if (c.onlyInBaseline.length > 0) lines.push(`only in the baseline: batch ${c.onlyInBaseline.join(', ')}`);
  if (c.onlyInRun.length > 0) lines.push(`not in the baseline: batch ${c.onlyInRun.join(', ')}`);
  return lines;
}
