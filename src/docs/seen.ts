// The "seen on hosts" section of the codes table: what hosts answered beyond the catalogue, from the
// records `verify --record` and `proxy --record` wrote, so the docs writer sees what hosts really say
// next to what the doc says. The hosts' text is untrusted: it is made printable and escaped.
import type { UndocumentedFinding, UndocumentedRecord } from '../contracts/undocumented.js';
import { UsageError } from '../errors.js';
import { readInputText } from '../input/file.js';
import { catalogue } from '../openapi/index.js';
import { printable } from '../util/output-path.js';
import { cell } from './markdown.js';

/** Reads `--seen` records; a file that is not one is a usage error naming it. */
export function readSeenRecords(paths: readonly { path: string; shown: string }[]): UndocumentedRecord[] {
  return paths.map(({ path, shown }) => {
    let doc: unknown;
    try {
      doc = JSON.parse(readInputText(path));
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code ?? (e as Error).message.split('\n')[0];
      throw new UsageError(`--seen ${printable(shown)}: not a JSON record of verify/proxy --record (${why})`);
    }
    const r = doc as Partial<UndocumentedRecord> | null;
    const ok =
      r !== null &&
      typeof r === 'object' &&
      typeof r.target === 'string' &&
      Array.isArray(r.undocumented) &&
      r.undocumented.every(
        (f) => f !== null && typeof f === 'object' && ['code', 'message', 'field', 'status'].includes(f.kind),
      );
    if (!ok)
      throw new UsageError(
        `--seen ${printable(shown)}: not a record of verify/proxy --record (needs "target" and an "undocumented" list)`,
      );
    return r as UndocumentedRecord;
  });
}

/** A host's text, printable and inert in Markdown and HTML: markup characters become entities. */
const host = (text: unknown) =>
  cell(printable(String(text ?? ''), 300)).replace(/[&<>`*_[\]]/g, (c) => `&#${c.charCodeAt(0)};`);

function what(f: UndocumentedFinding): string {
  if (f.kind === 'code') return `code **${Number(f.code)}** "${host(f.message)}"`;
  if (f.kind === 'message') {
    const documented = catalogue().find((c) => c.code === f.code && c.kind !== 'http')?.message;
    return `code **${Number(f.code)}** with another message: "${host(f.message)}" (the doc: "${cell(documented ?? '')}")`;
  }
  if (f.kind === 'field') return `field ${host(f.field)}`;
  return `HTTP status **${Number(f.code)}**`;
}

/**
 * The section's Markdown: one row per finding and host, codes first; empty when no record was given.
 * The rows are not documentation: they say what was seen, where and how often.
 */
export function seenSection(records: readonly UndocumentedRecord[]): string[] {
  if (records.length === 0) return [];
  const rows = records.flatMap((r) =>
    r.undocumented.map(
      (f) =>
        `| ${f.kind} | ${what(f)} | ${host(r.target)} | ${host(r.by)} ${host(r.at)} | ${Number(f.count) || 0} |`,
    ),
  );
  return [
    '### Seen on hosts (not in the doc)',
    '',
    'What hosts answered that the catalogue does not document, from `directearn verify --record` and',
    '`directearn proxy --record`. Not documentation: a lead for the docs writer.',
    '',
    ...(rows.length === 0
      ? ['Nothing: every answer seen was documented.']
      : ['| kind | seen | host | recorded by | answers |', '|---|---|---|---|---|', ...rows]),
    '',
  ];
}
