// Runs the stages of `directearn check` in order with a progress line per stage, then prints the
// per-case table and the verdict, and writes the summary (JSON, JUnit) for CI and the docs.
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { interactions } from '../contracts/interactions.js';
import { preflight } from '../contracts/preflight.js';
import type { DiffReport } from '../diff/diff-report.js';
import { isLoopbackUrl } from '../input/loopback.js';
import { hostOf } from '../input/url.js';
import { writeFileSafe } from '../util/safe-write.js';
import { apiDiffStage, apiDiffSummary, markApiDiff } from './api-diff.js';
import { buildCaseRows, type InteractionRef } from './cases.js';
import { type CheckSummary, runPassed, type StageResult, type ToolBuild } from './check-summary.js';
import { writeJUnit } from './junit.js';
import { k6BuildRecord, prepareK6Build } from './k6-build.js';
import {
  buildLine,
  formatDuration,
  type RenderOptions,
  renderCaseTable,
  renderLegend,
  renderNotes,
  renderVerdict,
  stageEndLine,
  stageStartLine,
} from './render.js';
import { type CheckContext, STAGES, type Stage } from './stages.js';

export interface Output {
  out(line: string): void;
}

export interface RunCheckOptions {
  context: CheckContext;
  /** Colours and marks of the text output. */
  render: RenderOptions;
  /** The summary of the last run, kept for `directearn docs` (reports/check/summary.json). */
  summaryPath: string;
  jsonPath?: string;
  junitDir?: string;
  stages?: readonly Stage[];
  /** Problem lines printed under a failed stage, at most. */
  maxProblemLines?: number;
  /** `check --base`: the diff since the base, reported as the last stage and a column of the table. */
  apiDiff?: DiffReport;
}

/** Whether a URL points at this machine: the one rule in src/input/loopback.ts, re-exported. */
export { isLoopbackUrl } from '../input/loopback.js';

/** May the k6 stages send traffic to the target? Loopback (or the embedded provider) always; a real host only with --allow-real-issue. */
export function loadPermission(
  target: string | undefined,
  allowRealIssue: boolean,
): { ok: true } | { ok: false; reason: string } {
  if (target === undefined || isLoopbackUrl(target) || allowRealIssue) return { ok: true };
  return {
    ok: false,
    reason: `${hostOf(target)} is not loopback and k6 would issue real promotions; pass --allow-real-issue to run them`,
  };
}

/** The contracts' interaction table: which case each pact interaction pins. */
export function interactionTable(): InteractionRef[] {
  return interactions().map((i) => ({ case: i.case, description: i.description }));
}

/** Runs one stage, turning a thrown error into a failed stage (the run goes on to report it). */
async function runStage(stage: Stage, ctx: CheckContext): Promise<StageResult> {
  const t0 = performance.now();
  try {
    const outcome = await stage.run(ctx);
    return { id: stage.id, title: stage.title, durationMs: performance.now() - t0, ...outcome };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return {
      id: stage.id,
      title: stage.title,
      status: 'failed',
      durationMs: performance.now() - t0,
      detail: `error: ${message.split('\n')[0]}`,
      tests: [{ name: stage.title, status: 'failed', message }],
    };
  }
}

/** Runs every stage and reports; returns the summary (its `ok` decides the exit code). */
export async function runCheck(options: RunCheckOptions, io: Output): Promise<CheckSummary> {
  const { context: ctx, render: o } = options;
  const apiDiff = options.apiDiff;
  const stages = [...(options.stages ?? STAGES), ...(apiDiff === undefined ? [] : [apiDiffStage(apiDiff)])];
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const maxLines = options.maxProblemLines ?? 8;

  // An unreachable target (or one refusing every credential) is said in one line within seconds
  // (UnreachableError, exit 3), before minutes of stages that could only fail against it.
  if (ctx.target !== undefined) await preflight(ctx.target, ctx.credentials);

  // A missing k6 is built while the contract stages run (Go takes minutes on 2 cores).
  const build = prepareK6Build(
    ctx,
    stages.some((s) => s.needsK6 === true),
    (line) => io.out(`      ${line}`),
  );
  const builds: ToolBuild[] = [];
  if (build !== undefined) {
    io.out(
      `[k6] k6 ${build.version} is not installed: building it with Go while the stages run (once per machine)`,
    );
    ctx.k6Build = build.start();
  }
  const reportBuild = async (): Promise<void> => {
    if (build === undefined || ctx.k6Build === undefined || builds.length > 0) return;
    builds.push(k6BuildRecord(build.version, await ctx.k6Build));
    io.out(buildLine(builds[0] as ToolBuild, o));
  };

  const results: StageResult[] = [];
  for (const [i, stage] of stages.entries()) {
    // Waiting for the build is the build's time, not the stage's.
    if (stage.needsK6 === true) await reportBuild();
    io.out(stageStartLine(i + 1, stages.length, stage.title, o));
    const r = await runStage(stage, ctx);
    results.push(r);
    io.out(stageEndLine(i + 1, stages.length, r, o));
    if (r.status === 'failed') {
      const lines = r.tests
        .filter((t) => t.status === 'failed')
        .flatMap((t) => [`${t.name}:`, ...(t.message ?? '').split('\n').filter((l) => l.trim() !== '')]);
      for (const l of lines.slice(0, maxLines)) io.out(`      ${l}`);
      if (lines.length > maxLines)
        io.out(`      ... ${lines.length - maxLines} more line(s) in the JSON/JUnit report`);
    }
  }

  await reportBuild();
  const rows = buildCaseRows(ctx, results, interactionTable());
  if (apiDiff !== undefined) markApiDiff(rows, apiDiff);
  printTable(rows, o, io);

  const summary: CheckSummary = {
    tool: 'directearn check',
    version: 1,
    startedAt,
    durationMs: Math.round(performance.now() - t0),
    target: { url: ctx.target ?? 'embedded reference provider', embedded: ctx.target === undefined },
    ok: runPassed(results),
    stages: results.map((r) => ({ ...r, durationMs: Math.round(r.durationMs) })),
    cases: rows,
    ...(apiDiff === undefined ? {} : { apiDiff: apiDiffSummary(apiDiff) }),
    ...(builds.length > 0 ? { builds } : {}),
  };

  const written = await writeReports(options, summary);
  io.out('');
  io.out(`Reports: ${written.join(', ')}`);
  io.out(`${renderVerdict(results, o)} in ${formatDuration(summary.durationMs)}`);
  return summary;
}

/** The per-case table, its legend and the notes under it. */
function printTable(rows: ReturnType<typeof buildCaseRows>, o: RenderOptions, io: Output): void {
  io.out('');
  for (const line of renderCaseTable(rows, o)) io.out(line);
  io.out('');
  for (const line of renderLegend(o)) io.out(line);
  const notes = renderNotes(rows);
  if (notes.length > 0) {
    io.out('');
    io.out('Notes:');
    for (const n of notes) io.out(n);
  }
}

/** The summary as JSON (the kept one and --json) and as JUnit (--junit); the paths written. */
async function writeReports(options: RunCheckOptions, summary: CheckSummary): Promise<string[]> {
  const written: string[] = [];
  const json = `${JSON.stringify(summary, null, 2)}\n`;
  for (const path of [options.summaryPath, options.jsonPath]) {
    if (path === undefined) continue;
    await mkdir(dirname(path), { recursive: true });
    writeFileSafe(path, json);
    written.push(path);
  }
  if (options.junitDir !== undefined) {
    await writeJUnit(options.junitDir, summary.stages, summary.startedAt);
    written.push(`${options.junitDir}/*.xml`);
  }
  return written;
}
