// Reading runner summaries (k6/runner-summary.ts writes them; their shape is k6/contract.ts's
// RunnerSummary): one JSON file, the runner-summary.json files of a folder, or the marked lines of a
// saved log or a log stream, each checked field by field before `directearn merge` adds them up.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import {
  RUNNER_LINE_MARK,
  RUNNER_SUMMARY_KIND,
  RUNNER_SUMMARY_VERSION,
  type RunnerSummary,
} from '../config/k6-contract.js';
import { UsageError } from '../errors.js';
import { MAX_INPUT_BYTES, readInputText } from '../input/file.js';
import { printable } from '../util/output-path.js';
import { segmentOf } from './segments.js';

/** The file name a runner summary gets in a local run's folder (and what merge looks for in a folder). */
export const RUNNER_SUMMARY_FILE = 'runner-summary.json';

/** A runner summary and where it came from (a file, or a line of a stream). */
export interface RunnerInput {
  source: string;
  summary: RunnerSummary;
}

const BATCH_NUMBERS = [
  'batchSize',
  'seconds',
  'requests',
  'failedRequests',
  'limited',
  'droppedIterations',
  'offeredRequestsPerSecond',
  'achievedRequestsPerSecond',
  'answered',
  'issued',
  'warned',
  'failed',
  'readEvery',
] as const;

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/** Why a parsed JSON value is not a runner summary this version reads, naming the first field at fault. */
export function runnerSummaryProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'not a JSON object';
  const s = value as Partial<RunnerSummary>;
  if (s.kind !== RUNNER_SUMMARY_KIND)
    return `kind is ${JSON.stringify(s.kind)}, not "${RUNNER_SUMMARY_KIND}"`;
  if (s.version !== RUNNER_SUMMARY_VERSION)
    return `version is ${JSON.stringify(s.version)}, this version reads ${RUNNER_SUMMARY_VERSION}`;
  if (s.scenario !== 'throughput' && s.scenario !== 'rate') return 'scenario is not throughput or rate';
  for (const k of ['segment', 'sequence', 'startedAt'] as const)
    if (typeof s[k] !== 'string') return `${k} is not a string`;
  if (segmentOf(s.segment as string) === undefined)
    return `segment "${s.segment}" is not an execution segment`;
  const run = s.run;
  if (typeof run !== 'object' || run === null) return 'run is not an object';
  if (typeof run.target !== 'string' || typeof run.identity !== 'string')
    return 'run.target or run.identity is not a string';
  if (!Array.isArray(run.batchSizes) || !run.batchSizes.every(isNumber))
    return 'run.batchSizes is not a list of numbers';
  if (!isNumber(run.durationSeconds) || !isNumber(run.maxVus))
    return 'run.durationSeconds or run.maxVus is not a number';
  const ranks = s.sketchRanks;
  if (!Array.isArray(ranks) || ranks.length < 2 || ranks[0] !== 0 || ranks.at(-1) !== 100)
    return 'sketchRanks is not a list of ranks from 0 to 100';
  if (!ranks.every((r, i) => isNumber(r) && (i === 0 || r > (ranks[i - 1] as number))))
    return 'sketchRanks does not increase';
  if (!Array.isArray(s.batches)) return 'batches is not an array';
  for (const [i, b] of s.batches.entries()) {
    for (const k of BATCH_NUMBERS) if (!isNumber(b?.[k])) return `batches[${i}].${k} is not a number >= 0`;
    if (typeof b.scenario !== 'string') return `batches[${i}].scenario is not a string`;
    const l = b.latencyMs;
    if (!isNumber(l?.count) || !isNumber(l?.sum))
      return `batches[${i}].latencyMs.count or sum is not a number`;
    if (!Array.isArray(l.values) || l.values.length !== ranks.length || !l.values.every(isNumber))
      return `batches[${i}].latencyMs.values does not hold one number per rank`;
    if (!l.values.every((v, j) => j === 0 || v >= (l.values[j - 1] as number)))
      return `batches[${i}].latencyMs.values decrease`;
  }
  if (s.rate !== undefined) {
    const r = s.rate;
    for (const k of ['accepted', 'windowSeconds', 'limited'] as const)
      if (!isNumber(r?.[k])) return `rate.${k} is not a number`;
    if (r.retryAfterHonoured !== null && typeof r.retryAfterHonoured !== 'boolean')
      return 'rate.retryAfterHonoured is not true, false or null';
  }
  return undefined;
}

