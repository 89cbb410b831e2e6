// `directearn verify`: per-interaction lines, JUnit XML, exit 0 only when every interaction was
// verified and passed, and clear one-line errors for bad input.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/cli/command.js';
import { main } from '../../src/cli/main.js';
import { pactFiles, pactInteractions } from '../../src/contracts/pacts.js';
import { startProvider } from '../../src/provider/server.js';
import { STATES } from '../../src/states/index.js';

async function cli(args: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = { out: (l) => out.push(l), err: (l) => err.push(l), color: false, env: {}, cwd };
  const code = await main(['verify', ...args], io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const total = pactInteractions().length;

describe('directearn verify', () => {
  let dir: string;
  let target: Awaited<ReturnType<typeof startProvider>>;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'directearn-verify-cli-'));
    target = await startProvider({ host: '127.0.0.1', port: 0, admin: true });
  });
  afterAll(async () => {
    await target.close();
  });

  it('verifies every interaction against the embedded provider, exit 0, JUnit with one case each', async () => {
    const r = await cli(['--junit', 'out/verify.xml'], dir);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out.match(/^PASS/gm)).toHaveLength(total);
    expect(r.out).toContain(`${total} interaction(s): ${total} passed, 0 failed, 0 skipped, 0 not verified`);
    expect(r.out).toMatch(/^Verdict: PASSED$/m);
    const xml = await readFile(join(dir, 'out', 'verify.xml'), 'utf8');
    expect(xml.match(/<testcase /g)).toHaveLength(total);
    expect(xml).toContain('failures="0" errors="0" skipped="0"');
  });

  it('a target without a states file verifies nothing and exits 1: NOT VERIFIED or SKIPPED, each with its reason', async () => {
    const r = await cli(
      ['--target', target.url, '--basic', 'directearn:directearn', '--junit', 'nv.xml'],
      dir,
    );
    expect(r.code).toBe(1);
    expect((r.out.match(/^NOT VERIFIED/gm) ?? []).length + (r.out.match(/^SKIPPED/gm) ?? []).length).toBe(
      total,
    );
    // Skipped: the Bearer, header-token and read-only interactions (credential not given), 413, 429.
    expect(r.out.match(/^SKIPPED/gm)).toHaveLength(5);
    expect(r.out).toMatch(
      /^SKIPPED\s+earned\s+answers earned when authenticated with an OAuth Bearer token\n\s+sends Authorization: Bearer: give --token TOKEN/m,
    );
    expect(r.out).not.toMatch(/^PASS/m);
    expect(r.out).toMatch(/^Verdict: FAILED: .*documented case earned was not verified/m);
    const xml = await readFile(join(dir, 'nv.xml'), 'utf8');
    expect(xml.match(/<skipped /g)).toHaveLength(total);
  });

  it('an unreachable target or one refusing every credential is one line and exit 3, within seconds', async () => {
    const refused = await cli(['--target', 'http://127.0.0.1:1', '--basic', 'a:b'], dir);
    expect(refused.code).toBe(3);
    expect(refused.err).toBe(
      'directearn verify: target http://127.0.0.1:1 is unreachable: connection refused (ECONNREFUSED)',
    );
    expect(refused.out).toBe('');
    const dns = await cli(['--target', 'http://no-such-host.invalid', '--basic', 'a:b'], dir);
    expect(dns.code).toBe(3);
    expect(dns.err).toMatch(/no-such-host\.invalid is unreachable: DNS/);
    const creds = await cli(['--target', target.url, '--basic', 'a:b', '--token', 'nope'], dir);
    expect(creds.code).toBe(3);
    expect(creds.err).toMatch(
      /refused a credential: --basic refused \(401\); --token refused as Bearer \(401\) and X-CAP-API-OAUTH-TOKEN \(401\)$/,
    );
  });

  it('a states file maps real IDs: mapped interactions pass, the others are NOT VERIFIED, exit 1', async () => {
    // The target is the reference provider with the doc's data: map states to IDs it holds.
    const file = join(dir, 'states.yaml');
    await writeFile(
      file,
      [
        `"${STATES.promotionActive}":`,
        '  programId: 469',
        '  promotionId: 56799',
        `"${STATES.customerExists}":`,
        '  customerId: 98662632',
        '',
      ].join('\n'),
    );
    const r = await cli(
      [
        '--target',
        target.url,
        '--basic',
        'directearn:directearn',
        '--token',
        'directearn-token',
        '--states',
        'states.yaml',
      ],
      dir,
    );
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^PASS\s+earned\s+answers earned for both customers/m);
    expect(r.out).toMatch(/^PASS\s+8899/m);
    // The unmapped state is named under the interaction it belongs to.
    expect(r.out).toMatch(
      /^NOT VERIFIED\s+8892\s+answers 8892 when the promotion is inactive\n\s+state "promotion \{promotionId\} of program \{programId\} is inactive" is not mapped in the states file/m,
    );
    expect(r.out).not.toMatch(/^FAIL/m);
  });

  it("with the target's state-change URL and credentials every interaction passes", async () => {
    const r = await cli(
      [
        '--target',
        target.url,
        '--basic',
        'directearn:directearn',
        '--token',
        'directearn-token',
        '--readonly-basic',
        'readonly:readonly',
        '--state-change-url',
        `${target.url}/_admin/provider-states`,
      ],
      dir,
    );
    expect(r.out).toContain(`${total} passed, 0 failed, 0 skipped, 0 not verified`);
    expect(r.code).toBe(0);
  });

  it('a pact the provider does not honour is a FAIL with the mismatch, exit 1', async () => {
    const wrong = await mkdtemp(join(tmpdir(), 'directearn-verify-wrong-'));
    const pact = JSON.parse(await readFile(pactFiles()[0] as string, 'utf8'));
    const i = pact.interactions.find((x: { description: string }) =>
      x.description.startsWith('answers 8899'),
    );
    i.response.body.content.response[0].errors[0].code = 8898;
    await writeFile(join(wrong, 'p.json'), JSON.stringify(pact));
    const r = await cli(['--pacts', wrong], dir);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^FAIL\s+8899/m);
    expect(r.out).toMatch(/errors\[0\]\.code/);
  });

  it.each([
    [['--target', 'eucrm.example.com'], 2, /--target must be an absolute URL/],
    [['--basic', 'nocolon'], 2, /--basic must be USER:PASSWORD/],
    [['--readonly-basic', 'x'], 2, /--readonly-basic must be USER:PASSWORD/],
    [['--states', 'missing.yaml'], 2, /--states file missing.yaml does not exist/],
    [['--state-change-url', 'http://127.0.0.1:1/x'], 2, /goes with --target/],
    [['--frobnicate'], 2, /unknown flag --frobnicate/],
  ])('bad input %j exits %i with one line naming it', async (args, code, message) => {
    const r = await cli(args, dir);
    expect(r.code).toBe(code);
    expect(r.err).toMatch(message);
    expect(r.err).not.toMatch(/\bat .*\.ts:\d+/);
  });

  it('a states file that is not valid names the file and the state', async () => {
    await writeFile(join(dir, 'bad.yaml'), '"program {programId} is shiny":\n  programId: 1\n');
    const r = await cli(['--states', 'bad.yaml'], dir);
    // A typo of the user's is a usage error (2), naming the file and line, not a regression (1).
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/bad\.yaml:1: unknown provider state "program \{programId\} is shiny"/);
  });

  it('check --target on an unreachable target says so in one line and exits 3 before any stage', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIO = { out: (l) => out.push(l), err: (l) => err.push(l), color: false, env: {}, cwd: dir };
    const code = await main(
      [
        'check',
        '--target',
        'http://127.0.0.1:1',
        '--basic',
        'a:b',
        '--skip-load',
        '--report-dir',
        'unreachable',
      ],
      io,
    );
    expect(code).toBe(3);
    expect(err).toEqual([
      'directearn check: target http://127.0.0.1:1 is unreachable: connection refused (ECONNREFUSED)',
    ]);
    expect(out.join('\n')).not.toMatch(/\[1\/6\]/);
  });

  it('an empty pacts folder is an error, not a pass', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'directearn-verify-empty-'));
    const r = await cli(['--pacts', empty], dir);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/no pact files in .*pact:consumer/);
  });
});
