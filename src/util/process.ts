// Runs a child process to completion and collects its output: for the tools the suite drives
// (Redocly lint and build-docs).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

export interface Collected {
  /** Exit code; 1 when the process could not start or was killed. */
  code: number;
  /** stdout and stderr interleaved as they arrived. */
  output: string;
}

export function runCollect(
  cmd: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<Collected> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: options.cwd, env: options.env ?? process.env });
    let output = '';
    const collect = (d: Buffer) => {
      output += d.toString();
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', (e) => resolve({ code: 1, output: e.message }));
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

/** Runs the Redocly CLI of this package (lint, build-docs) quietly: no colours, telemetry or update notice. */
export function runRedocly(args: string[], cwd: string): Promise<Collected> {
  const require = createRequire(import.meta.url);
  const cli = join(require.resolve('@redocly/cli/package.json'), '..', 'bin', 'cli.js');
  return runCollect(process.execPath, [cli, ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: '1', REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
  });
}

/**
 * The folder of an installed npm package, found along node's lookup path (this repo's node_modules,
 * or the folders an app hoists the suite's dependencies into). Reading the folder rather than
 * `require.resolve(pkg/package.json)` works for packages whose `exports` hide their manifest.
 */
export function packageDir(pkg: string): string {
  const require = createRequire(import.meta.url);
  for (const base of require.resolve.paths(pkg) ?? []) {
    const dir = join(base, pkg);
    if (existsSync(join(dir, 'package.json'))) return dir;
  }
  throw new MissingPackageError(pkg);
}

/** The script behind an npm package's `bin` entry; MissingPackageError when it is not installed. */
export function packageBin(pkg: string, name: string): string {
  const dir = packageDir(pkg);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    bin?: string | Record<string, string>;
  };
  const rel = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin?.[name];
  if (rel === undefined) throw new Error(`${pkg} has no "${name}" executable`);
  return join(dir, rel);
}

/** An optional npm package a command needs is not installed (e.g. after `npm install --omit=optional`). */
export class MissingPackageError extends Error {
  override name = 'MissingPackageError';
  constructor(readonly pkg: string) {
    super(`the npm package ${pkg} is not installed`);
  }
}

/** Throws MissingPackageError for the first of `pkgs` that is not installed. */
export function requirePackages(pkgs: readonly string[]): void {
  for (const pkg of pkgs) packageDir(pkg);
}
