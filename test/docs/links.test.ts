// README.md and the pages of docs/ stay walkable: every relative link names a file that exists (and a
// heading that exists, when it names one), the repository paths they name exist, README's layout
// tables name every top-level folder and every folder of src/, and docs/cli.md names every command
// `directearn --help` lists.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { packageRoot } from '../../src/util/package-root.js';

/** The Markdown pages a reader walks: README.md, docs/*.md and the k6 folder's READMEs. */
function pages(): string[] {
  const docs = readdirSync(join(packageRoot, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => join('docs', f));
  const k6 = ['k6/README.md', 'k6/k8s/README.md'].filter((f) => existsSync(join(packageRoot, f)));
  return ['README.md', ...docs, ...k6];
}

/** Markdown without its code (a `[x](y)` inside a fenced block or a code span is not a link). */
const prose = (text: string): string => withoutFences(text).replace(/`[^`\n]*`/g, '');
const withoutFences = (text: string): string => text.replace(/^```[\s\S]*?^```/gm, '');

/** The relative links of a page: `[text](target)`, without external URLs. */
function relativeLinks(text: string): string[] {
  return [...prose(text).matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1] as string)
    .filter((t) => !/^[a-z][a-z0-9+.-]*:/i.test(t));
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

const anchors = (text: string): Set<string> =>
  new Set([...withoutFences(text).matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchorOf(m[1] as string)));

/** What is wrong with each relative link of `page` (its text read unless given): a missing file or heading. */
function brokenLinks(page: string, text = readFileSync(join(packageRoot, page), 'utf8')): string[] {
  const broken: string[] = [];
  for (const link of relativeLinks(text)) {
    const [path = '', fragment] = link.split('#');
    const target = join(packageRoot, path === '' ? page : join(dirname(page), path));
    if (path !== '' && !existsSync(target)) {
      broken.push(`${page}: link ${link} names ${relative(packageRoot, target)}, which does not exist`);
      continue;
    }
    const targetText = path === '' ? text : target.endsWith('.md') ? readFileSync(target, 'utf8') : undefined;
    if (fragment !== undefined && targetText !== undefined && !anchors(targetText).has(fragment))
      broken.push(`${page}: link ${link}: ${relative(packageRoot, target)} has no heading #${fragment}`);
  }
  return broken;
}

describe('links of README.md and docs/', () => {
  it('finds relative links, and GitHub anchors of headings', () => {
    expect(relativeLinks('[a](docs/x.md#b) [c](https://e.org) `[d](e)`\n```\n[f](g)\n```\n[h](#i)')).toEqual([
      'docs/x.md#b',
      '#i',
    ]);
    expect(anchorOf('Planning a campaign: `directearn plan`')).toBe('planning-a-campaign-directearn-plan');
  });

  it('name files and headings that exist', () => {
    expect(pages().length).toBeGreaterThan(5);
    expect(pages().flatMap((p) => brokenLinks(p))).toEqual([]);
  });

  it('names the missing file or heading of a broken link', () => {
    const page =
      '# Here\n[a](gone.md) [b](cli.md#no-such-heading) [c](cli.md#exit-codes) [d](#here) [e](#nowhere)';
    expect(brokenLinks('docs/fake.md', page)).toEqual([
      'docs/fake.md: link gone.md names docs/gone.md, which does not exist',
      'docs/fake.md: link cli.md#no-such-heading: docs/cli.md has no heading #no-such-heading',
      'docs/fake.md: link #nowhere: docs/fake.md has no heading #nowhere',
    ]);
  });
});

describe('paths named in README.md and docs/', () => {
  /** `src/x.ts`, `test/area/y.test.ts`, ... in code spans: files and folders of this repository. */
  const named = (text: string): string[] =>
    [...text.matchAll(/`((?:src|test|k6|contracts|scripts|bench|examples|fixtures|openapi)\/[\w./-]+)`/g)]
      .map((m) => (m[1] as string).replace(/\/$/, ''))
      .filter((p) => !p.includes('NAME'));

  it('exist (a rename leaves no page pointing at the old name)', () => {
    expect(named('`src/spec` `bench/results/NAME.jsonl` `k6/x.ts`')).toEqual(['src/spec', 'k6/x.ts']);
    const missing = pages().flatMap((page) =>
      named(readFileSync(join(packageRoot, page), 'utf8'))
        .filter((p) => !existsSync(join(packageRoot, p)))
        .map((p) => `${page} names ${p}, which does not exist`),
    );
    expect(missing).toEqual([]);
  });
});

describe("README's layout tables", () => {
  const readme = readFileSync(join(packageRoot, 'README.md'), 'utf8');
  const layout = readme.slice(
    readme.indexOf('## Layout'),
    readme.indexOf('\n## ', readme.indexOf('## Layout') + 1),
  );
  const named = new Set([...layout.matchAll(/`([^`]+)`/g)].map((m) => (m[1] as string).replace(/\/$/, '')));

  it('name every top-level folder (dist/, reports/ and node_modules/ are generated)', () => {
    const generated = new Set(['dist', 'reports', 'node_modules', '.git']);
    const folders = readdirSync(packageRoot).filter(
      (f) => !generated.has(f) && statSync(join(packageRoot, f)).isDirectory(),
    );
    expect(folders.length).toBeGreaterThan(8);
    const missing = folders.filter((f) => !named.has(f));
    expect(missing, `README.md's layout table lacks a row for ${missing.join(', ')}`).toEqual([]);
  });

  it('name every folder of src/', () => {
    const folders = readdirSync(join(packageRoot, 'src')).filter((f) =>
      statSync(join(packageRoot, 'src', f)).isDirectory(),
    );
    const missing = folders.map((f) => `src/${f}`).filter((f) => !named.has(f));
    expect(missing, `README.md's src/ table lacks a row for ${missing.join(', ')}`).toEqual([]);
  });
});

describe('docs/cli.md', () => {
  it('names every command `directearn --help` lists', async () => {
    const out: string[] = [];
    await main(['--help'], {
      out: (l) => out.push(l),
      err: () => {},
      color: false,
      env: {},
      cwd: packageRoot,
    });
    const commands = out
      .join('\n')
      .split('\n')
      .flatMap((l) => /^ {2}([a-z][a-z-]+) {2,}/.exec(l)?.[1] ?? []);
    expect(commands).toContain('check');
    const cli = readFileSync(join(packageRoot, 'docs', 'cli.md'), 'utf8');
    const missing = commands.filter((c) => !cli.includes(`| \`${c}\``));
    expect(missing, `docs/cli.md's command table lacks ${missing.join(', ')}`).toEqual([]);
  });
});
