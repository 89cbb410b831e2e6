// Text output of `directearn check`: progress lines, the per-case table and the verdict, with
// colours only when the caller says the output is a TTY without NO_COLOR.
import type { CaseRow, Cell, StageResult, StageStatus, ToolBuild } from './check-summary.js';
import { OUTCOME_MEANING, runPassed } from './check-summary.js';

export interface RenderOptions {
  /** ANSI colours (a TTY and no NO_COLOR). */
  color: boolean;
  /** Plain ASCII marks instead of ✓ and ✗ (for consoles that cannot show UTF-8). */
  ascii: boolean;
}

const ANSI = { green: 32, red: 31, yellow: 33, dim: 2, bold: 1 } as const;

function paint(text: string, style: keyof typeof ANSI, o: RenderOptions): string {
  return o.color ? `\u001b[${ANSI[style]}m${text}\u001b[0m` : text;
}

/** Seconds with one decimal, or milliseconds under a second: "12.3 s", "420 ms". */
export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

const STATUS_WORD: Record<StageStatus, string> = { passed: 'PASS', failed: 'FAIL', skipped: 'SKIP' };
const STATUS_STYLE: Record<StageStatus, keyof typeof ANSI> = {
  passed: 'green',
  failed: 'red',
  skipped: 'yellow',
};

/** "[2/6] consumer contracts ..." printed when a stage starts. */
export function stageStartLine(index: number, total: number, title: string, o: RenderOptions): string {
  return `${paint(`[${index}/${total}]`, 'dim', o)} ${title} ...`;
}

/** The background k6 build's own line, with its own time: "[k6] built k6 v1.8.1 with Go (once per machine) in 312.4 s". */
export function buildLine(b: ToolBuild, o: RenderOptions): string {
  const tag = paint('[k6]', 'dim', o);
  if (b.ok)
    return `${tag} built ${b.tool} ${b.version} with Go (once per machine) in ${formatDuration(b.durationMs)}: ${b.detail}`;
  return `${tag} ${paint('FAIL', 'red', o)} building ${b.tool} ${b.version} with Go after ${formatDuration(b.durationMs)}: ${b.detail.split('\n')[0]}`;
}

/** "[2/6] PASS consumer contracts (14 interactions) in 8.1 s" printed when a stage ends. */
export function stageEndLine(index: number, total: number, r: StageResult, o: RenderOptions): string {
  const word = paint(STATUS_WORD[r.status], STATUS_STYLE[r.status], o);
  return `${paint(`[${index}/${total}]`, 'dim', o)} ${word} ${r.title}: ${r.detail} (${formatDuration(r.durationMs)})`;
}

const MARKS: Record<Cell, { unicode: string; ascii: string; style?: keyof typeof ANSI }> = {
  passed: { unicode: '✓', ascii: 'yes', style: 'green' },
  failed: { unicode: '✗', ascii: 'NO', style: 'red' },
  'not-verified': { unicode: 'n/v', ascii: 'n/v', style: 'yellow' },
  skipped: { unicode: 'skip', ascii: 'skip', style: 'yellow' },
  none: { unicode: '–', ascii: '-', style: 'dim' },
};

/** The legend printed under the case table: each mark, its word (as in JSON and JUnit) and meaning. */
export function renderLegend(o: RenderOptions): string[] {
  return [
    'Legend:',
    ...(Object.keys(MARKS) as Cell[]).map(
      (cell) => `  ${mark(cell, o).padEnd(4)} ${cell.padEnd(12)} ${OUTCOME_MEANING[cell]}`,
    ),
  ];
}

export function mark(cell: Cell, o: RenderOptions): string {
  const m = MARKS[cell];
  return o.ascii ? m.ascii : m.unicode;
}

/** The case table: one row per catalogue case, a column per stage that speaks about cases. */
export function renderCaseTable(rows: readonly CaseRow[], o: RenderOptions): string[] {
  // `check --base` adds a column: does a breaking change since the base reach the case?
  const sinceBase = rows.some((r) => r.apiDiff !== undefined);
  const header = [
    'case',
    'kind',
    'in spec',
    'in a pact',
    'verified',
    'smoke',
    ...(sinceBase ? ['since base'] : []),
  ];
  const body = rows.map(
    (r) =>
      [
        r.case,
        r.kind,
        r.inSpec,
        r.inPact,
        r.verified,
        r.smoke,
        ...(sinceBase ? [r.apiDiff ?? 'none'] : []),
      ] as [string, string, ...Cell[]],
  );
  const cells = body.map(([c, k, ...marks]) => [c, k, ...marks.map((m) => mark(m, o))]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((row) => (row[i] ?? '').length)));
  const line = (row: readonly string[], styles?: readonly (Cell | undefined)[]) =>
    row
      .map((text, i) => {
        const padded = text.padEnd(widths[i] ?? 0);
        const cell = styles?.[i];
        const style = cell === undefined ? undefined : MARKS[cell].style;
        return style === undefined ? padded : paint(padded, style, o);
      })
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => (o.ascii ? '-' : '─').repeat(w)).join('  ');
  return [
    paint(line(header), 'bold', o),
    rule,
    ...cells.map((row, i) => {
      const b = body[i];
      return line(row, b === undefined ? undefined : [undefined, undefined, ...(b.slice(2) as Cell[])]);
    }),
  ];
}

/** Notes under the table: why a cell is ✗ or skip. */
export function renderNotes(rows: readonly CaseRow[]): string[] {
  return rows.flatMap((r) => r.notes.map((n) => `  ${r.case}: ${n}`));
}

/** The last line: the verdict and the stages that did not pass. */
export function renderVerdict(stages: readonly StageResult[], o: RenderOptions): string {
  const passed = stages.filter((s) => s.status === 'passed').length;
  const failed = stages.filter((s) => s.status === 'failed').map((s) => s.title);
  const skipped = stages.filter((s) => s.status === 'skipped');
  const skipText =
    skipped.length === 0
      ? ''
      : `; skipped: ${skipped.map((s) => `${s.title}${s.skipRequested ? ' (as asked)' : ''}`).join(', ')}`;
  if (runPassed(stages)) {
    return `${paint('PASS', 'green', o)} ${passed}/${stages.length} stages passed${skipText}`;
  }
  const failText = failed.length === 0 ? '' : `; failed: ${failed.join(', ')}`;
  return `${paint('FAIL', 'red', o)} ${passed}/${stages.length} stages passed${failText}${skipText}`;
}
