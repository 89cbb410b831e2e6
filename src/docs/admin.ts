// The admin interface's reference (openapi/admin.yaml): its HTML page and Markdown, and the table of
// provider states that docs/states.md, the Markdown and the spec's example all take from src/states.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { describeStates, type StateDescription } from '../provider/states.js';
import { packageRoot } from '../util/package-root.js';
import { runRedocly } from '../util/process.js';
import { writeFileSafe } from '../util/safe-write.js';
import { offlinePage, redoclyMessages } from './html.js';
import { cell } from './markdown.js';

/** openapi/admin.yaml: the OpenAPI description of /_admin and /_health. */
export const adminSpecPath: string = join(packageRoot, 'openapi', 'admin.yaml');

/** The line after which admin.yaml's generated example of GET /_admin/provider-states starts. */
export const ADMIN_STATES_MARKER = '    provider-states:';

/** docs/states.md's generated section of provider states (README_ names kept from before docs/) lies between these two lines. */
export const README_STATES_BEGIN =
  '<!-- provider-states:begin (generated: node scripts/generate-admin-docs.mjs) -->';
export const README_STATES_END = '<!-- provider-states:end -->';

/** One row per state: sentence, case, required and optional parameters with what they do. */
export function renderStatesMarkdown(states: readonly StateDescription[] = describeStates()): string[] {
  const params = (s: StateDescription, required: boolean) =>
    Object.entries(s.params)
      .filter(([, p]) => p.required === required)
      .map(([name, p]) => `\`${name}\` (${p.type}): ${cell(p.description)}`)
      .join('<br>') || 'none';
  return [
    '| state sentence | case | required parameters | optional parameters |',
    '| --- | --- | --- | --- |',
    ...states.map((s) => `| \`${cell(s.name)}\` | ${s.case} | ${params(s, true)} | ${params(s, false)} |`),
  ];
}

/**
 * A Markdown table without its column padding: Biome aligns docs/states.md's tables, so the generated
 * section is compared cell by cell, not byte by byte.
 */
export function normalizeTables(markdown: string): string {
  return markdown
    .trim()
    .split('\n')
    .map((line) =>
      line.startsWith('|')
        ? line
            .split('|')
            .map((cell) => cell.trim())
            .map((cell) => (/^-+$/.test(cell) ? '---' : cell))
            .join('|')
        : line.trim(),
    )
    .join('\n');
}

/** The generated tail of admin.yaml: the example listing every state, as GET answers it. */
export function renderAdminStatesExample(states: readonly StateDescription[] = describeStates()): string {
  const body = stringify({ states }, { indent: 2, lineWidth: 0, aliasDuplicateObjects: false })
    .trimEnd()
    .split('\n')
    .map((l) => `        ${l}`)
    .join('\n');
  return `${ADMIN_STATES_MARKER}\n      summary: Every provider state (generated from src/states)\n      value:\n${body}\n`;
}

/** The states admin.yaml's example lists (what test/docs/admin-docs.test.ts compares with src/states). */
export function adminSpecStates(text = readFileSync(adminSpecPath, 'utf8')): unknown {
  const doc = parse(text) as { components: { examples: Record<string, { value: { states: unknown } }> } };
  return doc.components.examples['provider-states']?.value.states;
}

/** Markdown of the admin interface: each route with its summary, then the states. */
export function renderAdminMarkdown(text = readFileSync(adminSpecPath, 'utf8')): string {
  const doc = parse(text) as {
    info: { description: string };
    paths: Record<string, Record<string, { summary: string; description?: string }>>;
  };
  const routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(
      ([method, op]) => `| \`${method.toUpperCase()} ${path}\` | ${cell(op.summary)} |`,
    ),
  );
  return [
    '# directEarn reference provider: admin interface',
    '',
    'Generated from `openapi/admin.yaml` and `src/states`; see `admin.html` for every request and answer.',
    '',
    doc.info.description.trim(),
    '',
    '## Routes',
    '',
    '| route | what |',
    '| --- | --- |',
    ...routes,
    '',
    '## Provider states',
    '',
    ...renderStatesMarkdown(),
    '',
  ].join('\n');
}

/** Writes admin.html (Redocly, network-free like index.html) and admin.md into `outDir`. */
export async function buildAdminReference(outDir: string): Promise<string[]> {
  const html = join(outDir, 'admin.html');
  const { code, output } = await runRedocly(
    [
      'build-docs',
      adminSpecPath,
      '--inlineBundle',
      '--output',
      html,
      '--config',
      join(packageRoot, 'redocly.yaml'),
    ],
    packageRoot,
  );
  if (code !== 0)
    throw new Error(`Redocly build-docs (admin) failed: ${redoclyMessages(output).slice(-5).join(' / ')}`);
  writeFileSafe(html, offlinePage(readFileSync(html, 'utf8')));
  const md = join(outDir, 'admin.md');
  writeFileSafe(md, renderAdminMarkdown());
  return [html, md];
}
