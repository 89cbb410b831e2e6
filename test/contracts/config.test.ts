// Configuration errors are usage errors: a states file that cannot be read, is not YAML, names an
// unknown state or misses a parameter makes `verify` and `check` exit 2 naming the file and line (a
// typo is not a host regression, exit 1). The pool line never reads "Infinity", and every command's
// --help lists every exit code it can return.
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { commandNames, main } from '../../src/cli/main.js';
import { ExitCode } from '../../src/errors.js';
import { startProvider } from '../../src/provider/server.js';
import { STATES } from '../../src/states/index.js';
import { captureIO } from '../support/cli-io.js';
import { preparedFixtures, preparedStates } from '../support/real-host.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'directearn-config-'));
});

async function run(...argv: string[]) {
  const io = captureIO({ cwd: dir });
  const code = await main(argv, io);
  return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
}

describe('a bad states file is a usage error naming the file and line', () => {
  const cases: [string, string, RegExp][] = [
    [
      'typo.yaml',
      `"${STATES.promotionActive}":\n  programId: 1\n  promotionId: 2\n"program 1 is great":\n  programId: 1\n`,
      /typo\.yaml:4: unknown provider state "program 1 is great"/,
    ],
    [
      'missing.yaml',
      `"${STATES.promotionActive}":\n  programId: 1\n`,
      /missing\.yaml:1: state ".*" needs parameter promotionId/,
    ],
    ['invalid.yaml', `"${STATES.customerExists}":\n  customerId: [1\n`, /invalid\.yaml:\d+ is not YAML: /],
    [
      'param.yaml',
      `"${STATES.customerExists}":\n  customerId: 1\n  mobile: {a: 1}\n`,
      /param\.yaml:3: state ".*" parameter mobile must be a string or number/,
    ],
  ];
  it.each(cases)('%s: verify and check exit 2 before anything is sent', async (file, text, message) => {
    writeFileSync(join(dir, file), text);
    // An unreachable target: reaching the preflight would be exit 3, so 2 proves the file was judged first.
    for (const command of ['verify', 'check']) {
      const r = await run(command, '--target', 'http://127.0.0.1:1', '--basic', 'u:p', '--states', file);
      expect(r.code, `${command}: ${r.err}`).toBe(ExitCode.usage);
      expect(r.err).toMatch(message);
      expect(r.err.split('\n')).toHaveLength(1);
    }
  });

  it('an unreadable states file (a folder) is 2, naming it', async () => {
    mkdirSync(join(dir, 'folder.yaml'));
    const r = await run('verify', '--target', 'http://127.0.0.1:1', '--states', 'folder.yaml');
    expect(r.code).toBe(ExitCode.usage);
    expect(r.err).toMatch(/folder\.yaml/);
  });
});

describe('the pool line', () => {
  let host: Awaited<ReturnType<typeof startProvider>>;
  beforeAll(async () => {
    host = await startProvider({ host: '127.0.0.1', port: 0, fixtures: preparedFixtures(9) });
    writeFileSync(join(dir, 'pool.yaml'), stringify(preparedStates(9)));
  });
  afterAll(async () => {
    await host?.close();
  });

  it('says a run that drew no customer did so, never "Infinity"', async () => {
    // No credentials: only the 401 interaction is sent; nothing earns, so nothing is drawn.
    const r = await run('verify', '--target', host.url, '--states', 'pool.yaml');
    expect(r.out).not.toContain('Infinity');
    expect(r.out).toMatch(
      /^ID pool: 0 of 9 customers used; this run drew none \(no interaction that earns was sent\)$/m,
    );
  }, 60_000);
});

describe('every --help lists every exit code its command can return', () => {
  // 3: a target, tool or port that cannot be reached or run (README "Exit codes").
  const canBeUnreachable = new Set([
    'check',
    'verify',
    'load',
    'proxy',
    'serve',
    'diff',
    'docs',
    'can-i-deploy',
    'record-deployment',
  ]);
  it.each(commandNames())('%s', async (command) => {
    const r = await run(command, '--help');
    const exit = r.out.slice(r.out.indexOf('Exit code'));
    expect(exit, r.out).toMatch(/^Exit code/);
    for (const code of ['0', '1', '2', ...(canBeUnreachable.has(command) ? ['3'] : [])])
      expect(exit, `${command} --help: ${exit}`).toMatch(new RegExp(`(^|[\\s;,:])${code} `));
  });
});
