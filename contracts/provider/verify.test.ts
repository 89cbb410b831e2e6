// Provider verification of contracts/pacts: pact-js's Verifier against the reference provider
// in-process (in a child process whose output is captured), and the Rust pact-verifier CLI against
// `directearn serve --admin`, both counting the interactions they verified (a verifier that finds
// none passes otherwise).
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACT_PROVIDER } from '../../src/config/defaults.js';
import { pactFiles, pactInteractions } from '../../src/contracts/pacts.js';
import { packageRoot } from '../../src/spec/index.js';
import { pactsWithWrongExpectation, serveReferenceProvider } from './support.js';

const inPacts = pactInteractions();

/**
 * pact-js's Verifier against a fresh in-process reference provider, in a child process
 * (pact-js-verify.mjs) whose output is captured: the native verifier prints its report, and the
 * failures of the pact that must fail, to stdout, where a passing test run should print nothing.
 */
function verifyWithPactJs(
  urls: string[],
  empty = false,
): Promise<{ replayed: number; error: string | null; output: string }> {
  const script = join(packageRoot, 'contracts', 'provider', 'pact-js-verify.mjs');
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [script, ...(empty ? ['--empty'] : []), ...urls],
      { cwd: packageRoot, timeout: 90_000, maxBuffer: 16 * 1024 * 1024 },
      (e, stdout, stderr) => {
        const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
        if (line === undefined) {
          reject(
            new Error(`pact-js-verify.mjs printed no RESULT (${e?.message ?? ''}):\n${stdout}\n${stderr}`),
          );
          return;
        }
        resolve({
          ...(JSON.parse(line.slice('RESULT '.length)) as { replayed: number; error: string | null }),
          output: stdout,
        });
      },
    );
  });
}

// Each test starts its own provider in its own process, so they can run side by side.
describe.concurrent('the pacts verify against the reference provider (pact-js Verifier)', {
  timeout: 90_000,
}, () => {
  it('verifies every interaction of contracts/pacts against the default fixtures', async () => {
    expect(inPacts.length).toBeGreaterThanOrEqual(18);
    const r = await verifyWithPactJs(pactFiles());
    expect(r.error).toBeNull();
    expect(r.replayed).toBe(inPacts.length);
  });

  it('verifies every interaction against a provider with no data, the states alone seeding it', async () => {
    const r = await verifyWithPactJs(pactFiles(), true);
    expect(r.error).toBeNull();
    expect(r.replayed).toBe(inPacts.length);
  });

  it('fails a pact whose expected 8892 message differs from what the provider answers', async () => {
    const { dir, description } = await pactsWithWrongExpectation();
    const r = await verifyWithPactJs(pactFiles(dir));
    expect(String(r.error)).toMatch(/fail|unsuccessful/i);
    expect(r.replayed).toBe(inPacts.length);
    // The report names the one interaction that failed, and only it.
    expect(r.output).toContain('There were 1 pact failures');
    expect(r.output).toContain(description);
  });
});

describe('the pacts verify with the Rust pact-verifier against directearn serve --admin', {
  timeout: 90_000,
}, () => {
  it('every interaction passes, counted in the JSON report', async () => {
    const served = await serveReferenceProvider();
    try {
      const report = join(tmpdir(), `directearn-rust-verifier-${process.pid}.json`);
      const port = new URL(served.url).port;
      const args = [
        ...pactFiles().flatMap((f) => ['-f', f]),
        ...['-h', '127.0.0.1', '-p', port, '-n', PACT_PROVIDER],
        ...['--state-change-url', `${served.url}/_admin/provider-states`, '--state-change-teardown'],
        ...['--json', report, '--no-colour'],
      ];
      const code = await new Promise<number>((resolve) => {
        execFile(join(packageRoot, 'node_modules', '.bin', 'pact-verifier'), args, { timeout: 60_000 }, (e) =>
          resolve(e === null ? 0 : typeof e.code === 'number' ? e.code : 1),
        );
      });
      const json = JSON.parse(await readFile(report, 'utf8')) as {
        interactionResults: { description: string; result: unknown }[];
        errors: unknown[];
      };
      expect(json.errors).toEqual([]);
      expect(json.interactionResults.map((r) => r.description).sort()).toEqual(
        inPacts.map((i) => i.description).sort(),
      );
      expect(json.interactionResults.every((r) => r.result === 'OK')).toBe(true);
      expect(code).toBe(0);
    } finally {
      served.stop();
    }
  });
});
