// Keeps benchmark figures as a record: every `npm run bench:*` appends one JSON line per run to
// bench/results/NAME.jsonl with its figures, the commit, the date, the Node, k6 and load-generator
// versions and the machine (cores, CPU, load average), so `bench:compare` can set a run against the
// last comparable one and README's tables are generated from the lines (bench/readme.mjs).
// DIRECTEARN_BENCH_RESULTS moves the folder (tests write to a temporary one).
import { execFileSync } from 'node:child_process';
import {
  closeSync,
  constants,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  writeSync,
} from 'node:fs';
import { arch, availableParallelism, cpus, loadavg, platform, totalmem } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The folder of the records (bench/results unless DIRECTEARN_BENCH_RESULTS names another). */
export function resultsDir() {
  return process.env.DIRECTEARN_BENCH_RESULTS || join(root, 'bench', 'results');
}

/** The file of one bench's records. */
export function resultsFile(bench) {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(bench))
    throw new RangeError(`bench name ${JSON.stringify(bench)} is not [a-z0-9-]+`);
  return join(resultsDir(), `${bench}.jsonl`);
}

const round = (x, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

/** The machine as a record states it; two records compare only on the same `comparableKey`. */
export function machine() {
  return {
    cores: availableParallelism(),
    cpu: (cpus()[0]?.model ?? 'unknown').replace(/\s+/g, ' ').trim(),
    arch: arch(),
    platform: platform(),
    memoryGiB: round(totalmem() / 2 ** 30, 1),
    loadavg: loadavg().map((x) => round(x)),
  };
}

/** What makes two records comparable: the same cores, CPU, platform and Node major version. */
export function comparableKey(record) {
  const m = record.machine ?? {};
  return [m.cores, m.cpu, m.arch, m.platform, String(record.node ?? '').split('.')[0]].join('|');
}

function git(args) {
  try {
    return execFileSync('git', args, {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return undefined;
  }
}

/**
 * Starts the record of one run of `bench` (call it before measuring: the load average it notes is
 * the one the run met). Add figures with `figure`, tools with `tool`, then `write`.
 */
export function beginRecord(bench, { command, args = process.argv.slice(2) } = {}) {
  resultsFile(bench);
  const started = new Date();
  const record = {
    bench,
    date: started.toISOString(),
    commit: git(['rev-parse', 'HEAD']) ?? null,
    // Code the commit does not hold was measured: the figures are not that commit's. The records
    // themselves (bench/results) are not code: an earlier bench of the same session changed them.
    dirty:
      (git([
        'status',
        '--porcelain',
        '--',
        'src',
        'bench',
        'load',
        'package.json',
        ':(exclude)bench/results',
      ]) ?? '') !== '',
    node: process.version,
    tools: {},
    machine: machine(),
    command: command ?? `npm run bench:${bench}`,
    args,
    seconds: 0,
    figures: [],
  };
  return {
    record,
    /** A version of a tool the run used (k6, wrk, ...). */
    tool(name, version) {
      record.tools[name] = version;
      return this;
    },
    /**
     * One figure. `better`: which way is an improvement; `noise`: the bench's own spread for this
     * figure as a fraction (e.g. (best - worst) / best over its rounds): a change within it is not a
     * change. Names are unique in a record.
     */
    figure(name, value, unit, { better = 'higher', noise } = {}) {
      if (typeof value !== 'number' || !Number.isFinite(value))
        throw new RangeError(`bench ${bench}: figure "${name}" is not a finite number (${value})`);
      if (better !== 'higher' && better !== 'lower')
        throw new RangeError(`bench ${bench}: figure "${name}": better must be higher or lower`);
      if (record.figures.some((f) => f.name === name))
        throw new RangeError(`bench ${bench}: figure "${name}" given twice`);
      const n = noise === undefined || !Number.isFinite(noise) ? null : round(Math.max(0, noise), 4);
      record.figures.push({ name, value: round(value, 3), unit, better, noise: n });
      return this;
    },
    /** Appends the record to bench/results/BENCH.jsonl (never through a symlink); returns the path. */
    write() {
      record.seconds = round((Date.now() - started.getTime()) / 1000, 1);
      record.machine.loadavgEnd = loadavg().map((x) => round(x));
      const file = appendLine(bench, JSON.stringify(record));
      process.stdout.write(
        `  recorded in ${relative(process.cwd(), file) || file} (bench:compare sets it against the last comparable run)\n`,
      );
      return file;
    },
  };
}

/** The spread of a figure's rounds as a fraction of the best: (best - worst) / best. */
export function spread(values, better = 'higher') {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length < 2) return undefined;
  const max = Math.max(...finite);
  const min = Math.min(...finite);
  const best = better === 'higher' ? max : min;
  return best === 0 ? undefined : (max - min) / best;
}

function appendLine(bench, line) {
  const dir = resultsDir();
  mkdirSync(dir, { recursive: true });
  if (lstatSync(dir).isSymbolicLink())
    throw new Error(`${dir} is a symlink: records are never written through one`);
  const file = resultsFile(bench);
  // O_NOFOLLOW: a symlink planted at the file's name fails the open instead of being followed.
  const fd = openSync(
    file,
    constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW,
    0o644,
  );
  try {
    writeSync(fd, `${line}\n`);
  } finally {
    closeSync(fd);
  }
  return file;
}

/** Every record of `bench`, oldest first; a bad line throws an Error naming the file and line. */
export function readRecords(bench) {
  const file = resultsFile(bench);
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if (e.code === 'ENOENT') return [];
    throw e;
  }
  const records = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    let r;
    try {
      r = JSON.parse(lines[i]);
    } catch (e) {
      throw new Error(`${file}:${i + 1}: not JSON (${e.message})`);
    }
    const problem = recordProblem(r, bench);
    if (problem !== undefined) throw new Error(`${file}:${i + 1}: ${problem}`);
    records.push(r);
  }
  return records;
}

