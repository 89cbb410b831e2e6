// SLOs of a load run: figures a user can bound per batch size (`--slo`, `--slo-file`), the default
// set, and their verdicts.

import { SLO } from '../config/k6-contract.js';
import { UsageError } from '../errors.js';
import { readInputText } from '../input/file.js';
import type { BatchFigures } from './summary.js';

/** The figures an SLO can name, read from a batch size's figures. */
export const SLO_FIGURES = {
  p50_ms: (b: BatchFigures) => b.latencyMs.p50,
  p95_ms: (b: BatchFigures) => b.latencyMs.p95,
  p99_ms: (b: BatchFigures) => b.latencyMs.p99,
  failed_requests: (b: BatchFigures) => b.failedRequestRate,
  failed_customers: (b: BatchFigures) => b.entityFailureRate,
  warned_customers: (b: BatchFigures) => b.warningRate,
  issued_customers: (b: BatchFigures) => b.issuedRate,
  requests_per_s: (b: BatchFigures) => b.requestsPerSecond,
  customers_per_s: (b: BatchFigures) => b.customersPerSecond,
  issued_per_s: (b: BatchFigures) => b.issuedPerSecond,
  dropped_iterations: (b: BatchFigures) => b.droppedIterations,
} as const;
export type SloFigure = keyof typeof SLO_FIGURES;

export interface Slo {
  figure: SloFigure;
  op: '<' | '<=' | '>' | '>=' | '==';
  value: number;
}

/** Share of answered customers the default SLOs allow to be warned 8890 (not issued): 5%. */
export const DEFAULT_WARNED_SHARE: number = SLO.warnedShare;

/**
 * k6/contract.ts's SLO, which k6's thresholds hold too: p95 under 2000 ms (k6's own threshold under
 * DIRECTEARN_SLO_P95_MS), under 1% failed requests, no failed customer; and at most 5% warned
 * customers: a run whose promotion did not issue (8890, limit used up) measured the warning path,
 * not a campaign.
 */
export const DEFAULT_SLO_TEXT = [
  `p95_ms<${SLO.p95Ms}`,
  `failed_requests<${SLO.failedRequestRate}`,
  'failed_customers==0',
  `warned_customers<=${DEFAULT_WARNED_SHARE}`,
];

/** One verdict: an SLO at one batch size. */
export interface SloResult {
  batchSize: number;
  slo: string;
  measured: number;
  ok: boolean;
}

/** Parses "p95_ms<500" (or "p95_ms=<500"); a UsageError names `where` and the figures it knows. */
export function parseSlo(raw: string, where = '--slo'): Slo {
  const m = /^\s*([a-z0-9_]+)\s*=?\s*(<=|>=|==|<|>)\s*(-?\d+(?:\.\d+)?)\s*$/.exec(raw);
  if (m === null) {
    throw new UsageError(`${where} must be like p95_ms<500 or failed_requests<0.01, got "${raw}"`);
  }
  if (!((m[1] as string) in SLO_FIGURES)) {
    throw new UsageError(`${where} names "${m[1]}": the figures are ${Object.keys(SLO_FIGURES).join(', ')}`);
  }
  return { figure: m[1] as SloFigure, op: m[2] as Slo['op'], value: Number(m[3]) };
}

/** SLOs of a file: one per line, `#` starts a comment. */
export function readSloFile(path: string): Slo[] {
  let text: string;
  try {
    text = readInputText(path);
  } catch (e) {
    throw new UsageError(`--slo-file ${path} cannot be read: ${(e as NodeJS.ErrnoException).code ?? e}`);
  }
  return text
    .split(/\r?\n/)
    .map((line, i) => [line.replace(/#.*/, '').trim(), i + 1] as const)
    .filter(([line]) => line !== '')
    .map(([line, n]) => parseSlo(line, `--slo-file ${path} line ${n}`));
}

export const sloText = (s: Slo): string => `${s.figure}${s.op}${s.value}`;

function holds(measured: number, s: Slo): boolean {
  switch (s.op) {
    case '<':
      return measured < s.value;
    case '<=':
      return measured <= s.value;
    case '>':
      return measured > s.value;
    case '>=':
      return measured >= s.value;
    default:
      return measured === s.value;
  }
}

/** Every SLO at every batch size, ordered by batch size (numerically), then as the SLOs were given. */
export function checkSlos(batches: BatchFigures[], slos: Slo[]): SloResult[] {
  return [...batches]
    .sort((a, b) => a.batchSize - b.batchSize)
    .flatMap((b) =>
      slos.map((s) => {
        const measured = SLO_FIGURES[s.figure](b);
        return { batchSize: b.batchSize, slo: sloText(s), measured, ok: holds(measured, s) };
      }),
    );
}

/** The p95 bound of a set of SLOs that k6's own threshold should use (k6/config.ts DIRECTEARN_SLO_P95_MS). */
export function p95Bound(slos: Slo[]): number | undefined {
  const p95 = slos.find((s) => s.figure === 'p95_ms' && (s.op === '<' || s.op === '<='));
  return p95 === undefined ? undefined : Math.ceil(p95.value);
}
