// `directearn docs`: writes the HTML reference, the Markdown reference and the coverage pages.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { UndocumentedRecord } from '../contracts/undocumented.js';
import { loadSpec, type SpecDocument } from '../openapi/index.js';
import { writeFileSafe } from '../util/safe-write.js';
import { buildAdminReference } from './admin.js';
import { coverageRows, readSummary, renderCoverageHtml, renderCoverageMarkdown } from './coverage.js';
import { buildHtmlReference } from './html.js';
import { renderMarkdownReference } from './markdown.js';
import { seenSection } from './seen.js';

export interface DocsResult {
  files: string[];
  /** Where the coverage page's verification column comes from. */
  coverageNote: string;
}

export async function buildDocs(options: {
  outDir: string;
  summaryPath: string;
  /** Records of `verify/proxy --record`: the codes table gains a "seen on hosts" section. */
  seen?: readonly UndocumentedRecord[];
}): Promise<DocsResult> {
  const { outDir } = options;
  await mkdir(outDir, { recursive: true });
  const files: string[] = [];
  const seen = seenSection(options.seen ?? []);
  const index = join(outDir, 'index.html');
  await buildHtmlReference(index, withSeen(loadSpec(), seen));
  files.push(index);

  const reference = join(outDir, 'reference.md');
  writeFileSafe(reference, withSeenMarkdown(renderMarkdownReference(), seen));
  files.push(reference);

  // The reference provider's admin interface (openapi/admin.yaml), for consumers using it as a stub.
  files.push(...(await buildAdminReference(outDir)));

  const source = readSummary(options.summaryPath);
  const rows = coverageRows(source.summary);
  const coverageMd = join(outDir, 'coverage.md');
  writeFileSafe(coverageMd, renderCoverageMarkdown(rows, source));
  const coverageHtml = join(outDir, 'coverage.html');
  writeFileSafe(coverageHtml, renderCoverageHtml(rows, source));
  files.push(coverageMd, coverageHtml);
  return { files, coverageNote: source.note };
}

/** The HTML page's spec with the "seen on hosts" section after the overview (none without records). */
function withSeen(doc: SpecDocument, seen: readonly string[]): SpecDocument {
  if (seen.length === 0) return doc;
  const copy = structuredClone(doc);
  copy.info.description = `${String(copy.info.description ?? '').trim()}\n\n${seen.join('\n')}`;
  return copy;
}

/** reference.md with the "seen on hosts" section closing the codes section (before its examples). */
function withSeenMarkdown(markdown: string, seen: readonly string[]): string {
  if (seen.length === 0) return markdown;
  const at = markdown.indexOf('\n## Examples');
  const block = `\n${seen.join('\n')}`;
  return at < 0 ? `${markdown}${block}` : `${markdown.slice(0, at)}${block}${markdown.slice(at)}`;
}
