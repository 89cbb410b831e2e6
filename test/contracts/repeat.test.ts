// Repeatable on a stateful host: a host with its own IDs, earn limits and no admin route (as a real
// CRM) gives the same verdict on every `verify` run, because the interactions that earn draw fresh
// customers from the states file's ID pool; a used-up pool is said plainly. `check --target`'s
// verification stage follows the same verdict.
import { writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runPassed } from '../../src/check/check-summary.js';
import { verifyStage } from '../../src/check/stages.js';
import type { CliIO } from '../../src/cli/command.js';
import { main } from '../../src/cli/main.js';
import {
  DEFAULT_BASIC_PASSWORD,
  DEFAULT_BASIC_USER,
  DEFAULT_READONLY_BASIC_PASSWORD,
  DEFAULT_READONLY_BASIC_USER,
  DEFAULT_TOKEN,
} from '../../src/config/defaults.js';
import { PACT_DIR, pactFiles } from '../../src/contracts/pacts.js';
import { readStatesFile } from '../../src/contracts/states-file.js';
import { startProvider } from '../../src/provider/server.js';
import { ALL_CREDENTIAL_FLAGS, preparedFixtures, preparedStates } from '../support/real-host.js';

/** Customers one run draws: the earning interactions' customers (9 with the committed pacts). */
const PER_RUN = 9;
const POOL = 4 * PER_RUN;

const credentials = {
  basic: { user: DEFAULT_BASIC_USER, password: DEFAULT_BASIC_PASSWORD },
  token: DEFAULT_TOKEN,
  readOnlyBasic: { user: DEFAULT_READONLY_BASIC_USER, password: DEFAULT_READONLY_BASIC_PASSWORD },
};

describe('verify against a stateful host without admin route, with an ID pool', () => {
  let host: Awaited<ReturnType<typeof startProvider>>;
  let dir: string;
  beforeAll(async () => {
    host = await startProvider({ host: '127.0.0.1', port: 0, fixtures: preparedFixtures(POOL) });
    dir = await mkdtemp(join(tmpdir(), 'directearn-repeat-'));
    writeFileSync(join(dir, 'states.yaml'), stringify(preparedStates(POOL)));
  });
  afterAll(async () => {
    await host.close();
  });

  async function verify(): Promise<{ code: number; out: string }> {
    const out: string[] = [];
    const io: CliIO = { out: (l) => out.push(l), err: (l) => out.push(l), color: false, env: {}, cwd: dir };
    const code = await main(
      ['verify', ...['--target', host.url, '--states', 'states.yaml'], ...ALL_CREDENTIAL_FLAGS],
      io,
    );
    return { code, out: out.join('\n') };
  }

  it('exits 0 three times in a row, saying how many runs the pool has left; check --target agrees; then the used-up pool is said plainly', async () => {
    for (const left of [3, 2, 1]) {
      const r = await verify();
      expect(r.code, r.out).toBe(0);
      expect(r.out).not.toMatch(/^(FAIL|NOT VERIFIED)/m);
      // Only the 413 and 429 (inferred limits no states file can set) are skipped.
      expect(r.out.match(/^SKIPPED/gm), r.out).toHaveLength(2);
      expect(r.out).toContain(`(${PER_RUN} per run): ${left} more run(s) left`);
    }

    // check --target's verification stage: the same host, states file and verdict.
    const ctx = {
      target: host.url,
      credentials,
      states: readStatesFile(join(dir, 'states.yaml')),
      loadAllowed: { ok: true as const },
      skipLoad: true,
      reportDir: dir,
      throughput: { batchSizes: [1], durationSeconds: 1 },
      pactFiles: pactFiles(PACT_DIR),
    };
    const stage = await verifyStage.run(ctx);
    expect(stage.status, stage.detail).toBe('passed');
    // check prints the pool line as verify does.
    expect(stage.detail).toContain(
      `ID pool: ${4 * PER_RUN} of ${POOL} customers used (${PER_RUN} per run): 0 more run(s) left`,
    );
    expect(runPassed([{ id: 'verify', title: 'provider verification', durationMs: 0, ...stage }])).toBe(true);

    const used = await verify();
    expect(used.code).toBe(1);
    expect(used.out).toMatch(/^ID pool USED UP: 36 of 36 customers used, this run needs 9/m);
    expect(used.out).not.toMatch(/^FAIL/m);
    expect(used.out).toMatch(/^NOT VERIFIED\s+earned.*\n\s+the ID pool of the states file is used up/m);
  }, 120_000);
});
