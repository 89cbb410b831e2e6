// `npm run bench:compare`: sets the last record of each bench (bench/results/*.jsonl) against the
// last earlier record of the same bench on a comparable machine (same cores, CPU, platform, Node
// major) and marks every figure that dropped by more than the bench's own noise.
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { comparableKey, readRecords, recordedBenches } from './record.mjs';

const HELP = `usage: npm run bench:compare [-- --bench NAME]

Prints, for the last record of each bench in bench/results/ (or of NAME only), every figure
next to the same figure of the last earlier record on a comparable machine (same cores, CPU,
platform and Node major version), the change, and the noise it is judged against: the larger of
the two runs' own spread for that figure, and at least ${'2'} %. A drop beyond it is marked DROP.
Load averages are printed: a busier machine slows everything down.

Exit codes: 0 no figure dropped beyond its noise (or nothing to compare), 1 a figure dropped,
2 bad flags or an unknown bench, 3 a record file cannot be read.`;

/** Changes within this fraction are never marked, whatever the recorded noise. */
export const MIN_NOISE = 0.02;

/**
 * The comparison of a bench's last record with the last earlier comparable one: rows per figure
 * of the last record, `dropped` true when a figure is worse by more than its noise.
 */
export function compareRecords(records) {
  const now = records.at(-1);
  if (now === undefined) return { now: undefined, before: undefined, rows: [], dropped: false };
  const key = comparableKey(now);
  const before = records
    .slice(0, -1)
    .reverse()
    .find((r) => comparableKey(r) === key);
  const rows = now.figures.map((f) => {
    const old = before?.figures.find((g) => g.name === f.name && g.unit === f.unit);
    if (old === undefined || old.value === 0)
      return { figure: f, old, change: undefined, noise: undefined, drop: false };
    const change = (f.value - old.value) / Math.abs(old.value);
    const noise = Math.max(MIN_NOISE, f.noise ?? 0, old.noise ?? 0);
    const worse = f.better === 'higher' ? -change : change;
    return { figure: f, old, change, noise, drop: worse > noise };
  });
  return { now, before, rows, dropped: rows.some((r) => r.drop) };
}

const num = (v) =>
  Math.abs(v) >= 100
    ? Math.round(v).toLocaleString('en-US')
    : Number(v.toPrecision(3)).toLocaleString('en-US');
const pct = (x) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %`;
const when = (r) =>
  `${r.date.slice(0, 16).replace('T', ' ')} UTC, ${r.commit?.slice(0, 7) ?? 'no commit'}${r.dirty ? ' (uncommitted code)' : ''}, load ${r.machine.loadavg[0]}`;

/** The printed comparison of one bench. */
export function renderComparison(bench, c) {
  if (c.now === undefined) return `bench:${bench}: no records\n`;
  const lines = [`bench:${bench}: ${when(c.now)}`];
  if (c.before === undefined) {
    lines.push(
      `  no earlier record on a comparable machine (${c.now.machine.cores} cores, ${c.now.machine.cpu}, node ${c.now.node})`,
    );
    return `${lines.join('\n')}\n`;
  }
  lines[0] += `  vs  ${when(c.before)}`;
  const cells = c.rows.map((r) => [
    r.figure.name,
    `${num(r.figure.value)} ${r.figure.unit}`,
    r.old === undefined ? 'new' : `${num(r.old.value)} ${r.figure.unit}`,
    r.change === undefined ? '' : pct(r.change),
    r.noise === undefined ? '' : `±${(r.noise * 100).toFixed(0)} %`,
  ]);
  const head = ['figure', 'now', 'before', 'change', 'noise'];
  const w = head.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i].length)));
  const line = (row) => `  ${row.map((x, i) => (i === 0 ? x.padEnd(w[i]) : x.padStart(w[i]))).join('  ')}`;
  lines.push(line(head));
  for (const [k, r] of c.rows.entries()) lines.push(`${line(cells[k])}${r.drop ? '  DROP' : ''}`);
  return `${lines.join('\n')}\n`;
}

async function main() {
  let flags;
  try {
    ({ values: flags } = parseArgs({ options: { bench: { type: 'string' }, help: { type: 'boolean' } } }));
  } catch (e) {
    process.stderr.write(`bench:compare: ${e.message} (see --help)\n`);
    return 2;
  }
  if (flags.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  let benches;
  try {
    benches = recordedBenches();
  } catch (e) {
    process.stderr.write(`bench:compare: cannot list the records: ${e.message}\n`);
    return 3;
  }
  if (flags.bench !== undefined) {
    if (!benches.includes(flags.bench)) {
      process.stderr.write(
        `bench:compare: no records of bench "${flags.bench}" (known: ${benches.join(', ') || 'none'})\n`,
      );
      return 2;
    }
    benches = [flags.bench];
  }
  let dropped = false;
  for (const bench of benches) {
    let records;
    try {
      records = readRecords(bench);
    } catch (e) {
      process.stderr.write(`bench:compare: ${e.message}\n`);
      return 3;
    }
    const c = compareRecords(records);
    process.stdout.write(renderComparison(bench, c));
    dropped ||= c.dropped;
  }
  process.stdout.write(
    dropped ? 'a figure dropped beyond its noise (DROP above)\n' : 'no figure dropped beyond its noise\n',
  );
  return dropped ? 1 : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.exitCode = await main();
