// The changelog page of `directearn docs --since REF`: what changed for consumers between the
// spec at REF and the current one, grouped by severity (from a `directearn diff` report).
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { DiffReport, Finding, Severity } from '../diff/diff-report.js';
import { SEVERITIES } from '../diff/diff-report.js';
import { printableLines } from '../util/printable.js';
import { writeFileSafe } from '../util/safe-write.js';
import { simplePageHead } from './html.js';

const TITLES: Record<Severity, string> = {
  breaking: 'Breaking changes',
  warning: 'Changes to check (warnings)',
  info: 'Other changes (info)',
};

const SOURCE_NAMES = { structure: 'oasdiff', catalogue: 'catalogue', pacts: 'pacts' } as const;

const md = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function groups(report: DiffReport): [Severity, Finding[]][] {
  return SEVERITIES.map(
    (s) => [s, report.findings.filter((f) => f.severity === s)] as [Severity, Finding[]],
  ).filter(([, fs]) => fs.length > 0);
}

function countsLine(report: DiffReport): string {
  const c = report.counts;
  return `${c.breaking} breaking, ${c.warning} warning(s), ${c.info} info`;
}

/** The changelog as Markdown, for pull requests and wikis. */
export function renderChangelogMarkdown(report: DiffReport): string {
  const lines = [
    `# directEarn API changelog: ${report.base} → ${report.new}`,
    '',
    `${countsLine(report)}. Structure by oasdiff ${report.oasdiff.version}, codes and messages from \`x-directearn-catalogue\`, ` +
      `${report.pacts.interactions} committed pact interaction(s) checked against the new spec.`,
  ];
  if (report.findings.length === 0) lines.push('', 'No changes.');
  for (const [severity, findings] of groups(report)) {
    lines.push(
      '',
      `## ${TITLES[severity]}`,
      '',
      '| case / field / interaction | change | found by |',
      '|---|---|---|',
    );
    for (const f of findings) lines.push(`| ${md(f.subject)} | ${md(f.text)} | ${SOURCE_NAMES[f.source]} |`);
  }
  return `${lines.join('\n')}\n`;
}

// The printable rule (src/util/printable.ts), then the markup characters as named entities.
const esc = (s: string) =>
  printableLines(s)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');

const CLASS: Record<Severity, string> = { breaking: 'bad', warning: 'warn', info: 'muted' };

/** The changelog as a self-contained HTML page (loads nothing). */
export function renderChangelogHtml(report: DiffReport): string {
  const sections = groups(report)
    .map(
      ([
        severity,
        findings,
      ]) => `<h2 id="${severity}" class="${CLASS[severity]}">${esc(TITLES[severity])} (${findings.length})</h2>
<table>
<thead><tr><th>case / field / interaction</th><th>change</th><th>found by</th></tr></thead>
<tbody>
${findings.map((f) => `<tr><td><code>${esc(f.subject)}</code></td><td>${esc(f.text)}</td><td class="muted">${SOURCE_NAMES[f.source]}</td></tr>`).join('\n')}
</tbody>
</table>`,
    )
    .join('\n');
  return `${simplePageHead(
    'directEarn changelog',
    `  h2 { font-size: 1.1rem; margin-top: 1.6rem; }
  .muted { color: #656d76; }
  .bad { color: #cf222e; }
  .warn { color: #9a6700; }`,
  )}
<body>
<h1>directEarn API changelog: ${esc(report.base)} → ${esc(report.new)}</h1>
<p id="counts">${esc(countsLine(report))}. Structure by oasdiff ${esc(report.oasdiff.version)}, codes and messages from <code>x-directearn-catalogue</code>, ${report.pacts.interactions} committed pact interaction(s) checked against the new spec.</p>
<p><a href="index.html">API reference</a> · <a href="coverage.html">coverage</a></p>
${report.findings.length === 0 ? '<p>No changes.</p>' : sections}
</body>
</html>
`;
}

/** Writes DIR/changelog.md and DIR/changelog.html; returns their paths. */
export async function writeChangelog(outDir: string, report: DiffReport): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const mdPath = join(outDir, 'changelog.md');
  const htmlPath = join(outDir, 'changelog.html');
  writeFileSafe(mdPath, renderChangelogMarkdown(report));
  writeFileSafe(htmlPath, renderChangelogHtml(report));
  return [mdPath, htmlPath];
}
