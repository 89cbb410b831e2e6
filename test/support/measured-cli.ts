// Runs the built CLI as a user runs it (a child process) under /usr/bin/time, for the tests of
// hostile targets: its exit, its output, the peak resident memory of it and its children (k6 and
// pact-verifier included) and its wall time; killed at a guard time, so a command that does not end
// by itself fails its test instead of hanging it.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/util/package-root.js';

/** GNU time, which reports the peak RSS of a command and its children (`-f %M`). */
export const TIME = '/usr/bin/time';

const BIN = join(packageRoot, 'bin', 'directearn.js');

export interface MeasuredRun {
  code: number | null;
  /** Killed at the guard time: the command did not end by itself. */
  killed: boolean;
  stdout: string;
  stderr: string;
  maxRssKb: number;
  seconds: number;
}

/** `directearn ARGS` in `cwd` with `env` over this process's, killed after `guardMs`. */
export function runMeasuredCli(
  args: string[],
  run: { cwd: string; env: Record<string, string>; guardMs: number },
): Promise<MeasuredRun> {
  const rss = join(run.cwd, `rss-${Math.random().toString(36).slice(2)}`);
  const t0 = performance.now();
  const child = spawn(TIME, ['-f', '%M', '-o', rss, process.execPath, BIN, ...args], {
    cwd: run.cwd,
    env: { ...process.env, ...run.env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  let killed = false;
  const guard = setTimeout(() => {
    killed = true;
    child.kill('SIGKILL');
  }, run.guardMs);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearTimeout(guard);
      const kb = existsSync(rss) ? Number(readFileSync(rss, 'utf8').trim().split('\n').pop()) : Number.NaN;
      resolve({ code, killed, stdout, stderr, maxRssKb: kb, seconds: (performance.now() - t0) / 1000 });
    });
  });
}
