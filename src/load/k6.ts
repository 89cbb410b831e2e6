// Locating and building k6: $K6_BINARY, PATH, then the user tool cache that src/tools/go-tool.ts fills.
import { spawn, spawnSync } from 'node:child_process';
import { UnreachableError } from '../errors.js';
import {
  findGoTool,
  findOrBuildGoTool,
  type GoBuildProgress,
  type GoToolSpec,
  goToolDir,
} from '../tools/go-tool.js';
import { K6MemoryError, k6MemoryCeilingBytes, memoryTripMessage, watchMemory } from './k6-memory.js';

export { findGo } from '../tools/go-tool.js';

/**
 * The pinned k6. v1.x runs TypeScript natively; v2 (module go.k6.io/k6/v2) is not served by the Go
 * module proxy this suite is built against, so the newest v1.x is pinned.
 */
export const K6_VERSION = 'v1.8.1';
export const K6_MODULE = 'go.k6.io/k6';

/** The major version a k6 binary reports, or undefined when it does not run. */
export function k6MajorVersion(path: string): number | undefined {
  const run = spawnSync(path, ['version'], { encoding: 'utf8', timeout: 10_000 });
  const m = /k6 v(\d+)\./.exec(run.stdout ?? '');
  return m === null ? undefined : Number(m[1]);
}

/** k6 as a Go tool; a k6 older than v1 (on PATH, say) is passed over: it cannot run the .ts scripts. */
export const K6_TOOL: GoToolSpec = {
  name: 'k6',
  module: K6_MODULE,
  version: K6_VERSION,
  envVar: 'K6_BINARY',
  accept: (path) => (k6MajorVersion(path) ?? 0) >= 1,
};

/** ~/.cache/directearn-tools/k6-<version>/ (or under $XDG_CACHE_HOME): shared by every clone. */
export function k6CacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return goToolDir(K6_TOOL, env);
}

/** A k6 that runs TypeScript (v1 or later): $K6_BINARY, then PATH, then the cache; undefined if none. */
export function findK6(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return findGoTool(K6_TOOL, env);
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
 * The k6 binary, built with Go into the tool cache when none is found. `progress` gets one line per
 * phase change and at least every 5 s while building; rejects with UnreachableError (exit 3) when Go
 * is missing or the build fails.
 */
export async function installK6(
  progress: (line: string) => void,
  env: NodeJS.ProcessEnv = process.env,
  onProgress?: (p: GoBuildProgress) => void,
): Promise<string> {
  return findOrBuildGoTool({
    ...K6_TOOL,
    env,
    onProgress: (p) => {
      progress(p.line);
      onProgress?.(p);
    },
  });
}

/** How long k6 may take to write its summary after `stop` before it is killed. */
const STOP_GRACE_MS = 10_000;

/**
 * Runs k6 and resolves to its exit code; every non-empty output line goes to `onLine` with its
 * stream. When `stop` aborts, k6 gets SIGINT (it ends the test and still writes its summary, exit
 * 105), and SIGKILL if it is still running STOP_GRACE_MS later. Over the memory ceiling of `env`
 * (src/load/k6-memory.ts) k6 is killed at once and the promise rejects with a K6MemoryError.
 */
export function runK6(
  k6: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  onLine: (line: string, stream: 'stdout' | 'stderr') => void,
  cwd?: string,
  stop?: AbortSignal,
): Promise<number> {
  return new Promise((resolveCode, reject) => {
    const ceiling = k6MemoryCeilingBytes(env);
    // k6 runs in the user's folder, so relative paths in its own arguments (--out json=x) land there.
    const child = spawn(k6, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let kill: NodeJS.Timeout | undefined;
    // SIGKILL, not SIGINT: k6 is growing, and its summary would be of answers a target forged.
    let tripped: string | undefined;
    const unwatch =
      child.pid === undefined
        ? () => undefined
        : watchMemory(child.pid, ceiling, (rss) => {
            tripped = memoryTripMessage(rss, ceiling);
            child.kill('SIGKILL');
          });
    const interrupt = () => {
      child.kill('SIGINT');
      kill = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    };
    if (stop?.aborted === true) interrupt();
    else stop?.addEventListener('abort', interrupt, { once: true });
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
    child.on('error', (e) => {
      unwatch();
      reject(new UnreachableError(`cannot run k6 at ${k6}: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(kill);
      unwatch();
      stop?.removeEventListener('abort', interrupt);
      if (tripped !== undefined) reject(new K6MemoryError(tripped));
      else resolveCode(code ?? (signal !== null ? 128 : 1));
    });
  });
}

/**
 * Runs k6 processes together (the runners of one step or run) and resolves to their results in
 * order. When one rejects (k6 over its memory ceiling, say), the others are stopped through the
 * signal each job gets (with `outer`'s abort too), all are awaited, and the first rejection is thrown:
 * no k6 is left running against the target after the command gave up.
 */
export async function runTogether<T>(
  jobs: ReadonlyArray<(stop: AbortSignal) => Promise<T>>,
  outer?: AbortSignal,
): Promise<T[]> {
  const halt = new AbortController();
  const stop = outer === undefined ? halt.signal : AbortSignal.any([outer, halt.signal]);
  const settled = await Promise.allSettled(
    jobs.map((job) =>
      job(stop).catch((e: unknown) => {
        halt.abort();
        throw e;
      }),
    ),
  );
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<T>).value);
}
