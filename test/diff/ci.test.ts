// The CI examples of the diff guide, docs/api-versions.md (GitHub Actions and GitLab), parse, run only
// on changes to openapi/, fetch the history git show needs, and call `directearn diff` with real flags.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseFlags } from '../../src/cli/command.js';
import { DIFF_FLAGS } from '../../src/cli/commands/diff.js';
import { parseGitSide } from '../../src/diff/source.js';
import { packageRoot } from '../../src/util/package-root.js';

const readme = readFileSync(join(packageRoot, 'docs', 'api-versions.md'), 'utf8');
const start = readme.indexOf('## Versions of the API: directearn diff');
const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
const blocks = [...section.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => parse(m[1] as string));

/** The `directearn diff` calls of some shell lines, each parsed with the command's own flags. */
function diffCalls(lines: string[]): { positionals: string[]; values: Record<string, unknown> }[] {
  return lines.flatMap((line) => {
    // GitHub substitutes its expressions before the shell runs; a PR into main is the example.
    const m = /node bin\/directearn\.js diff (.*)$/.exec(
      line.replace(/\$\{\{\s*github\.base_ref\s*\}\}/g, 'main'),
    );
    if (m === null) return [];
    return [parseFlags((m[1] as string).trim().split(/\s+/), DIFF_FLAGS, true)];
  });
}

describe("docs/api-versions.md's diff CI examples", () => {
  it('has one GitHub Actions workflow and one GitLab job', () => {
    expect(start).toBeGreaterThan(0);
    expect(blocks).toHaveLength(2);
  });

  it('GitHub Actions: on pull requests touching openapi/, full history, diff against the base branch', () => {
    const wf = blocks[0] as {
      on: { pull_request: { paths: string[] } };
      jobs: Record<string, { steps: { uses?: string; run?: string; with?: Record<string, unknown> }[] }>;
    };
    expect(wf.on.pull_request.paths).toEqual(['openapi/**']);
    const steps = Object.values(wf.jobs).flatMap((j) => j.steps);
    expect(steps.find((s) => s.uses?.startsWith('actions/checkout@'))?.with?.['fetch-depth']).toBe(0);
    expect(steps.some((s) => s.run?.includes('npm run build'))).toBe(true);
    const calls = diffCalls(steps.flatMap((s) => (s.run ? s.run.split('\n') : [])));
    expect(calls).toHaveLength(1);
    expect(calls[0]?.positionals).toEqual(['git:origin/main']);
    expect(calls[0]?.values.junit).toBe('reports/diff.xml');
  });

  it('GitLab: merge requests touching openapi/, full history, diff against the merge base', () => {
    const job = (blocks[1] as Record<string, Record<string, unknown>>)['directearn-diff'] as {
      rules: { if: string; changes: string[] }[];
      variables: Record<string, string>;
      before_script: string[];
      script: string[];
      artifacts: { reports: { junit: string } };
    };
    expect(job.rules[0]?.changes).toEqual(['openapi/**/*']);
    expect(job.variables.GIT_DEPTH).toBe('0');
    expect(job.before_script).toContain('npm run build --silent');
    const calls = diffCalls(job.script);
    expect(calls).toHaveLength(1);
    expect(parseGitSide(calls[0]?.positionals[0] as string)).toEqual({
      ref: '$CI_MERGE_REQUEST_DIFF_BASE_SHA',
      path: 'openapi/directEarn.yaml',
    });
    expect(job.artifacts.reports.junit).toBe(calls[0]?.values.junit);
  });
});
