// `npm run bench:readme`: the benchmark figures of docs/benchmarks.md (and of any page of docs/ or
// README.md that holds some) are generated from the records, not typed: every region between
// `<!-- bench-record NAME -->` and `<!-- /bench-record -->` is rewritten with the last record of
// bench NAME (bench/results/NAME.jsonl). `--check` changes nothing and fails when a region differs
// from what the records give (test/cli/bench-records.test.ts runs the same check).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { readRecords } from './record.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The Markdown files whose bench regions are generated: README.md and every page of docs/. */
export function pages() {
  const docs = readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => join('docs', f));
  return ['README.md', ...docs];
}

const HELP = `usage: npm run bench:readme [-- --check]

Rewrites every region of README.md and docs/*.md between <!-- bench-record NAME --> and
<!-- /bench-record --> with a table of the last record of bench NAME (bench/results/NAME.jsonl).
--check writes nothing and fails when a region is not what the records give.

Exit codes: 0 the pages match the records (after rewriting, or with --check), 1 --check found a
region out of date, or a region names a bench without records, 2 bad flags, 3 a record file or
a page cannot be read.`;

const REGION = /<!-- bench-record ([a-z0-9-]+) -->\n[\s\S]*?<!-- \/bench-record -->/g;

const fmt = (v) => {
  if (Number.isInteger(v) || Math.abs(v) >= 100) return Math.round(v).toLocaleString('en-US');
  return Number(v.toPrecision(3)).toString();
};

/** The Markdown a region of bench `bench` holds, from its last record. */
export function renderRegion(bench, record) {
  const tools = Object.entries(record.tools ?? {})
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const m = record.machine;
  const lines = [
    `<!-- bench-record ${bench} -->`,
    `\`${record.command}${record.args.length > 0 ? ` -- ${record.args.join(' ')}` : ''}\` on ${record.date.slice(0, 16).replace('T', ' ')} UTC, commit \`${record.commit?.slice(0, 7) ?? 'none'}\`${record.dirty ? ' plus uncommitted code' : ''}, Node ${record.node}${tools ? `, ${tools}` : ''}; ${m.cores} cores (${m.cpu}), load average ${m.loadavg[0]} at the start, ${m.loadavgEnd?.[0] ?? '?'} at the end (generated from \`bench/results/${bench}.jsonl\` by \`npm run bench:readme\`):`,
    '',
    ...table(
      ['figure', 'value', 'noise'],
      record.figures.map((f) => [
        f.name,
        `${fmt(f.value)} ${f.unit}`,
        f.noise === null ? '' : `±${(f.noise * 100).toFixed(0)} %`,
      ]),
    ),
    '<!-- /bench-record -->',
  ];
  return lines.join('\n');
}

/** A Markdown table padded as `biome format` writes it: first column left-aligned, the others right. */
function table(head, rows) {
  const widths = head.map((h, i) => Math.max(h.length, 3, ...rows.map((r) => r[i].length)));
  const cell = (text, i) => (i === 0 ? text.padEnd(widths[i]) : text.padStart(widths[i]));
  const line = (cells) => `| ${cells.map(cell).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (i === 0 ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`;
  return [line(head), rule, ...rows.map(line)];
}

/** A page with every region rewritten from the records; `missing` names regions without records. */
export function regenerate(text, read = readRecords) {
  const missing = [];
  const out = text.replace(REGION, (whole, bench) => {
    const record = read(bench).at(-1);
    if (record === undefined) {
      missing.push(bench);
      return whole;
    }
    return renderRegion(bench, record);
  });
  return { text: out, missing, regions: [...text.matchAll(REGION)].map((m) => m[1]) };
}

function main() {
  let flags;
  try {
    ({ values: flags } = parseArgs({ options: { check: { type: 'boolean' }, help: { type: 'boolean' } } }));
  } catch (e) {
    process.stderr.write(`bench:readme: ${e.message} (see --help)\n`);
    return 2;
  }
  if (flags.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const results = [];
  try {
    for (const page of pages()) {
      const text = readFileSync(join(ROOT, page), 'utf8');
      results.push({ page, text, result: regenerate(text) });
    }
  } catch (e) {
    process.stderr.write(`bench:readme: ${e.message}\n`);
    return 3;
  }
  const missing = results.flatMap((r) => r.result.missing.map((m) => `${m} (${r.page})`));
  if (missing.length > 0) {
    process.stderr.write(
      `bench:readme: no records for the region(s) ${missing.join(', ')}; run those benches first\n`,
    );
    return 1;
  }
  const regions = results.reduce((n, r) => n + r.result.regions.length, 0);
  const stale = results.filter((r) => r.result.text !== r.text);
  if (flags.check) {
    if (stale.length === 0) {
      process.stdout.write(`the pages' ${regions} bench regions match the records\n`);
      return 0;
    }
    process.stderr.write(
      `bench:readme: ${stale.map((r) => r.page).join(', ')} quote figures the records do not hold; run \`npm run bench:readme\`\n`,
    );
    return 1;
  }
  for (const r of stale) writeFileSync(join(ROOT, r.page), r.result.text);
  process.stdout.write(`bench:readme: ${regions} bench regions written from the records\n`);
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.exitCode = main();
