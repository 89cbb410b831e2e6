// Locating and installing schemathesis (the OpenAPI fuzzer of the standing hardening test): a Python
// venv in the user-level tool cache, created on first use with pip, as k6 is built on first use.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { writeFileSafe } from '../util/safe-write.js';

/** The pinned schemathesis; its checks and CLI flags are what test/check/schemathesis.test.ts relies on. */
export const SCHEMATHESIS_VERSION = '4.32.5';
/** schemathesis 4.32.5 declares Requires-Python >=3.11. */
const MIN_PYTHON: readonly [number, number] = [3, 11];
/** Written last by a successful install: a venv without it is a broken half-install and is redone. */
const MARKER = '.directearn-installed';

/** ~/.cache/directearn-tools/schemathesis-<version>/ (or under $XDG_CACHE_HOME): a venv shared by every clone. */
export function schemathesisCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const cache =
    env.XDG_CACHE_HOME !== undefined && env.XDG_CACHE_HOME !== ''
      ? env.XDG_CACHE_HOME
      : join(homedir(), '.cache');
  return join(cache, 'directearn-tools', `schemathesis-${SCHEMATHESIS_VERSION}`);
}

function binDir(dir: string): string {
  return process.platform === 'win32' ? join(dir, 'Scripts') : join(dir, 'bin');
}

/** The `st` of the cached venv when it is completely installed, else undefined. */
export function findSchemathesis(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dir = schemathesisCacheDir(env);
  const st = join(binDir(dir), process.platform === 'win32' ? 'st.exe' : 'st');
  return existsSync(join(dir, MARKER)) && existsSync(st) ? st : undefined;
}

/** The Python that makes the venv: $PYTHON, else python3; undefined with the reason when it is unusable. */
function findPython(env: NodeJS.ProcessEnv): { python: string } | { problem: string } {
  const python = env.PYTHON !== undefined && env.PYTHON !== '' ? env.PYTHON : 'python3';
  const run = spawnSync(python, ['-c', 'import sys, venv; print("%d.%d" % sys.version_info[:2])'], {
    encoding: 'utf8',
    env,
    timeout: 20_000,
  });
  if (run.status !== 0) {
    return {
      problem: `${python} cannot run or lacks the venv module (${(run.stderr || String(run.error ?? '')).trim().split('\n').pop()}); install Python ${MIN_PYTHON.join('.')}+ with venv, or set PYTHON to one`,
    };
  }
  const [major, minor] = run.stdout.trim().split('.').map(Number) as [number, number];
  if (major < MIN_PYTHON[0] || (major === MIN_PYTHON[0] && minor < MIN_PYTHON[1])) {
    return {
      problem: `${python} is Python ${major}.${minor}; schemathesis ${SCHEMATHESIS_VERSION} needs ${MIN_PYTHON.join('.')}+ (set PYTHON to a newer one)`,
    };
  }
  return { python };
}

/** Runs a command, passing each output line to `progress`; resolves to the exit code and the last lines. */
function runWithProgress(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  progress: (line: string) => void,
): Promise<{ code: number; tail: string[] }> {
  const tail: string[] = [];
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        tail.push(line);
        if (tail.length > 20) tail.shift();
        progress(`  ${line}`);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (e) => resolve({ code: 1, tail: [...tail, e.message] }));
    child.on('close', (code) => resolve({ code: code ?? 1, tail }));
  });
}

/**
 * `python3 -m venv <cache>` then `pip install schemathesis==<pinned>` (about 30 s and 100 MB);
 * pip's output goes to `progress`. Resolves to the venv's `st`; rejects with one paragraph saying
 * what is missing when Python or the package index is not usable.
 */
export async function installSchemathesis(
  progress: (line: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const found = findSchemathesis(env);
  if (found !== undefined) {
    progress(`schemathesis ${SCHEMATHESIS_VERSION} is already installed at ${found}`);
    return found;
  }
  const py = findPython(env);
  if ('problem' in py) throw new Error(`cannot install schemathesis ${SCHEMATHESIS_VERSION}: ${py.problem}`);
  const dir = schemathesisCacheDir(env);
  // A directory without the marker is an interrupted install: start over.
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dirname(dir), { recursive: true });
  progress(
    `installing schemathesis ${SCHEMATHESIS_VERSION} into ${dir} (python venv + pip, about 30 s, once)`,
  );
  const venv = await runWithProgress(py.python, ['-m', 'venv', dir], env, progress);
  if (venv.code !== 0) {
    throw new Error(`${py.python} -m venv ${dir} failed (exit ${venv.code}):\n${venv.tail.join('\n')}`);
  }
  const pip = join(binDir(dir), process.platform === 'win32' ? 'pip.exe' : 'pip');
  const install = await runWithProgress(
    pip,
    [
      'install',
      '--disable-pip-version-check',
      '--progress-bar',
      'off',
      `schemathesis==${SCHEMATHESIS_VERSION}`,
    ],
    env,
    progress,
  );
  if (install.code !== 0) {
    throw new Error(
      `pip install schemathesis==${SCHEMATHESIS_VERSION} failed (exit ${install.code}; is the package index reachable?):\n${install.tail.join('\n')}`,
    );
  }
  writeFileSafe(join(dir, MARKER), `schemathesis ${SCHEMATHESIS_VERSION}\n`);
  const st = findSchemathesis(env);
  if (st === undefined) throw new Error(`pip installed schemathesis but ${binDir(dir)}/st is missing`);
  progress(`schemathesis ${SCHEMATHESIS_VERSION} installed at ${st}`);
  return st;
}
