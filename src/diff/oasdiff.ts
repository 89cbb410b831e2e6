// Runs oasdiff (github.com/oasdiff/oasdiff, Apache-2.0), the field's standard OpenAPI diff, as its
// own program: found on OASDIFF_BINARY, PATH or the user tool cache, else built once with Go.
import { execFile, spawnSync } from 'node:child_process';
import { findOrBuildGoTool, type GoToolSpec } from '../tools/go-tool.js';

/**
 * Whether an oasdiff can be used: v1.37 or later (older ones lack flags and check ids this module
 * reads), or "main", which is what a `go install` build reports instead of its version.
 */
export function acceptOasdiff(path: string): boolean {
  const run = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  const version = /oasdiff version (\S+)/.exec(run.stdout ?? '')?.[1];
  if (version === undefined) return false;
  if (version === 'main') return true;
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
  return major > 1 || (major === 1 && minor >= 37);
}

/** The pinned oasdiff: a version the Go module proxy serves (`go list -m -versions`). */
export const OASDIFF: GoToolSpec = {
  name: 'oasdiff',
  module: 'github.com/oasdiff/oasdiff',
  version: 'v1.37.0',
  envVar: 'OASDIFF_BINARY',
  accept: acceptOasdiff,
};

/** One entry of `oasdiff changelog --format json`. */
export interface OasdiffChange {
  id: string;
  text: string;
  /** 3 error (breaking), 2 warning, 1 info. */
  level: number;
  operation?: string;
  path?: string;
  section?: string;
}

/** The structural diff tree of `oasdiff diff --format json` (only read, never typed further). */
export type OasdiffTree = Record<string, unknown>;

/**
 * The oasdiff binary: found, or built into the tool cache (progress lines to `onProgress`). Without
 * oasdiff and without Go it throws UnreachableError naming the tool (exit 3).
 */
export function findOrBuildOasdiff(
  env: NodeJS.ProcessEnv,
  onProgress?: (line: string) => void,
): Promise<string> {
  return findOrBuildGoTool({
    ...OASDIFF,
    env,
    ...(onProgress === undefined ? {} : { onProgress: (p) => onProgress(p.line) }),
  });
}

function run(bin: string, args: string[]): Promise<string> {
  return new Promise((done, fail) => {
    execFile(bin, args, { maxBuffer: 64 * 1024 * 1024, timeout: 60_000 }, (error, stdout, stderr) => {
      if (error === null) return done(String(stdout));
      const line =
        String(stderr)
          .split('\n')
          .find((l) => l.trim() !== '') ?? error.message;
      fail(new Error(line.trim()));
    });
  });
}

/** `oasdiff changelog` and `oasdiff diff` of two spec files, both as JSON. */
export async function runOasdiff(
  bin: string,
  basePath: string,
  newPath: string,
): Promise<{ changes: OasdiffChange[]; tree: OasdiffTree }> {
  // The catalogue is compared by src/diff/catalogue.ts; oasdiff would only show it as a JSON patch.
  const common = [basePath, newPath, '--format', 'json', '--exclude-extensions', 'x-directearn-catalogue'];
  const [changelog, diff] = await Promise.all([
    run(bin, ['changelog', ...common]),
    run(bin, ['diff', ...common]),
  ]);
  const changes = changelog.trim() === '' ? [] : (JSON.parse(changelog) as OasdiffChange[]);
  const tree = diff.trim() === '' ? {} : (JSON.parse(diff) as OasdiffTree);
  return { changes, tree };
}
