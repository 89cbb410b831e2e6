// Shared by the provider benchmarks: starts `directearn serve` as its own process (so its RSS is its
// own) with a ready file, and reads a process's resident memory.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Starts serve; resolves once its ready file exists, with the URL, the child and the ms it took. */
export async function startServe(args = []) {
  const file = join(mkdtempSync(join(tmpdir(), 'directearn-bench-')), 'ready.json');
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [join(root, 'bin', 'directearn.js'), 'serve', '--port', '0', '--ready-file', file, ...args],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  for (let i = 0; i < 4000; i++) {
    if (existsSync(file)) {
      const ms = performance.now() - started;
      return { ...JSON.parse(readFileSync(file, 'utf8')), child, ms };
    }
    if (child.exitCode !== null) throw new Error(`serve exited ${child.exitCode}`);
    await new Promise((r) => setTimeout(r, 2));
  }
  child.kill();
  throw new Error('serve did not become ready');
}

/** Resident set size of a process in MiB (Linux /proc). */
export function rssMiB(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m === null ? Number.NaN : Number(m[1]) / 1024;
}

/** Stops a child and waits for it. */
export function stop(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
