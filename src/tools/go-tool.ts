// Finds a Go program this suite runs as a separate tool (k6, oasdiff), building it once with
// `go install` into the user tool cache when it is missing, with a live progress line instead of Go's output.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { UnreachableError } from '../errors.js';

/** A Go program pinned to one version, built by `go install <module>@<version>`. */
export interface GoToolSpec {
  /** Binary name, e.g. "k6"; also the cache folder's prefix (`<name>-<version>`). */
  name: string;
  /** Go package path given to `go install`, e.g. "go.k6.io/k6". */
  module: string;
  /** Pinned version, e.g. "v1.8.1". */
  version: string;
  /** Environment variable that points at a binary to use instead (e.g. K6_BINARY). */
  envVar: string;
  /** Whether a found binary is usable (e.g. reports the right major version); default: any existing file. */
  accept?: (path: string) => boolean;
}

/** Where a build stands; `line` is a one-line rendering of the rest for a terminal. */
export interface GoBuildProgress {
  phase: 'starting' | 'downloading' | 'compiling' | 'installed';
  elapsedSeconds: number;
  /** Modules downloaded so far (`go: downloading` lines). */
  downloaded: number;
  /** Packages compiled so far (`go install -v` lines). */
  compiled: number;
  line: string;
}

export interface GoToolOptions {
  env?: NodeJS.ProcessEnv;
  /** Called on every phase change and at least every `progressEveryMs` while building. */
  onProgress?: (progress: GoBuildProgress) => void;
  /** Interval of the progress line (default 5000 ms, the longest silence a user should see). */
  progressEveryMs?: number;
}

/** What to find or build, and how to report the build. */
export type GoToolRequest = GoToolSpec & GoToolOptions;

const exeSuffix = process.platform === 'win32' ? '.exe' : '';

/** ~/.cache/directearn-tools (or $XDG_CACHE_HOME/directearn-tools): shared by every clone. */
export function toolCacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CACHE_HOME;
  return join(xdg !== undefined && xdg !== '' ? xdg : join(homedir(), '.cache'), 'directearn-tools');
}

/** The cache folder of one pinned tool: `<tool cache>/<name>-<version>/`. */
export function goToolDir(spec: GoToolSpec, env: NodeJS.ProcessEnv = process.env): string {
  return join(toolCacheRoot(env), `${spec.name}-${spec.version}`);
}

/** The binary path in the cache (it may not exist yet). */
export function goToolCachePath(spec: GoToolSpec, env: NodeJS.ProcessEnv = process.env): string {
  return join(goToolDir(spec, env), spec.name + exeSuffix);
}

function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name + exeSuffix);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** The tool: $envVar, then PATH, then the cache; the first that exists and is accepted, else undefined. */
export function findGoTool(spec: GoToolSpec, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = [env[spec.envVar], onPath(spec.name, env), goToolCachePath(spec, env)];
  for (const candidate of candidates) {
    if (candidate === undefined || candidate === '' || !existsSync(candidate)) continue;
    if (spec.accept === undefined || spec.accept(candidate)) return candidate;
  }
  return undefined;
}

/** The `go` command when it runs, else undefined. */
export function findGo(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const run = spawnSync('go', ['version'], { encoding: 'utf8', env, timeout: 10_000 });
  return run.status === 0 ? 'go' : undefined;
}

/** Folds Go's output lines into a progress state (exported for tests). */
export function progressOf(
  state: Omit<GoBuildProgress, 'line' | 'elapsedSeconds'>,
  goLine: string,
): Omit<GoBuildProgress, 'line' | 'elapsedSeconds'> {
  const text = goLine.trim();
  if (text === '') return state;
  if (text.startsWith('go: downloading ')) {
    return { ...state, phase: 'downloading', downloaded: state.downloaded + 1 };
  }
  // `go install -v` names each package as it compiles it; anything else ("go: finding ...") is not counted.
  if (/^[\w.-]+(\/[\w.@~+-]+)*$/.test(text))
    return { ...state, phase: 'compiling', compiled: state.compiled + 1 };
  return state;
}

