// Runs a child process to completion and collects its output: for the tools the suite drives
// (Redocly lint and build-docs).
import { spawn } from 'node:child_process';
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
