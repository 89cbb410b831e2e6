// `directearn docs --since REF`: the changelog page between two versions of the spec.
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { main } from '../../src/cli/main.js';
import { runDiff } from '../../src/diff/run-diff.js';
import { writeChangelog } from '../../src/docs/changelog.js';
import { specPath } from '../../src/openapi/index.js';
import { packageRoot } from '../../src/util/package-root.js';
import { captureIO } from '../support/cli-io.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'directearn-changelog-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// The first case runs oasdiff and loads and runs swagger-mock-validator (BASE and NEW): under a
// full npm test on 2 shared cores it took 26 s (the vitest default of 30 s failed a landing), as
// test/diff/cli.test.ts's cases do.
describe('the changelog page', { timeout: 90_000 }, () => {
  it('groups the changes by severity in Markdown and in a page that loads nothing', async () => {
    const doc = parse(readFileSync(specPath, 'utf8'));
    const e8892 = doc['x-directearn-catalogue'].find((e: { case: string }) => e.case === '8892');
    e8892.message = 'promotion is <b>not</b> active';
    doc.components.schemas.CustomerIdentifier.properties.note = { type: 'string' };
    const base = join(dir, 'old.yaml');
    await writeFile(base, stringify(doc));
    // The old spec had the edits; the current one does not: the message changed back, the field went.
    const report = await runDiff({ base, new: specPath, cwd: packageRoot });
    const [md, html] = await writeChangelog(join(dir, 'docs'), report);
    const markdown = await readFile(md as string, 'utf8');
    expect(markdown).toMatch(/^# directEarn API changelog: .*old\.yaml → .*directEarn\.yaml$/m);
    expect(markdown).toMatch(
      /^## Breaking changes\n\n\| case \/ field \/ interaction \| change \| found by \|/m,
    );
    expect(markdown).toMatch(
      /^\| 8892 \| message of error 8892 changed from "promotion is <b>not<\/b> active" to "promotion is inactive".* \| catalogue \|$/m,
    );
    expect(markdown).toMatch(
      /^## Changes to check \(warnings\)\n\n.*\n.*\n\| request customers\[\]\.note \| removed the request property/m,
    );
    const page = await readFile(html as string, 'utf8');
    expect(page).toContain("default-src 'none'");
    expect(page).toContain('&lt;b&gt;not&lt;/b&gt;');
    expect(page).not.toContain('<b>not</b>');
    expect(page).toContain(`<h2 id="breaking" class="bad">Breaking changes (${report.counts.breaking})</h2>`);
    // The message change also names the pact interaction that pins the old message.
    expect(markdown).toMatch(
      /^\| 8892: answers 8892 when the promotion is inactive \| pins the message as BASE words it.* \| pacts \|$/m,
    );
  });

  // Issue 21: the title read "… → /home/<someone>/…/openapi/directEarn.yaml".
  it("names the sides without the build machine's folders: the package spec by its path in the package", async () => {
    const { diffSinceBase } = await import('../../src/diff/base.js');
    const base = join(dir, 'same.yaml');
    await writeFile(base, readFileSync(specPath, 'utf8'));
    const report = await diffSinceBase(base, { cwd: dir, env: process.env, isFile: () => true });
    expect(report.base).toBe('same.yaml');
    expect(report.new).toBe('openapi/directEarn.yaml');
    const [md, html] = await writeChangelog(join(dir, 'named'), report);
    const markdown = await readFile(md as string, 'utf8');
    const page = await readFile(html as string, 'utf8');
    expect(markdown.split('\n')[0]).toBe('# directEarn API changelog: same.yaml → openapi/directEarn.yaml');
    expect(page).toContain('<h1>directEarn API changelog: same.yaml → openapi/directEarn.yaml</h1>');
    for (const text of [markdown, page]) {
      expect(text).not.toContain(packageRoot);
      expect(text).not.toContain(dir);
    }
  });

  it('docs --since refuses a ref git does not know, in one line, before building anything', async () => {
    const io = captureIO({ cwd: packageRoot, env: process.env });
    const code = await main(['docs', '--out', join(dir, 'never'), '--since', 'no-such-ref-456'], io);
    expect(code).toBe(2);
    expect(io.stderr).toEqual([
      expect.stringMatching(
        /^directearn docs: git:no-such-ref-456: cannot read openapi\/directEarn\.yaml at no-such-ref-456/,
      ),
    ]);
    expect(io.stdout).toEqual([]);
  });
});
