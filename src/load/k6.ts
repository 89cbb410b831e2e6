// Locating and installing k6: PATH first, then the user-level cache `npm run k6:install` fills.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { UnreachableError } from '../errors.js';

/**
 * The pinned k6. v1.x runs TypeScript natively; v2 (module go.k6.io/k6/v2) is not served by the Go
 * module proxy this suite is built against, so the newest v1.x is pinned.
 */
export const K6_VERSION = 'v1.8.1';
export const K6_MODULE = 'go.k6.io/k6';

/** ~/.cache/directearn-tools/k6-<version>/ (or under $XDG_CACHE_HOME): shared by every clone. */
export function k6CacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const cache =
    env.XDG_CACHE_HOME !== undefined && env.XDG_CACHE_HOME !== ''
      ? env.XDG_CACHE_HOME
      : join(homedir(), '.cache');
  return join(cache, 'directearn-tools', `k6-${K6_VERSION}`);
}

const exe = process.platform === 'win32' ? 'k6.exe' : 'k6';

/** The major version a k6 binary reports, or undefined when it does not run. */
export function k6MajorVersion(path: string): number | undefined {
  const run = spawnSync(path, ['version'], { encoding: 'utf8', timeout: 10_000 });
  const m = /k6 v(\d+)\./.exec(run.stdout ?? '');
  return m === null ? undefined : Number(m[1]);
}

function onPath(env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, exe);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/**
 * A k6 that runs TypeScript (v1 or later): $K6_BINARY, then PATH, then the cache; undefined if none.
 * A k6 older than v1 on PATH is passed over (it cannot run the .ts scripts).
 */
export function findK6(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = [env.K6_BINARY, onPath(env), join(k6CacheDir(env), exe)];
  for (const candidate of candidates) {
    if (candidate === undefined || candidate === '' || !existsSync(candidate)) continue;
    if ((k6MajorVersion(candidate) ?? 0) >= 1) return candidate;
  }
  return undefined;
}

/** The `go` binary on PATH, or undefined. */
export function findGo(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const run = spawnSync('go', ['version'], { encoding: 'utf8', env, timeout: 10_000 });
  return run.status === 0 ? 'go' : undefined;
}

/** What to tell someone who has neither k6 nor Go. */
export function howToGetK6(env: NodeJS.ProcessEnv = process.env): string {
  return [
    `k6 is not installed and Go is not available to build it. Either:`,
    `  - install Go (https://go.dev/dl/) and run \`npm run k6:install\` (go install ${K6_MODULE}@${K6_VERSION} into ${k6CacheDir(env)}), or`,
    `  - install k6 ${K6_VERSION} or newer from https://grafana.com/docs/k6/latest/set-up/install-k6/ and put it on PATH`,
    `    (or set K6_BINARY to its path).`,
  ].join('\n');
}

/**
 * `GOBIN=<cache> go install go.k6.io/k6@<pinned>`; go's own output goes to `progress` line by line.
 * Resolves to the installed binary; rejects with go's last lines when the build fails.
 */
export async function installK6(
  progress: (line: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const dir = k6CacheDir(env);
  const target = join(dir, exe);
  if (existsSync(target) && (k6MajorVersion(target) ?? 0) >= 1) {
    progress(`k6 ${K6_VERSION} is already installed at ${target}`);
    return target;
  }
  if (findGo(env) === undefined) throw new Error(howToGetK6(env));
  mkdirSync(dir, { recursive: true });
  progress(
    `installing k6 ${K6_VERSION}: GOBIN=${dir} go install ${K6_MODULE}@${K6_VERSION} (a minute or two)`,
  );
  const tail: string[] = [];
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn('go', ['install', `${K6_MODULE}@${K6_VERSION}`], {
      env: { ...env, GOBIN: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        tail.push(line);
        if (tail.length > 20) tail.shift();
        progress(`  ${line}`); // go prefixes its own lines with "go: "
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('close', (status) => resolve(status ?? 1));
  });
  if (code !== 0 || !existsSync(target)) {
    throw new Error(`go install ${K6_MODULE}@${K6_VERSION} failed (exit ${code}):\n${tail.join('\n')}`);
  }
  progress(`k6 ${K6_VERSION} installed at ${target}`);
  return target;
}

/** Runs k6 and resolves to its exit code; every non-empty output line goes to `onLine` with its stream. */
export function runK6(
  k6: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  onLine: (line: string, stream: 'stdout' | 'stderr') => void,
): Promise<number> {
  return new Promise((resolveCode, reject) => {
    const child = spawn(k6, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const forward = (stream: NodeJS.ReadableStream, name: 'stdout' | 'stderr') => {
      let rest = '';
      stream.on('data', (chunk: Buffer) => {
        const lines = (rest + chunk.toString('utf8')).split(/\r?\n|\r/);
        rest = lines.pop() ?? '';
        for (const line of lines) if (line.trim() !== '') onLine(line, name);
      });
      stream.on('end', () => {
        if (rest.trim() !== '') onLine(rest, name);
      });
    };
    forward(child.stdout, 'stdout');
    forward(child.stderr, 'stderr');
    child.on('error', (e) => reject(new UnreachableError(`cannot run k6 at ${k6}: ${e.message}`)));
    child.on('close', (code, signal) => resolveCode(code ?? (signal !== null ? 128 : 1)));
  });
}
