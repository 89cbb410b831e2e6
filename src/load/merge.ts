// `directearn merge`: the runner summaries of one distributed run (k6/runner-summary.ts: files, a
// folder, or the marked lines of a log stream) checked to cover the run exactly once and merged
// into one summary.json of the same schema as a single run, plus `runners`.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { UsageError } from '../errors.js';
import { MAX_INPUT_BYTES, readInputText } from '../input/file.js';
import { printable } from '../util/output-path.js';
import {
  RUNNER_LINE_MARK,
  RUNNER_SUMMARY_KIND,
  RUNNER_SUMMARY_VERSION,
  type RunnerBatch,
  type RunnerSummary,
} from './k6-contract.js';
import { customerShares } from './read-k6-summary.js';
import { mergedPercentile, mergedRankBound, type RankedSketch } from './sketch.js';
import { type BatchFigures, type LoadSummary, SCHEMA_VERSION } from './summary.js';

export { RUNNER_LINE_MARK, RUNNER_SUMMARY_KIND, type RunnerBatch, type RunnerSummary };
/** The file name a runner summary gets in a local run's folder (and what merge looks for in a folder). */
export const RUNNER_SUMMARY_FILE = 'runner-summary.json';

/** A runner summary and where it came from (a file, or a line of a stream). */
export interface RunnerInput {
  source: string;
  summary: RunnerSummary;
}

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

/** An exact fraction (segments are fractions like 1/3; floating point would leave gaps of 1e-17). */
interface Fraction {
  n: bigint;
  d: bigint;
}

const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? (a < 0n ? -a : a) : gcd(b, a % b));
function fraction(n: bigint, d: bigint): Fraction {
  const g = gcd(n, d) || 1n;
  return { n: n / g, d: d / g };
}
const compare = (a: Fraction, b: Fraction): number => {
  const l = a.n * b.d;
  const r = b.n * a.d;
  return l < r ? -1 : l > r ? 1 : 0;
};
const fractionText = (f: Fraction): string => (f.d === 1n ? String(f.n) : `${f.n}/${f.d}`);

/** A segment bound as k6 accepts it: 1/3, 0.25, 25%, 1. */
function boundOf(text: string): Fraction | undefined {
  const t = text.trim();
  let m = /^(\d+)\/(\d+)$/.exec(t);
  if (m !== null)
    return BigInt(m[2] as string) === 0n
      ? undefined
      : fraction(BigInt(m[1] as string), BigInt(m[2] as string));
  m = /^(\d+)(?:\.(\d+))?(%?)$/.exec(t);
  if (m === null) return undefined;
  const decimals = m[2] ?? '';
  const f = fraction(
    BigInt(`${m[1]}${decimals}`),
    10n ** BigInt(decimals.length) * (m[3] === '%' ? 100n : 1n),
  );
  return f;
}

/** An execution segment "from:to" (or "to", from 0) as two exact fractions, or undefined when it is not one. */
export function segmentOf(text: string): { from: Fraction; to: Fraction } | undefined {
  const [a, b] = text.includes(':') ? text.split(':') : ['0', text];
  const from = boundOf(a ?? '');
  const to = boundOf(b ?? '');
  if (from === undefined || to === undefined) return undefined;
  if (compare(from, { n: 0n, d: 1n }) < 0 || compare(to, { n: 1n, d: 1n }) > 0 || compare(from, to) >= 0)
    return undefined;
  return { from, to };
}

/**
 * What is wrong with how the runners' segments cover the run: every overlap and every gap, naming
 * the runners (by source); empty when they partition it exactly.
 */
export function coverageProblems(inputs: readonly RunnerInput[]): string[] {
  const spans = inputs
    .map((r) => ({
      source: r.source,
      text: r.summary.segment,
      ...(segmentOf(r.summary.segment) as { from: Fraction; to: Fraction }),
    }))
    .sort((a, b) => compare(a.from, b.from) || compare(a.to, b.to));
  const problems: string[] = [];
  let reach: Fraction = { n: 0n, d: 1n };
  let reachedBy: (typeof spans)[number] | undefined;
  for (const s of spans) {
    if (compare(s.from, reach) > 0) {
      problems.push(
        `no runner covers ${fractionText(reach)}:${fractionText(s.from)} of the run (between ${reachedBy === undefined ? 'its start' : `${reachedBy.source} (${reachedBy.text})`} and ${s.source} (${s.text})): a runner is missing`,
      );
    } else if (compare(s.from, reach) < 0 && reachedBy !== undefined) {
      const end = compare(s.to, reach) < 0 ? s.to : reach;
      problems.push(
        `${reachedBy.source} (${reachedBy.text}) and ${s.source} (${s.text}) overlap on ${fractionText(s.from)}:${fractionText(end)}: the same part of the run counted twice`,
      );
    }
    if (compare(s.to, reach) > 0) {
      reach = s.to;
      reachedBy = s;
    }
  }
  if (compare(reach, { n: 1n, d: 1n }) < 0) {
    problems.push(
      `no runner covers ${fractionText(reach)}:1 of the run (after ${reachedBy === undefined ? 'its start' : `${reachedBy.source} (${reachedBy.text})`}): a runner is missing`,
    );
  }
  return problems;
}

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
  /** Per batch size: the rank error of its merged percentiles, in percentile points (sketch.ts). */
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