/** Parses one runner summary's JSON text; a UsageError names `source`. */
export function parseRunnerSummary(text: string, source: string): RunnerInput {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UsageError(`${source} is not JSON (a runner summary is one JSON object)`);
  }
  const problem = runnerSummaryProblem(parsed);
  if (problem !== undefined) throw new UsageError(`${source} is not a runner summary: ${problem}`);
  return { source, summary: parsed as RunnerSummary };
}

/** Every runner-summary.json in `dir` and its subfolders (a local `load --runners` folder), sorted. */
function runnerFiles(dir: string, depth = 0): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    const path = join(dir, entry.name);
    if (entry.isFile() && entry.name === RUNNER_SUMMARY_FILE) found.push(path);
    else if (entry.isDirectory() && depth < 3) found.push(...runnerFiles(path, depth + 1));
  }
  return found;
}

/**
 * The runner summaries of a file (one JSON runner summary, or a saved log with marked lines), or of
 * every runner-summary.json in a folder; a UsageError names the input when it holds none.
 */
export function readRunnerPath(path: string, shown: string = path): RunnerInput[] {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch (e) {
    throw new UsageError(`${printable(shown)} cannot be read: ${(e as NodeJS.ErrnoException).code ?? e}`);
  }
  const files = isDir ? runnerFiles(path) : [path];
  if (files.length === 0) throw new UsageError(`${printable(shown)} holds no ${RUNNER_SUMMARY_FILE}`);
  return files.flatMap((file) => {
    let text: string;
    try {
      text = readInputText(file);
    } catch (e) {
      throw new UsageError(`${printable(file)} cannot be read: ${(e as NodeJS.ErrnoException).code ?? e}`);
    }
    const source = printable(isDir ? join(shown, relative(path, file)) : shown);
    if (text.trimStart().startsWith('{')) return [parseRunnerSummary(text, source)];
    // Not one JSON object: a saved log (kubectl logs ... > runners.log), read as a stream is.
    const found: RunnerInput[] = [];
    text.split(/\r?\n/).forEach((line, i) => {
      const marked = markedLine(line, `${source} line ${i + 1}`);
      if (marked !== undefined) found.push(marked);
    });
    if (found.length === 0)
      throw new UsageError(
        `${source} is neither a runner summary nor a log with a line marked "${RUNNER_LINE_MARK.trim()}"`,
      );
    return found;
  });
}

/** The runner summary of a log line holding the mark (after whatever kubectl put first), else undefined. */
function markedLine(line: string, source: string): RunnerInput | undefined {
  const at = line.indexOf(RUNNER_LINE_MARK);
  return at < 0 ? undefined : parseRunnerSummary(line.slice(at + RUNNER_LINE_MARK.length), source);
}

/**
 * The runner summaries of a log stream (`kubectl logs -l k6_cr=NAME`): every line holding the mark,
 * whatever precedes it (kubectl's --prefix or --timestamps); other lines are skipped. Lines are
 * read one at a time, so only the marked ones are kept; the whole stream is capped at 64 MiB.
 */
export async function readRunnerStream(
  stream: NodeJS.ReadableStream,
  name = 'standard input',
): Promise<RunnerInput[]> {
  const found: RunnerInput[] = [];
  let bytes = 0;
  let n = 0;
  // Counted as it arrives, so one endless line (readline buffers a line whole) is cut off too.
  const tooLarge = new UsageError(`${name} is larger than 64 MiB`);
  stream.on('data', (chunk: Buffer | string) => {
    bytes += chunk.length;
    if (bytes > MAX_INPUT_BYTES)
      (stream as NodeJS.ReadableStream & { destroy(e: Error): void }).destroy(tooLarge);
  });
  for await (const line of createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY })) {
    n++;
    const marked = markedLine(line, `${name} line ${n}`);
    if (marked !== undefined) found.push(marked);
  }
  if (found.length === 0)
    throw new UsageError(
      `${name} held no line marked "${RUNNER_LINE_MARK.trim()}" (${n} lines read): pipe the runners' logs, e.g. kubectl logs -l k6_cr=NAME,runner=true --tail=-1`,
    );
  return found;
}
