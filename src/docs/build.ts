// `directearn docs`: writes the HTML reference, the Markdown reference and the coverage pages.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildAdminReference } from './admin.js';
import { coverageRows, readSummary, renderCoverageHtml, renderCoverageMarkdown } from './coverage.js';
import { buildHtmlReference } from './html.js';
import { renderMarkdownReference } from './markdown.js';

export interface DocsResult {
  files: string[];
  /** Where the coverage page's verification column comes from. */
  coverageNote: string;
}

export async function buildDocs(options: { outDir: string; summaryPath: string }): Promise<DocsResult> {
  const { outDir } = options;
  await mkdir(outDir, { recursive: true });
  const files: string[] = [];
  const index = join(outDir, 'index.html');
  await buildHtmlReference(index);
  files.push(index);

  const reference = join(outDir, 'reference.md');
  await writeFile(reference, renderMarkdownReference());
  files.push(reference);

  // The reference provider's admin interface (openapi/admin.yaml), for consumers using it as a stub.
  files.push(...(await buildAdminReference(outDir)));

  const source = readSummary(options.summaryPath);
  const rows = coverageRows(source.summary);
  const coverageMd = join(outDir, 'coverage.md');
  await writeFile(coverageMd, renderCoverageMarkdown(rows, source));
  const coverageHtml = join(outDir, 'coverage.html');
  await writeFile(coverageHtml, renderCoverageHtml(rows, source));
  files.push(coverageMd, coverageHtml);
  return { files, coverageNote: source.note };
}
