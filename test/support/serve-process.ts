// Starts a long-running `directearn` process (serve, proxy) as a child and waits for its ready file,
// the way a test runner in any language does; stop() sends SIGTERM and returns how it ended.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Ready {
  url: string;
  port: number;
  pid: number;
}

export interface Running extends Ready {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** SIGTERM (unless already ended) and the exit code with what the process printed. */
  stop(): Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/**
 * Spawns `command args... --ready-file F` and resolves once F holds `{url, port, pid}`, or rejects
 * with the process's stderr when it exits first or takes longer than `timeoutMs`.
 */
export async function startWithReadyFile(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; closeStdout?: boolean } = {},
): Promise<Running> {
  const readyFile = join(mkdtempSync(join(tmpdir(), 'directearn-ready-')), 'ready.json');
  const child = spawn(command, [...args, '--ready-file', readyFile], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so a start that fails can be ended whole (npx -> sh -> node).
    detached: true,
  });
  let out = '';
  let err = '';
  if (options.closeStdout === true) child.stdout?.destroy();
  else child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let ended = false;
  void exited.then(() => (ended = true));

  // Generous: a loaded CI machine (2 shared cores) can take long to start node through npx.
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let ready: Ready | undefined;
  while (ready === undefined) {
    if (ended) throw new Error(`${command} ${args.join(' ')} exited before it was ready:\n${err}`);
    if (Date.now() > deadline) {
      killGroup(child);
      throw new Error(`${command} ${args.join(' ')} was not ready in time:\n${err}`);
    }
    if (existsSync(readyFile)) ready = JSON.parse(readFileSync(readyFile, 'utf8')) as Ready;
    else await new Promise((r) => setTimeout(r, 50));
  }
  return {
    ...ready,
    child,
    stdout: () => out,
    stderr: () => err,
    async stop() {
      // The pid of the ready file is the directearn process itself: through npx, `child` is npm,
      // which would die of the signal and leave the server running.
      if (!ended) {
        try {
          process.kill(ready.pid, 'SIGTERM');
        } catch {
          killGroup(child, 'SIGTERM');
        }
      }
      const code = await exited;
      return { code, stdout: out, stderr: err };
    },
  };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'directearn.js');

/**
 * `directearn serve args...` as a child process with the caller's environment minus every
 * DIRECTEARN_* variable of the machine (so an exported one cannot change what a test sees), plus `env`.
 */
export function spawnServe(args: string[], env: Record<string, string> = {}): ChildProcess {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('DIRECTEARN_')));
  return spawn(process.execPath, [BIN, 'serve', ...args], {
    env: { ...clean, ...env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Everything a child printed, and its exit code, once it has closed. */
export function childOutput(
  child: ChildProcess,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => {
      stdout += d;
    });
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d;
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
