// Runs the suite's helper tools (vitest, the Rust pact-verifier) as child processes from the package root.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { packageRoot } from '../util/package-root.js';
import { packageBin } from '../util/process.js';

/** Path of an executable of the package's node_modules/.bin. */
export function toolPath(name: string): string {
  return join(packageRoot, 'node_modules', '.bin', name);
}

/**
 * The pact-verifier as [command, ...leading args]: the standalone `pact verifier` binary of the
 * platform package when it resolves (the .bin wrapper only starts a Node process that runs it), else
 * the wrapper.
 */
export function pactVerifierCommand(): [string, ...string[]] {
  try {
    const require = createRequire(join(packageRoot, 'package.json'));
    const { standalone } = require('@pact-foundation/pact-cli/src/pact-standalone') as {
      standalone: () => { pactFullPath: string };
    };
    const path = standalone().pactFullPath;
    if (existsSync(path)) return [path, 'verifier'];
  } catch {
    // Another layout of the package: its Node wrapper still works, found through node's lookup
    // (installed as a dependency, the suite's packages are hoisted beside it).
  }
  return [process.execPath, packageBin('@pact-foundation/pact-cli', 'pact-verifier')];
}

/**
 * The Pact CLI's broker client as [command, ...leading args]: `pact broker` of the platform package's
 * standalone binary when it resolves, else the package's pact-broker wrapper.
 */
export function pactBrokerCommand(): [string, ...string[]] {
  const [cmd, ...lead] = pactVerifierCommand();
  if (lead[0] === 'verifier') return [cmd, 'broker'];
  return [process.execPath, packageBin('@pact-foundation/pact-cli', 'pact-broker')];
}

/** What a tool run left: its exit code (1 when it could not start or timed out) and its output. */
export interface ToolRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `cmd args` in the package root, never rejecting: a tool that cannot start or times out comes
 * back with a non-zero code and the reason appended to stderr, for the caller to report.
 */
export function runTool(
  cmd: string,
  args: string[],
  timeoutMs: number,
  env: NodeJS.ProcessEnv = process.env,
  /** Stops the tool early (SIGTERM): its run then ends as a failure. */
  signal?: AbortSignal,
): Promise<ToolRun> {
  return new Promise((resolve) => {
    execFile(
      cmd,
      args,
      { cwd: packageRoot, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, env, signal },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        const extra = error !== null && typeof error.code !== 'number' ? `\n${error.message}` : '';
        resolve({ code, stdout: String(stdout), stderr: String(stderr) + extra });
      },
    );
  });
}
