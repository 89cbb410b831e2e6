// The CI examples teams copy (.github/workflows/directearn.yml and the GitLab snippet of
// docs/ci-contract-gate.md) parse, and every command they run exists: npm scripts in package.json,
// directearn commands with real flags.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseFlags } from '../../src/cli/command.js';
import { CHECK_FLAGS } from '../../src/cli/commands/check-options.js';
import { DOCS_FLAGS } from '../../src/cli/commands/docs.js';
import { packageRoot } from '../../src/util/package-root.js';

const scripts = (
  JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
).scripts;

/** Every shell command line of the example (multi-line `run: |` blocks split into lines). */
function commandLines(runs: string[]): string[] {
  return runs
    .flatMap((r) => r.split('\n').map((l) => l.trim()))
    .filter((l) => l !== '' && !l.startsWith('#'));
}

/** Checks the commands: npm scripts exist, directearn invocations parse with the command's flags. */
function checkCommands(lines: string[]): { npm: string[]; directearn: string[][] } {
  const npm: string[] = [];
  const directearn: string[][] = [];
  for (const line of lines) {
    for (const m of line.matchAll(/npm run ([\w:-]+)/g)) npm.push(m[1] as string);
    const de = /node bin\/directearn\.js (\S+)(.*)$/.exec(line);
    if (de) directearn.push([de[1] as string, ...(de[2] ?? '').trim().split(/\s+/).filter(Boolean)]);
  }
  for (const name of npm) expect(Object.keys(scripts), `npm run ${name}`).toContain(name);
  for (const [command, ...args] of directearn) {
    const flags = command === 'check' ? CHECK_FLAGS : command === 'docs' ? DOCS_FLAGS : undefined;
    expect(flags, `directearn ${command}`).toBeDefined();
    expect(() => parseFlags(args, flags ?? {}), `directearn ${command} ${args.join(' ')}`).not.toThrow();
  }
  return { npm, directearn };
}

describe('the GitHub Actions example', () => {
  const workflow = parse(
    readFileSync(join(packageRoot, '.github', 'workflows', 'directearn.yml'), 'utf8'),
  ) as {
    on: unknown;
    jobs: Record<
      string,
      { steps: { name?: string; uses?: string; run?: string; if?: string; with?: Record<string, unknown> }[] }
    >;
  };
  const steps = Object.values(workflow.jobs).flatMap((j) => j.steps);

  it('installs, runs check with JUnit, publishes pacts, asks can-i-deploy and uploads the reports', () => {
    const { npm, directearn } = checkCommands(commandLines(steps.flatMap((s) => (s.run ? [s.run] : []))));
    expect(npm).toEqual(expect.arrayContaining(['k6:install', 'pact:publish']));
    expect(directearn.find(([c]) => c === 'check')).toEqual(expect.arrayContaining(['--junit']));
    expect(steps.some((s) => s.run?.includes('npm ci'))).toBe(true);
    expect(steps.some((s) => s.run?.includes('pact-broker can-i-deploy'))).toBe(true);
    const upload = steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'));
    expect(String(upload?.with?.path)).toMatch(/reports\/check\//);
    expect(String(upload?.with?.path)).toMatch(/reports\/docs\//);
    // Reports are kept even when the check fails, which is when they matter.
    expect(upload?.if).toBe('always()');
  });
});

describe("docs/ci-contract-gate.md's GitLab CI snippet", () => {
  const readme = readFileSync(join(packageRoot, 'docs', 'ci-contract-gate.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## CI integration'));
  const yaml = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];

  it('is valid YAML whose job runs check with JUnit reports and the broker steps', () => {
    expect(yaml).toBeDefined();
    const doc = parse(yaml ?? '') as Record<
      string,
      { script: string[]; before_script: string[]; artifacts: { reports: { junit: string } } }
    >;
    const job = doc['directearn-check'];
    expect(job).toBeDefined();
    const { npm, directearn } = checkCommands(
      commandLines([...(job?.before_script ?? []), ...(job?.script ?? [])]),
    );
    expect(npm).toEqual(expect.arrayContaining(['k6:install', 'pact:publish']));
    expect(directearn.map(([c]) => c)).toEqual(['check', 'docs']);
    expect(job?.artifacts.reports.junit).toBe('reports/junit/*.xml');
  });
});
