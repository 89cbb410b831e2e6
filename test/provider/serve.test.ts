// `directearn serve` as a consumer in another language uses it: a ready file with the URL, its own
// DIRECTEARN_PROVIDER_* variables (the client-side names are not read), and one usage line naming
// the flag or variable at fault (issues 10 and 14).
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/cli/command.js';
import { main } from '../../src/cli/main.js';
import { ENDPOINT_PATH } from '../../src/openapi/index.js';
import { childOutput, spawnServe } from '../support/serve-process.js';

const built = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'commands', 'serve.js');

/** Polls for the ready file (bounded: 200 tries of 25 ms). */
async function ready(path: string): Promise<{ url: string; port: number; pid: number }> {
  for (let i = 0; i < 200; i++) {
    if (existsSync(path)) return JSON.parse(readFileSync(path, 'utf8'));
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no ready file at ${path}`);
}

const doc = (auth: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...auth },
  body: JSON.stringify({
    type: 'CUSTOMER',
    promotionDetails: { programId: 469, promotionId: 56799 },
    identifierName: 'id',
    customers: [{ identifierValue: '98662653' }],
  }),
});

describe('directearn serve for other test runners', () => {
  beforeAll(() => {
    if (!existsSync(built)) throw new Error('dist/ is missing: run `npm run build` before these tests');
  });

  it('writes the ready file once listening, reads only DIRECTEARN_PROVIDER_* and removes the file on stop', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'directearn-ready-')), 'ready.json');
    const child = spawnServe(['--ready-file', file, '--admin'], {
      DIRECTEARN_PROVIDER_PORT: '0',
      DIRECTEARN_PROVIDER_TOKEN: 'provider-token',
      DIRECTEARN_PROVIDER_ADMIN_TOKEN: 'adm',
      // The client-side names verify/check/load send with: serve must not take them.
      DIRECTEARN_TOKEN: 'client-token',
      DIRECTEARN_BASIC: 'someone:else',
      DIRECTEARN_PORT: 'not a port',
    });
    const done = childOutput(child);
    const info = await ready(file);
    expect(info).toEqual({ url: `http://127.0.0.1:${info.port}`, port: info.port, pid: child.pid });
    expect((await fetch(`${info.url}/_health`)).status).toBe(200);
    const url = `${info.url}${ENDPOINT_PATH}`;
    expect((await fetch(url, doc({ authorization: 'Bearer provider-token' }))).status).toBe(200);
    expect((await fetch(url, doc({ authorization: 'Bearer client-token' }))).status).toBe(401);
    // The default Basic credentials still work: DIRECTEARN_BASIC was not read.
    const basic = `Basic ${Buffer.from('directearn:directearn').toString('base64')}`;
    expect((await fetch(url, doc({ authorization: basic }))).status).toBe(200);
    expect((await fetch(`${info.url}/_admin/stats`)).status).toBe(401);
    const stats = await fetch(`${info.url}/_admin/stats`, { headers: { 'x-directearn-admin-token': 'adm' } });
    expect(await stats.json()).toEqual({ earned: 2, requests: 3 });
    child.kill('SIGTERM');
    const { code, stdout } = await done;
    expect(code).toBe(0);
    expect(stdout).toBe(`directearn provider listening on ${info.url}\n`);
    expect(existsSync(file)).toBe(false);
  });

  it('refuses bad flags and variables in one usage line naming them (exit 2)', async () => {
    // In-process through main(), as bin/directearn.js calls it: each case is parsing only, and a
    // child process per case cost about 0.4 s of CPU each. The last case runs the real executable
    // (exit code, empty stdout, one stderr line), with a flag whose check needs the file system.
    const cases: [string[], Record<string, string>, string][] = [
      [['--token', ''], {}, '--token must not be empty'],
      [['--host', ''], {}, '--host must not be empty'],
      [['--admin-token', ''], {}, '--admin-token must not be empty'],
      [[], { DIRECTEARN_PROVIDER_PORT: '99999' }, 'DIRECTEARN_PROVIDER_PORT must be between 0 and 65535'],
      [[], { DIRECTEARN_PROVIDER_PORT: 'eighty' }, 'DIRECTEARN_PROVIDER_PORT must be a whole number'],
      [['--port', 'eighty'], { DIRECTEARN_PROVIDER_PORT: '1' }, '--port must be a whole number'],
      [[], { DIRECTEARN_PROVIDER_TOKEN: 'a,,b' }, 'DIRECTEARN_PROVIDER_TOKEN has an empty item'],
      [[], { DIRECTEARN_PROVIDER_BASIC: 'nocolon' }, 'DIRECTEARN_PROVIDER_BASIC must be USER:PASSWORD'],
      [['--body-limit', String(2 ** 53)], {}, '--body-limit must be between 1 and'],
    ];
    for (const [args, env, message] of cases) {
      const out: string[] = [];
      const err: string[] = [];
      const io: CliIO = {
        out: (l) => out.push(l),
        err: (l) => err.push(l),
        color: false,
        env,
        cwd: tmpdir(),
      };
      expect(await main(['serve', ...args], io), message).toBe(2);
      expect(out, message).toEqual([]);
      expect(err[0], message).toContain(message);
      expect(err.join('\n'), message).not.toMatch(/\n\s+at /);
    }
    const message = '--ready-file: cannot write /proc/nope/ready.json';
    const { code, stdout, stderr } = await childOutput(
      spawnServe(['--ready-file', '/proc/nope/ready.json', '--port', '0']),
    );
    expect(code, message).toBe(2);
    expect(stdout, message).toBe('');
    expect(stderr.trim().split('\n')[0], message).toContain(message);
    expect(stderr, message).not.toMatch(/\n\s+at /);
  });
});
