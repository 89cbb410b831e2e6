// The one-time k6 build of `directearn check`, started in the background as the check begins so Go
// compiles while the contract stages run; the k6 stages wait for it, and it is reported on its own.
import { findGo, findK6, installK6, K6_VERSION } from '../load/k6.js';
import type { ToolBuild } from './check-summary.js';

/** How the background build ended. */
export type K6BuildResult =
  | { ok: true; path: string; durationMs: number }
  | { ok: false; error: string; durationMs: number };

/** A build to start: `start()` runs `go install` once and resolves when it ends (it never rejects). */
export interface K6Build {
  version: string;
  start(): Promise<K6BuildResult>;
}

/**
 * A `go install` of k6 to start when a k6 stage will run and k6 is missing but Go is there; undefined
 * otherwise (k6 found, no Go: the stages say so, load skipped or not allowed). `say` gets the build's
 * progress line at least every 5 s.
 */
export function prepareK6Build(
  ctx: { skipLoad: boolean; loadAllowed: { ok: boolean } },
  needsK6: boolean,
  say: (line: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): K6Build | undefined {
  if (!needsK6 || ctx.skipLoad || !ctx.loadAllowed.ok) return undefined;
  if (findK6(env) !== undefined || findGo(env) === undefined) return undefined;
  let done: Promise<K6BuildResult> | undefined;
  const start = (): Promise<K6BuildResult> => {
    const t0 = performance.now();
    done ??= installK6(say, env).then(
      (path): K6BuildResult => ({ ok: true, path, durationMs: performance.now() - t0 }),
      (e: unknown): K6BuildResult => ({
        ok: false,
        error: e instanceof Error ? e.message : String(e),
        durationMs: performance.now() - t0,
      }),
    );
    return done;
  };
  return { version: K6_VERSION, start };
}

/** The summary record of a finished build. */
export function k6BuildRecord(version: string, r: K6BuildResult): ToolBuild {
  return {
    tool: 'k6',
    version,
    ok: r.ok,
    durationMs: Math.round(r.durationMs),
    detail: r.ok ? r.path : r.error,
  };
}
