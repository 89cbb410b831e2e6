// verify and check with --oauth-key/--oauth-secret (issue 19): a token is generated at the target's
// /v3/oauth/token/generate before anything else and used as --token; a refused key and secret is
// exit 3 before any request to the endpoint, and the secret is not printed.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { DEFAULT_BASIC_USER } from '../../src/config/defaults.js';
import { startProvider } from '../../src/provider/server.js';
import { captureIO } from '../support/cli-io.js';

const SECRET = 'verify-secret-not-printed';
let dir: string;
let host: Awaited<ReturnType<typeof startProvider>>;
async function run(...argv: string[]) {
  const io = captureIO({ cwd: dir });
  const code = await main(argv, io);
  return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'directearn-oauth-'));
  host = await startProvider({ oauthClients: [`k1:${SECRET}`] });
});
afterAll(async () => {
  await host?.close();
});

describe('verify --oauth-key/--oauth-secret', () => {
  it('generates a token the host accepts in both forms, and uses it as --token', async () => {
    // A wrong --basic stops the run at the credential preflight, which names how each was taken.
    const r = await run(
      'verify',
      ...['--target', host.url, '--oauth-key', 'k1', '--oauth-secret', SECRET],
      ...['--basic', `${DEFAULT_BASIC_USER}:WRONG`],
    );
    expect(r.code, r.err).toBe(3);
    expect(r.err).toMatch(/--token accepted as Bearer and X-CAP-API-OAUTH-TOKEN/);
    expect(host.provider.knobStats().tokensGenerated).toBe(1);
    expect(`${r.out}${r.err}`).not.toContain(SECRET);
  });

  it('a key and secret the host refuses: exit 3 naming it, nothing sent to the endpoint', async () => {
    const before = host.provider.stats().requests;
    const r = await run('verify', '--target', host.url, '--oauth-key', 'k1', '--oauth-secret', 'wrong');
    expect(r.code).toBe(3);
    expect(r.err).toBe(`directearn verify: ${host.url} refused the OAuth key and secret (HTTP 401)`);
    // Only the token request reached the host.
    expect(host.provider.stats().requests).toBe(before + 1);
  });

  it.each([
    [['verify', '--oauth-key', 'k1', '--oauth-secret', 's'], /go with --target/],
    [['verify', '--target', 'http://127.0.0.1:1', '--oauth-key', 'k1'], /--oauth-key needs --oauth-secret/],
    [['check', '--oauth-key', 'k1', '--oauth-secret', 's'], /go with --target/],
    [
      ['check', '--target', 'http://127.0.0.1:1', '--token', 't', '--oauth-key', 'k', '--oauth-secret', 's'],
      /not both/,
    ],
  ])('%j is a usage error', async (argv, message) => {
    const r = await run(...argv);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });
});
