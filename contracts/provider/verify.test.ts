// Provider verification of contracts/pacts: pact-js's Verifier against the reference provider
// in-process, and the Rust pact-verifier CLI against `directearn serve --admin`, both counting
// the interactions they verified (a verifier that finds none passes otherwise).
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Verifier } from '@pact-foundation/pact';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACT_PROVIDER } from '../../src/config/defaults.js';
import { invariantsOfExchanges } from '../../src/contracts/invariants.js';
import { pactFiles, pactInteractions } from '../../src/contracts/pacts.js';
import { startRecordingProxy } from '../../src/contracts/recording-proxy.js';
import { ENDPOINT_PATH } from '../../src/openapi/index.js';
import { startProvider } from '../../src/provider/server.js';
import { STATE_NAMES, type StateParams } from '../../src/states/index.js';
import { packageRoot } from '../../src/util/package-root.js';
import { pactsWithWrongExpectation, serveReferenceProvider } from './support.js';

const inPacts = pactInteractions();

/** pact-js's Verifier against a fresh reference provider in a child process (pact-js-verify.mjs), output captured. */
function verifyWithPactJsInChild(
  urls: string[],
): Promise<{ replayed: number; error: string | null; output: string }> {
  const script = join(packageRoot, 'contracts', 'provider', 'pact-js-verify.mjs');
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [script, ...urls],
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

// The timeouts allow for a busy machine: these files run beside the others in npm test.
describe('the pacts verify against the reference provider (pact-js Verifier, in-process)', {
  timeout: 90_000,
}, () => {
  let seeded: Awaited<ReturnType<typeof startProvider>>;
  let empty: Awaited<ReturnType<typeof startProvider>>;
  beforeAll(async () => {
    seeded = await startProvider({ host: '127.0.0.1', port: 0 });
    // No programs, no customers: only the provider states can make each case true.
    empty = await startProvider({ host: '127.0.0.1', port: 0, fixtures: { programs: [], customers: [] } });
  });
  afterAll(async () => {
    await seeded.close();
    await empty.close();
  });

  async function verifyWithPactJs(
    target: Awaited<ReturnType<typeof startProvider>>,
    urls: string[],
    via: string = target.url,
  ): Promise<{ replayed: number; error?: unknown }> {
    let replayed = 0;
    // An express middleware on pact-js's proxy: every replayed request passes here.
    const counter = (req: { path: string }, _res: unknown, next: () => void): void => {
      if (req.path === ENDPOINT_PATH) replayed++;
      next();
    };
    // One handler per sentence of src/states; the provider is reset before each interaction and
    // each of its states then seeds its data (or lowers its limits, for the 413 and 429), which
    // teardown restores.
    const stateHandlers = Object.fromEntries(
      STATE_NAMES.map((name) => [
        name,
        {
          setup: async (params?: unknown) => {
            target.provider.setState(name, (params ?? {}) as StateParams);
            return undefined;
          },
          teardown: async (params?: unknown) => {
            target.provider.setState(name, (params ?? {}) as StateParams, 'teardown');
            return undefined;
          },
        },
      ]),
    );
    try {
      await new Verifier({
        provider: PACT_PROVIDER,
        providerBaseUrl: via,
        pactUrls: urls,
        // Setup/teardown pairs are HTTP state handlers; the options type also demands message ones.
        stateHandlers: stateHandlers as never,
        beforeEach: async () => target.provider.reset(),
        requestFilter: counter as never,
        logLevel: 'error',
      }).verifyProvider();
      return { replayed };
    } catch (error) {
      return { replayed, error };
    }
  }

  it("verifies every interaction of contracts/pacts against the default fixtures, the doc's invariants holding on every answer", async () => {
    expect(inPacts.length).toBe(22);
    // Through a recording proxy: Pact runs no code of ours per answer, the recorded answers are checked after.
    const proxy = await startRecordingProxy(seeded.url);
    try {
      const r = await verifyWithPactJs(seeded, pactFiles(), proxy.url);
      expect(r.error).toBeUndefined();
      expect(r.replayed).toBe(inPacts.length);
      const { checked, unmatched } = invariantsOfExchanges(inPacts, proxy.exchanges);
      expect(unmatched).toEqual([]);
      expect(checked.size).toBe(inPacts.filter((i) => i.status === 200).length);
      expect([...checked.values()].flat()).toEqual([]);
    } finally {
      await proxy.close();
    }
  });

  it('verifies every interaction against a provider with no data, the states alone seeding it', async () => {
    const r = await verifyWithPactJs(empty, pactFiles());
    expect(r.error).toBeUndefined();
    expect(r.replayed).toBe(inPacts.length);
  });

  it('fails a pact whose expected 8892 message differs from what the provider answers', async () => {
    const { dir, description } = await pactsWithWrongExpectation();
    // In a child process whose output is captured: the native verifier prints the failures (and
    // pact-core an ERROR line) to stdout, where a passing test run should print none.
    const r = await verifyWithPactJsInChild(pactFiles(dir));
    expect(String(r.error)).toMatch(/fail|unsuccessful/i);
    expect(r.replayed).toBe(inPacts.length);
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
