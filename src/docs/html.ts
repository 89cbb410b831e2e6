// The HTML API reference: Redocly `build-docs --inlineBundle` on a docs copy of the spec whose
// overview gains the generated table of codes, then made network-free (CSP, no CDN logo).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSpec, type SpecDocument } from '../openapi/index.js';
import { packageRoot } from '../util/package-root.js';
import { runRedocly } from '../util/process.js';
import { writeFileSafe } from '../util/safe-write.js';
import { cell, exampleCell } from './markdown.js';

/**
 * Blocks every network load in the page: Redoc's inlined bundle needs inline scripts, eval-free
 * workers from blob: URLs, inline styles and data: images; nothing else is allowed to load.
 */
export const DOCS_CSP =
  "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval' blob:; worker-src blob:; style-src 'unsafe-inline'; img-src data: blob:; font-src data:; connect-src blob: data:";

/** Redoc 3 shows a "docs by" logo from its CDN; the page uses a local one so nothing is fetched. */
const CDN_LOGO = /https:\/\/cdn\.redoc\.ly\/redoc\/logo-mini(?:-full)?\.svg/g;
const LOCAL_LOGO =
  "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='64' height='14'%3E%3Ctext x='0' y='11' font-size='11' font-family='sans-serif' fill='%23555'%3ERedocly%3C/text%3E%3C/svg%3E";

/**
 * Two columns, so the table fits Redoc's middle column: the code, then its exact message, trigger and
 * example body (Redoc folds the examples into a menu per status; here each one is in view).
 */
export function compactCodeTable(doc: SpecDocument = loadSpec()): string[] {
  return [
    '| code | exact message, when, and an example body |',
    '|---|---|',
    ...doc['x-directearn-catalogue'].map((c) => {
      const what = [
        c.kind === 'http' ? 'HTTP status' : c.kind,
        c.precedence === undefined || c.kind === 'earned' ? '' : `precedence ${c.precedence}`,
        c.failure ? '' : 'not a failure',
        c.inferred ? '*inferred*' : '',
      ]
        .filter((w) => w !== '')
        .join(', ');
      const message = c.message === null ? '' : `"${cell(c.message)}"<br>`;
      return `| **${c.code ?? c.case}**<br>${what} | ${message}*When:* ${cell(c.trigger)}<br>*Example body:* ${exampleCell(c, doc)} |`;
    }),
  ];
}

/** The spec as the HTML page shows it: the overview gains the code table (read from the catalogue). */
export function docsSpec(doc: SpecDocument = loadSpec()): SpecDocument {
  const copy = structuredClone(doc);
  copy.info.description = [
    String(copy.info.description ?? '').trim(),
    '',
    '## Error and warning codes',
    '',
    'Generated from `x-directearn-catalogue`: the exact message of every case the endpoint answers.',
    'Per-customer cases are checked in precedence order; the first that applies wins.',
    '',
    ...compactCodeTable(doc),
    '',
    'See also the [coverage page](coverage.html) (case → example → pact → verification) and the',
    "[Markdown reference](reference.md); the reference provider's admin interface (provider states, ledger,",
    'health) is in [admin.html](admin.html).',
    '',
  ].join('\n');
  // Redoc shows a server's description as plain text, not Markdown: backticks would show as is.
  copy.servers = copy.servers?.map((s) =>
    s.description === undefined ? s : { ...s, description: s.description.replace(/`([^`]*)`/g, '"$1"') },
  );
  return copy;
}

/** Redocly's own lines minus its boxed banners (Node version, Redoc 3 notice). */
export function redoclyMessages(output: string): string[] {
  return output
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^[║╔╚═]/.test(l) && !/[║╗╝]$/.test(l));
}

/** Makes the built page network-free: a CSP meta tag and the local logo. */
export function offlinePage(html: string): string {
  const withLogo = html.replace(CDN_LOGO, LOCAL_LOGO);
  const meta = `<meta http-equiv="Content-Security-Policy" content="${DOCS_CSP}">`;
  return withLogo.replace(/<head>/i, `<head>\n  ${meta}`);
}

/** Builds `outFile` (index.html) from the spec with Redocly; throws with Redocly's messages on failure. */
export async function buildHtmlReference(outFile: string, doc: SpecDocument = loadSpec()): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'directearn-docs-'));
  try {
    const specFile = join(work, 'directEarn.json');
    await writeFile(specFile, JSON.stringify(docsSpec(doc)));
    const { code, output } = await runRedocly(
      [
        'build-docs',
        specFile,
        '--inlineBundle',
        '--output',
        outFile,
        '--config',
        join(packageRoot, 'redocly.yaml'),
      ],
      packageRoot,
    );
    if (code !== 0) {
      throw new Error(`Redocly build-docs failed: ${redoclyMessages(output).slice(-5).join(' / ')}`);
    }
    writeFileSafe(outFile, offlinePage(await readFile(outFile, 'utf8')));
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * The head of a small self-contained page of the docs (coverage, changelog): no network (CSP), one
 * plain table style; `extraCss` adds the page's own rules.
 */
export function simplePageHead(title: string, extraCss: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>
  body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem; color: #1f2328; }
  h1 { font-size: 1.4rem; }
  table { border-collapse: collapse; width: 100%; }
  th, td { border: 1px solid #d0d7de; padding: .4rem .6rem; vertical-align: top; text-align: left; }
  th { background: #f6f8fa; }
  code { font-size: 12px; background: #f6f8fa; padding: 0 .2rem; }
${extraCss}
</style>
</head>`;
}