function render(spec: GoToolSpec, p: Omit<GoBuildProgress, 'line'>): string {
  const what =
    p.phase === 'starting'
      ? 'resolving modules'
      : p.phase === 'downloading'
        ? `downloading modules (${p.downloaded})`
        : p.phase === 'compiling'
          ? `compiling (${p.compiled} packages)`
          : 'installed';
  return `building ${spec.name} ${spec.version} with Go: ${what}, ${p.elapsedSeconds.toFixed(0)} s`;
}

/**
 * `go install <module>@<version>` with GOBIN = the tool's cache folder. Go's module and build caches
 * (and GOPATH) live in a temporary folder inside the tool cache that is removed afterwards, pass or
 * fail, so a build leaves only the binary behind. Throws UnreachableError (exit 3) naming the tool
 * when Go is missing or the build fails, with Go's last lines.
 */
export async function buildGoTool(request: GoToolRequest): Promise<string> {
  const { onProgress, progressEveryMs, ...spec } = request;
  const env = request.env ?? process.env;
  const what = `${spec.name} ${spec.version}`;
  if (findGo(env) === undefined) {
    throw new UnreachableError(
      `${what} is not installed and Go is not on PATH to build it: install Go (https://go.dev/dl/), or set ${spec.envVar} to a ${spec.name} binary`,
    );
  }
  const dir = goToolDir(spec, env);
  const target = goToolCachePath(spec, env);
  mkdirSync(dir, { recursive: true });
  const scratch = mkdtempSync(join(toolCacheRoot(env), `.go-build-${spec.name}-`));
  const started = Date.now();
  let state: Omit<GoBuildProgress, 'line' | 'elapsedSeconds'> = {
    phase: 'starting',
    downloaded: 0,
    compiled: 0,
  };
  const report = (): void => {
    const p = { ...state, elapsedSeconds: (Date.now() - started) / 1000 };
    onProgress?.({ ...p, line: render(spec, p) });
  };
  report();
  const tail: string[] = [];
  const timer = setInterval(report, progressEveryMs ?? 5000);
  try {
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn('go', ['install', '-v', `${spec.module}@${spec.version}`], {
        env: {
          ...env,
          GOBIN: dir,
          GOPATH: join(scratch, 'gopath'),
          GOMODCACHE: join(scratch, 'mod'),
          GOCACHE: join(scratch, 'build'),
          // Go writes its module cache read-only; writable files let the scratch folder be removed.
          GOFLAGS: [env.GOFLAGS ?? '', '-modcacherw'].join(' ').trim(),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let pending = '';
      const onData = (chunk: Buffer): void => {
        const lines = (pending + chunk.toString('utf8')).split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) {
          if (line.trim() === '') continue;
          tail.push(line);
          if (tail.length > 15) tail.shift();
          const before = state.phase;
          state = progressOf(state, line);
          if (state.phase !== before) report();
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.on('error', reject);
      child.on('close', (status) => resolve(status ?? 1));
    });
    if (code !== 0 || !existsSync(target)) {
      const last = tail.filter((l) => !l.startsWith('go: downloading')).slice(-5);
      throw new UnreachableError(
        `could not build ${what} (go install ${spec.module}@${spec.version} exited ${code}): ${last.join(' | ') || 'no output'}`,
      );
    }
    state = { ...state, phase: 'installed' };
    report();
    return target;
  } catch (e) {
    if (e instanceof UnreachableError) throw e;
    throw new UnreachableError(`could not build ${what}: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    clearInterval(timer);
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The tool if it is found ($envVar, PATH, cache), else built into the cache (see buildGoTool). */
export async function findOrBuildGoTool(request: GoToolRequest): Promise<string> {
  return findGoTool(request, request.env ?? process.env) ?? (await buildGoTool(request));
}
