// Runs examples/python (a consumer's unittest suite, standard library only) with the system
// python3, its traffic through `directearn proxy`, for the example and package tests.
import { execFile, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ProxyReport } from '../../src/proxy/report.js';
import { packageRoot } from '../../src/util/package-root.js';

const run = promisify(execFile);

/** Runs the Python example suite; resolves with unittest's output and the proxy's JSON report. */
export async function runPythonExample(
  directearnCmd: string,
  reportPath: string,
): Promise<{ output: string; report: ProxyReport }> {
  const python = spawnSync('python3', ['--version']);
  if (python.status !== 0) {
    throw new Error(
      'python3 is not on PATH: the Python example cannot run (install python3 to run npm test)',
    );
  }
  const r = await run('python3', ['-B', '-m', 'unittest', '-v'], {
    cwd: join(packageRoot, 'examples', 'python'),
    env: { ...process.env, DIRECTEARN_CMD: directearnCmd, DIRECTEARN_PROXY_REPORT: reportPath },
    timeout: 120_000,
  }).catch((e: { stdout?: string; stderr?: string; message: string }) => {
    throw new Error(`the Python example failed:\n${e.stderr ?? ''}${e.stdout ?? ''}${e.message}`);
  });
  return { output: r.stderr, report: JSON.parse(readFileSync(reportPath, 'utf8')) as ProxyReport };
}
