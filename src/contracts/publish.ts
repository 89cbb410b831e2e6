// `npm run pact:publish`: publishes contracts/pacts to a Pact Broker with the pact-broker CLI of
// @pact-foundation/pact-cli, the git SHA as consumer version and the git branch as branch. Without
// PACT_BROKER_BASE_URL and credentials it says what is missing and exits non-zero.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../util/package-root.js';
import { PACT_DIR, pactFiles } from './pacts.js';

export interface GitInfo {
  sha: string | undefined;
  branch: string | undefined;
  /** Paths under contracts/pacts with uncommitted changes. */
  dirtyPacts: string[];
}

export type PublishPlan =
  | { ok: true; args: string[]; version: string; branch: string; files: string[] }
  | { ok: false; problems: string[] };

/** What would be run, or every reason it cannot be (all of them at once). */
export function planPublish(env: NodeJS.ProcessEnv, git: GitInfo, dir: string = PACT_DIR): PublishPlan {
  const problems: string[] = [];
  const base = env.PACT_BROKER_BASE_URL?.trim();
  if (!base)
    problems.push(
      'PACT_BROKER_BASE_URL is not set (the Pact Broker or PactFlow URL, e.g. https://you.pactflow.io)',
    );
  const hasToken = Boolean(env.PACT_BROKER_TOKEN?.trim());
  const hasBasic = Boolean(env.PACT_BROKER_USERNAME?.trim()) && Boolean(env.PACT_BROKER_PASSWORD);
  if (!hasToken && !hasBasic) {
    problems.push(
      'PACT_BROKER_TOKEN is not set (or PACT_BROKER_USERNAME and PACT_BROKER_PASSWORD for a broker with basic auth)',
    );
  }
  // CI systems check out a detached HEAD: their variables name the branch.
  const version = env.GIT_COMMIT ?? env.GITHUB_SHA ?? env.CI_COMMIT_SHA ?? git.sha;
  const branch =
    env.GIT_BRANCH ?? env.GITHUB_HEAD_REF ?? env.GITHUB_REF_NAME ?? env.CI_COMMIT_REF_NAME ?? git.branch;
  if (!version) problems.push('no git commit: run inside the git work tree, or set GIT_COMMIT');
  if (!branch || branch === 'HEAD') problems.push('no git branch (detached HEAD): set GIT_BRANCH');
  if (git.dirtyPacts.length > 0 && !env.GIT_COMMIT) {
    problems.push(
      `contracts/pacts has uncommitted changes (${git.dirtyPacts.join(', ')}): commit them so the version ${version ?? ''} describes them`,
    );
  }
  const files = pactFiles(dir);
  if (files.length === 0) problems.push(`no pact files in ${dir}: run npm run pact:consumer first`);
  if (problems.length > 0) return { ok: false, problems };
  // Credentials stay in the environment (pact-broker reads them there), never on the command line.
  return {
    ok: true,
    version: version as string,
    branch: branch as string,
    files,
    args: [
      'publish',
      dir,
      '--consumer-app-version',
      version as string,
      '--branch',
      branch as string,
      '--broker-base-url',
      base as string,
    ],
  };
}

function git(args: string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('git', args, { cwd: packageRoot }, (e, out) =>
      resolve(e === null ? String(out).trim() : undefined),
    );
  });
}

export async function gitInfo(): Promise<GitInfo> {
  const [sha, branch, status] = await Promise.all([
    git(['rev-parse', 'HEAD']),
    git(['rev-parse', '--abbrev-ref', 'HEAD']),
    git(['status', '--porcelain', '--', 'contracts/pacts']),
  ]);
  return {
    sha,
    branch,
    dirtyPacts: (status ?? '')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => l.slice(3)),
  };
}

/** Publishes, printing through `out`; returns the exit code. */
export async function publishPacts(
  env: NodeJS.ProcessEnv = process.env,
  out: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
): Promise<number> {
  const plan = planPublish(env, await gitInfo());
  if (!plan.ok) {
    out('pact:publish: cannot publish the pacts:');
    for (const p of plan.problems) out(`  - ${p}`);
    return 1;
  }
  out(
    `pact:publish: ${plan.files.length} pact file(s) as version ${plan.version} on branch ${plan.branch} to ${env.PACT_BROKER_BASE_URL}`,
  );
  return new Promise((resolve) => {
    execFile(
      join(packageRoot, 'node_modules', '.bin', 'pact-broker'),
      plan.args,
      { cwd: packageRoot, env, timeout: 120_000 },
      (e, stdout, stderr) => {
        for (const line of `${stdout}${stderr}`.split('\n')) if (line.trim() !== '') out(line);
        resolve(e === null ? 0 : typeof e.code === 'number' ? e.code : 1);
      },
    );
  });
}
