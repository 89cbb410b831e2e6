// One run of the Rust pact-verifier: the interactions to replay written as pact files, the verifier
// pointed at the recording proxy (base path, state-change URL, trust store), and its JSON report read.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { devNull, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACT_PROVIDER } from '../config/defaults.js';
import type { VerifierReport } from './judge.js';
import { readPact } from './pacts.js';
import type { Planned } from './prepare.js';
import { pactVerifierCommand, runTool } from './process.js';

/** Writes one pact file per source file holding only the interactions to replay; returns the -f args. */
async function writeRunnablePacts(runnable: Planned[], dir: string): Promise<string[]> {
  const args: string[] = [];
  for (const file of new Set(runnable.map((p) => p.pi.file))) {
    const pact = readPact(file).json;
    const out = join(dir, `${args.length}-${file.split('/').pop()}`);
    const mine = runnable.filter((p) => p.pi.file === file).map((p) => p.raw);
    await writeFile(out, JSON.stringify({ ...pact, interactions: mine }));
    args.push('-f', out);
  }
  return args;
}

/**
 * The verifier's environment. It sends every request to the recording proxy on loopback over plain
 * HTTP, so only an https state-change URL needs TLS; otherwise its trust store is an empty file: the
 * Rust verifier parses the system CA bundle for each request it makes (measured here: 0.5 s of the
 * 0.6 s of CPU a 22-interaction run takes) and no request of such a run uses it.
 */
function verifierEnv(stateChangeUrl: string | undefined): NodeJS.ProcessEnv {
  if (stateChangeUrl !== undefined && new URL(stateChangeUrl).protocol !== 'http:') return process.env;
  return { ...process.env, SSL_CERT_FILE: devNull };
}

/** Where the verifier sends what, for one run. */
export interface VerifierRun {
  /** The target as given (its path is the base path the verifier prefixes). */
  target: URL;
  /** The recording proxy, which stands in for the target's origin. */
  proxyUrl: string;
  stateChangeUrl: string | undefined;
  timeoutMs: number;
  /** Stops the verifier early: the host behind the state-change URL broke a bound. */
  stop?: AbortSignal;
}

/**
 * Replays `runnable` once with the pact-verifier; returns its JSON report (undefined when it wrote
 * none) and a note of how it exited, for the interactions it did not report.
 */
export async function runVerifier(
  runnable: Planned[],
  run: VerifierRun,
): Promise<{ parsed: VerifierReport | undefined; note: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'directearn-verify-'));
  try {
    const args = await writeRunnablePacts(runnable, dir);
    const report = join(dir, 'report.json');
    args.push('-h', '127.0.0.1', '-p', new URL(run.proxyUrl).port, '--transport', 'http');
    if (run.target.pathname !== '/' && run.target.pathname !== '')
      args.push('--base-path', run.target.pathname.replace(/\/+$/, ''));
    args.push('-n', PACT_PROVIDER, '--json', report, '--no-colour');
    if (run.stateChangeUrl !== undefined)
      args.push('--state-change-url', run.stateChangeUrl, '--state-change-teardown');
    const [verifier, ...lead] = pactVerifierCommand();
    const r = await runTool(
      verifier,
      [...lead, ...args],
      run.timeoutMs,
      verifierEnv(run.stateChangeUrl),
      run.stop,
    );
    let parsed: VerifierReport | undefined;
    try {
      parsed = JSON.parse(await readFile(report, 'utf8')) as VerifierReport;
    } catch {
      parsed = undefined;
    }
    const note = `exit ${r.code}: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' ')}`;
    return { parsed, note };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
