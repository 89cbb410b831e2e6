// A CliIO that records what a command prints, for in-process CLI tests.
import type { CliIO } from '../../src/cli/command.js';

export type CapturedIO = CliIO & { stdout: string[]; stderr: string[] };

export function captureIO({
  cwd = process.cwd(),
  env = {},
}: {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
} = {}): CapturedIO {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l), color: false, env, cwd };
}
