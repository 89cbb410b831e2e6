// `check --base REF` and `docs --since REF`: the current spec compared with the one at a base.
import { isAbsolute, relative } from 'node:path';
import { specPath } from '../openapi/index.js';
import { packageRoot } from '../util/package-root.js';
import { type DiffReport, failsAt } from './diff-report.js';
import { renderText } from './render.js';
import { runDiff } from './run-diff.js';

/** A bare ref becomes `git:REF`; `git:…` and existing files are taken as they are. */
export function baseSide(ref: string, isFile: (path: string) => boolean): string {
  return ref.startsWith('git:') || isFile(ref) ? ref : `git:${ref}`;
}

/**
 * How a report names a side: an absolute path as relative to `cwd` when it lies there, so pages
 * built from the report (the changelog's title) do not show the folders of the machine they were
 * built on.
 */
export function sideLabel(side: string, cwd: string): string {
  if (!isAbsolute(side)) return side;
  const rel = relative(cwd, side);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : side;
}

/** The diff from BASE to the package's spec (the one every command uses). */
export async function diffSinceBase(
  base: string,
  options: {
    cwd: string;
    env: NodeJS.ProcessEnv;
    isFile: (path: string) => boolean;
    onProgress?: (line: string) => void;
  },
): Promise<DiffReport> {
  const report = await runDiff({
    base: baseSide(base, options.isFile),
    new: specPath,
    cwd: options.cwd,
    env: options.env,
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
  });
  // NEW is the package's own spec: named by its place in the package, wherever that is installed.
  return {
    ...report,
    base: sideLabel(report.base, options.cwd),
    new: relative(packageRoot, specPath),
  };
}

/** Prints the diff under a check's verdict; true when it has a breaking change (the check fails). */
export function printBaseDiff(report: DiffReport, out: (line: string) => void, color: boolean): boolean {
  out('');
  out(`API changes since ${report.base} (directearn diff):`);
  for (const line of renderText(report, { color, failOn: 'breaking' })) out(`  ${line}`);
  return failsAt(report.findings, 'breaking');
}
