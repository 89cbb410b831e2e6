// `directearn docs`: the Markdown reference and coverage page from the spec, and the HTML reference
// rendered in headless Chromium without any network request, showing every code and example.

import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/cli/command.js';
import { main } from '../../src/cli/main.js';
import { interactions } from '../../src/contracts/interactions.js';
import { coverageRows, readSummary, renderCoverageMarkdown } from '../../src/docs/coverage.js';
import { offlinePage, redoclyMessages } from '../../src/docs/html.js';
import { cell, exampleBody, renderMarkdownReference } from '../../src/docs/markdown.js';
import { catalogue, loadSpec } from '../../src/openapi/index.js';
import { packageRoot } from '../../src/util/package-root.js';
import { launchChromium } from '../support/chromium.js';

const out = mkdtempSync(join(tmpdir(), 'docs-'));
const summaryDir = mkdtempSync(join(tmpdir(), 'docs-summary-'));
const stdout: string[] = [];
const stderr: string[] = [];
const io: CliIO = { out: (l) => stdout.push(l), err: (l) => stderr.push(l), color: false, env: {}, cwd: out };

/** A check summary as `directearn check` writes it, with 8892's verification failed. */
function writeSummary(): string {
  const path = join(summaryDir, 'summary.json');
  const cases = catalogue().map((c) => ({
    case: c.case,
    kind: c.kind,
    code: c.code,
    examples: c.examples,
    interactions: interactions()
      .filter((i) => i.case === c.case)
      .map((i) => ({ description: i.description, verification: c.case === '8892' ? 'failed' : 'passed' })),
    inSpec: 'passed',
    inPact: 'passed',
    verified: c.case === '8892' ? 'failed' : 'passed',
    smoke: 'passed',
    notes: [],
  }));
  writeFileSync(
    path,
    JSON.stringify({
      tool: 'directearn check',
      version: 1,
      startedAt: '2026-11-25T20:00:00.000Z',
      durationMs: 1,
      target: { url: 'http://127.0.0.1:1', embedded: true },
      ok: false,
      stages: [],
      cases,
    }),
  );
  return path;
}

let exitCode: number;
beforeAll(async () => {
  exitCode = await main(['docs', '--out', 'site', '--summary', writeSummary()], io);
}, 60_000);