/** What is wrong with a parsed record line, if anything. */
export function recordProblem(r, bench) {
  if (r === null || typeof r !== 'object') return 'not an object';
  if (r.bench !== bench) return `bench is ${JSON.stringify(r.bench)}, not ${bench}`;
  if (typeof r.date !== 'string' || Number.isNaN(Date.parse(r.date))) return 'no date';
  if (typeof r.node !== 'string') return 'no node version';
  if (r.commit !== null && typeof r.commit !== 'string') return 'commit is neither a string nor null';
  if (typeof r.machine?.cores !== 'number' || !Array.isArray(r.machine?.loadavg))
    return 'no machine (cores, loadavg)';
  if (!Array.isArray(r.figures)) return 'no figures';
  for (const f of r.figures) {
    if (typeof f?.name !== 'string' || typeof f.value !== 'number' || typeof f.unit !== 'string')
      return `a figure without name, value or unit (${JSON.stringify(f)})`;
    if (f.better !== 'higher' && f.better !== 'lower')
      return `figure "${f.name}": better is ${JSON.stringify(f.better)}`;
  }
  return undefined;
}

/** The names of the benches with records, sorted. */
export function recordedBenches() {
  let names;
  try {
    names = readdirSync(resultsDir());
  } catch (e) {
    if (e.code === 'ENOENT') return [];
    throw e;
  }
  return names
    .filter((n) => n.endsWith('.jsonl'))
    .map((n) => n.slice(0, -'.jsonl'.length))
    .sort();
}

/** The version of the k6 the suite runs (`k6 version`'s vX.Y.Z), or 'none' when there is none. */
export async function k6Version() {
  try {
    const { findK6 } = await import('../dist/load/k6.js');
    const k6 = findK6();
    if (k6 === undefined) return 'none';
    const out = execFileSync(k6, ['version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return /v\d+\.\d+\.\d+[\w.+-]*/.exec(out)?.[0] ?? out.trim().split('\n')[0];
  } catch {
    return 'unknown';
  }
}
