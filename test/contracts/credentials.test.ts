// Credentials judged once, up front: one wrong credential is not 16 regressions. The preflight tries
// each credential in each form it will be sent; one refused in every form stops `verify` with exit 3
// and one line naming how each credential was taken, before anything is issued (no earn on the host,
// no pool customer recorded); a token the host takes in one form and refuses in the other is a host
// regression (exit 1) said as such.
import { existsSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { main } from '../../src/cli/main.js';
import {
  DEFAULT_BASIC_USER,
  DEFAULT_READONLY_BASIC_PASSWORD,
  DEFAULT_READONLY_BASIC_USER,
  DEFAULT_TOKEN,
} from '../../src/config/defaults.js';
import { poolRecordPath } from '../../src/contracts/pool.js';
import { serveVariants } from '../../src/mutation/variant-host.js';
import { startProvider } from '../../src/provider/server.js';
import { captureIO } from '../support/cli-io.js';
import { ALL_CREDENTIAL_FLAGS, preparedFixtures, preparedStates } from '../support/real-host.js';

let dir: string;
async function run(...argv: string[]) {
  const io = captureIO({ cwd: dir });
  const code = await main(argv, io);
  return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
}

describe('a credential the host refuses in every form', () => {
  let host: Awaited<ReturnType<typeof startProvider>>;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'directearn-creds-'));
    host = await startProvider({ host: '127.0.0.1', port: 0, fixtures: preparedFixtures(9) });
    writeFileSync(join(dir, 'states.yaml'), stringify(preparedStates(9)));
  });
  afterAll(async () => {
    await host?.close();
  });

  it('stops verify with exit 3 and one line naming each credential, before anything is issued', async () => {
    const r = await run(
      'verify',
      ...['--target', host.url, '--states', 'states.yaml'],
      ...['--basic', `${DEFAULT_BASIC_USER}:WRONG`, '--token', DEFAULT_TOKEN],
      ...['--readonly-basic', `${DEFAULT_READONLY_BASIC_USER}:${DEFAULT_READONLY_BASIC_PASSWORD}`],
    );
    expect(r.code, r.out).toBe(3);
    expect(r.err).toBe(
      `directearn verify: target ${host.url} refused a credential: --basic refused (401); --token accepted as Bearer and X-CAP-API-OAUTH-TOKEN; --readonly-basic accepted`,
    );
    expect(r.out).toBe('');
    // Only the preflight's harmless requests reached the host: nothing earned, no pool customer used.
    expect(host.provider.stats().earned).toBe(0);
    expect(host.provider.stats().requests).toBe(4);
    expect(existsSync(poolRecordPath(join(dir, 'states.yaml')))).toBe(false);
  });

  it('a token refused as both forms is named with both statuses', async () => {
    const r = await run('verify', '--target', host.url, '--token', 'nope');
    expect(r.code).toBe(3);
    expect(r.err).toMatch(
      /refused a credential: --token refused as Bearer \(401\) and X-CAP-API-OAUTH-TOKEN \(401\)$/,
    );
  });
});

describe('a host that takes the token in one form only', () => {
  let host: Awaited<ReturnType<typeof serveVariants>>;
  beforeAll(async () => {
    host = await serveVariants();
  });
  afterAll(async () => {
    await host?.close();
  });

  it('is a host regression: exit 1, the preflight says which form it refused', async () => {
    const url = `${host.url}/_variant/bearer-refused`;
    const r = await run(
      'verify',
      ...['--target', url, ...ALL_CREDENTIAL_FLAGS, '--state-change-url', `${url}/_admin/provider-states`],
    );
    expect(r.code, r.out).toBe(1);
    expect(r.out).toMatch(
      /^Verdict: FAILED: preflight: --token accepted as X-CAP-API-OAUTH-TOKEN but refused as Bearer \(401\): the host takes this credential in one form and not the other/m,
    );
  }, 60_000);
});