describe('directearn docs', () => {
  it('writes the six pages (endpoint, admin interface, coverage) and says where, without Redocly banners', () => {
    expect(exitCode).toBe(0);
    expect(stderr).toEqual([]);
    expect(stdout.filter((l) => l.startsWith('wrote ')).map((l) => l.split('/').pop())).toEqual([
      'index.html',
      'reference.md',
      'admin.html',
      'admin.md',
      'coverage.md',
      'coverage.html',
    ]);
    expect(stdout.join('\n')).not.toMatch(/[║╔═]|Node\.js/);
  });

  it('builds index.html with no script, style or image from the network, and a CSP that forbids them', () => {
    const html = readFileSync(join(out, 'site', 'index.html'), 'utf8');
    expect(html).toContain('<meta http-equiv="Content-Security-Policy" content="default-src \'none\';');
    const loads = [
      ...html.matchAll(/<(script|link|img|iframe)\b[^>]*\b(src|href)=["']?(https?:)?\/\/[^"'\s>]+/gi),
    ];
    expect(loads.map((m) => m[0])).toEqual([]);
    expect(html).not.toMatch(/@import\s+url\(\s*["']?https?:/i);
    expect(html).not.toContain('cdn.redoc.ly');
  });

  it('drops Redocly banners from its messages and keeps its errors', () => {
    const msgs = redoclyMessages(
      '    ╔══════╗\n    ║  You are using Node.js v20  ║\n    ╚══════╝\n[1] spec.yaml:3 Unexpected token\n',
    );
    expect(msgs).toEqual(['[1] spec.yaml:3 Unexpected token']);
    expect(
      offlinePage('<html><head></head><img src="https://cdn.redoc.ly/redoc/logo-mini.svg">'),
    ).not.toContain('https://cdn.redoc.ly');
  });
});

describe('the Markdown reference', () => {
  const md = renderMarkdownReference();

  it('has every code with its exact message, trigger and whether it is documented or inferred', () => {
    for (const c of catalogue()) {
      const row = md.split('\n').find((l) => l.startsWith(`| ${c.case} | ${c.kind} |`));
      expect(row, c.case).toBeDefined();
      if (c.message !== null) expect(row).toContain(`\`${c.message.replace(/\|/g, '\\|')}\``);
      expect(row).toContain(c.inferred ? '| inferred |' : '| documented |');
    }
  });

  it("shows each code's example body in its row of the code table (issue 21)", () => {
    let shown = 0;
    for (const c of catalogue()) {
      const row = md.split('\n').find((l) => l.startsWith(`| ${c.case} | ${c.kind} |`)) ?? '';
      const body = exampleBody(c);
      if (c.examples.length === 0) {
        expect(row, c.case).toMatch(/\| \*\(no example in the spec\)\* \|$/);
        continue;
      }
      expect(body, c.case).toBeDefined();
      expect(row, c.case).toContain(`\`${cell(body?.json ?? '')}\`<br>*(example \`${body?.name}\`)*`);
      // The body shown is one of the case's examples, and carries the case's code.
      expect(c.examples).toContain(body?.name);
      if (c.kind === 'error' || c.kind === 'warning') expect(body?.json).toContain(`"code": ${c.code}`);
      shown++;
    }
    expect(shown).toBeGreaterThanOrEqual(14);
  });

  it('lists the request and response fields, nested ones by path', () => {
    for (const f of [
      'type',
      'promotionDetails.programId',
      'promotionDetails.promoIdentifier',
      'customers[].identifierValue',
    ]) {
      expect(md).toContain(`| \`${f}\` |`);
    }
    for (const f of [
      'response[].result.earnedId',
      'response[].errors[].code',
      'totalCount',
      'failureCount',
    ]) {
      expect(md).toContain(`| \`${f}\` |`);
    }
  });

  it('shows every example of the spec and every x-inferred element', () => {
    for (const name of Object.keys(loadSpec().components?.examples ?? {}))
      expect(md).toContain(`### ${name}`);
    expect(md).toContain('| `/components/schemas/HttpError` |');
    expect(md).toContain('| `/components/responses/BadRequest` |');
  });

  it('is the file the command wrote', () => {
    expect(readFileSync(join(out, 'site', 'reference.md'), 'utf8')).toBe(md);
  });
});

describe('the coverage page', () => {
  it('maps each case to its examples, interactions and the last verification result', () => {
    const md = readFileSync(join(out, 'site', 'coverage.md'), 'utf8');
    expect(md).toContain(
      'last check: 2026-11-25T20:00:00.000Z against the embedded reference provider, FAILED',
    );
    const inactive = interactions().find((i) => i.case === '8892');
    expect(inactive).toBeDefined();
    const row = md.split('\n').find((l) => l.includes(inactive?.description ?? '?'));
    expect(row).toMatch(/^\| 8892 \| 8892 \| `error-8892` \| .* \| failed \| passed \|$/);
    for (const c of catalogue()) expect(md).toMatch(new RegExp(`^\\| ${c.case} \\|`, 'm'));
    // A case without a pact says why, and the legend uses the words of directearn check.
    expect(md).toMatch(
      /^\| http-415 \| 415 \(inferred\) \| `http-415` \| \*\(no pact: the client always sends Content-Type application\/json.*\)\* \| \| none \| passed \|$/m,
    );
    expect(md).toContain(
      '- **not-verified**: the stage ran but could not check it on this target (see Notes)',
    );
    expect(md).not.toMatch(/\| not run \|/);
  });

  it('says when there is no check summary instead of inventing results', () => {
    const source = readSummary(join(summaryDir, 'nothing-here.json'));
    expect(source.summary).toBeUndefined();
    const md = renderCoverageMarkdown(coverageRows(undefined), source);
    expect(md).toMatch(/no check summary at .*nothing-here\.json: run `directearn check` first/);
    expect(md).not.toMatch(/\| passed \|/);
  });

  it('ignores a file that is not a check summary, naming it', () => {
    const bogus = join(summaryDir, 'bogus.json');
    writeFileSync(bogus, '{"hello": 1}');
    expect(readSummary(bogus).note).toBe(`${bogus} is not a directearn check summary; ignored`);
    writeFileSync(bogus, '{');
    expect(readSummary(bogus).note).toMatch(/bogus\.json is not readable JSON/);
  });
});

describe('the HTML reference in headless Chromium', () => {
  let browser: BrowserContext;
  const requests: string[] = [];
  const pageErrors: string[] = [];
  const shots = join(packageRoot, 'reports', 'docs-test');

  beforeAll(async () => {
    browser = await launchChromium({ viewport: { width: 1280, height: 1000 } });
    browser.on('request', (r) => requests.push(r.url()));
    mkdirSync(shots, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('renders the overview with every code and message, loading nothing from the network', async () => {
    const page = await browser.newPage();
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    await page.goto(`file://${join(out, 'site', 'index.html')}`);
    await page.getByRole('heading', { name: 'Error and warning codes' }).waitFor({ timeout: 20_000 });
    // biome-ignore lint/performance/useDomNodeTextContent: what counts is the text a reader sees
    const text = await page.innerText('body');
    for (const c of catalogue()) {
      if (c.code !== null) expect(text, c.case).toContain(String(c.code));
      if (c.message !== null) expect(text, c.case).toContain(c.message);
    }
    await page.getByRole('heading', { name: 'Error and warning codes' }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(shots, 'overview.png') });
    expect(pageErrors).toEqual([]);
    expect(requests.filter((u) => /^(https?|wss?):/.test(u))).toEqual([]);
    await page.close();
  }, 60_000);

  // Issue 21: the bodies were only in the operation's folded example menus.
  it("shows every code's example body in the overview's code table, in view", async () => {
    const page = await browser.newPage();
    await page.goto(`file://${join(out, 'site', 'index.html')}`);
    await page.getByRole('heading', { name: 'Error and warning codes' }).waitFor({ timeout: 20_000 });
    const flat = (s: string) => s.replace(/\s+/g, ' ').trim();
    const rows = (await page.locator('table').last().locator('tr').allInnerTexts()).map(flat);
    for (const c of catalogue()) {
      const row = rows.find((r) => r.startsWith(`${c.code ?? c.case} `));
      expect(row, c.case).toBeDefined();
      const body = exampleBody(c);
      if (body === undefined) expect(row).toContain('no example in the spec');
      else expect(row, c.case).toContain(`Example body: ${flat(body.json)} (example ${body.name})`);
    }
    await page.close();
  }, 60_000);

  it('shows the server descriptions as text, without the Markdown backticks Redoc does not render', async () => {
    const page = await browser.newPage();
    await page.goto(`file://${join(out, 'site', 'index.html')}`);
    await page.getByRole('heading', { name: 'Error and warning codes' }).waitFor({ timeout: 20_000 });
    // biome-ignore lint/performance/useDomNodeTextContent: what counts is the text a reader sees
    const text = await page.innerText('body');
    const servers = loadSpec().servers ?? [];
    expect(servers.some((s) => s.description?.includes('`'))).toBe(true);
    for (const s of servers) {
      const shown = String(s.description).replace(/`([^`]*)`/g, '"$1"');
      expect(text).toContain(shown);
    }
    expect(text).not.toContain('`');
    await page.close();
  }, 60_000);

  it('renders the operation with every request and 200 response example in its example lists', async () => {
    const page = await browser.newPage();
    await page.goto(`file://${join(out, 'site', 'index.html')}#/promotion/bulkdirectearn`);
    await page.getByRole('heading', { name: 'Issue a promotion to customers in bulk' }).first().waitFor();
    const op = loadSpec().paths?.['/v2/promotion/bulk/directEarn']?.post as unknown as {
      requestBody: { content: { 'application/json': { examples: Record<string, { $ref: string }> } } };
      responses: {
        '200': { content: { 'application/json': { examples: Record<string, { $ref: string }> } } };
      };
    };
    const summariesOf = (examples: Record<string, { $ref: string }>) =>
      Object.values(examples).map((e) => {
        const name = e.$ref.split('/').pop() as string;
        return (loadSpec().components?.examples?.[name] as { summary?: string } | undefined)?.summary ?? name;
      });
    // Each example list is a menu opened by clicking the example shown first.
    for (const summaries of [
      summariesOf(op.requestBody.content['application/json'].examples),
      summariesOf(op.responses['200'].content['application/json'].examples),
    ]) {
      await page
        .getByText(summaries[0] as string, { exact: true })
        .first()
        .click();
      const options = await page.getByRole('menu').getByRole('menuitem').allTextContents();
      expect(options.map((o) => o.trim())).toEqual(summaries);
      await page.keyboard.press('Escape');
    }
    await page.screenshot({ path: join(shots, 'operation.png') });
    expect(requests.filter((u) => /^(https?|wss?):/.test(u))).toEqual([]);
    await page.close();
  }, 60_000);

  it('renders the coverage page with a row per case', async () => {
    const page = await browser.newPage();
    await page.goto(`file://${join(out, 'site', 'coverage.html')}`);
    for (const c of catalogue())
      expect(await page.locator(`tr[id="case-${c.case}"]`).count(), c.case).toBe(1);
    expect(await page.locator('td.bad').first().textContent()).toBe('failed');
    await page.close();
  }, 30_000);
});
