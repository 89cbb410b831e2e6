// The suite installed as a consumer gets it: one `npm pack` tarball installed with
// `--omit=dev --omit=optional` into an empty folder, run through `npx directearn` (and the
// node_modules/.bin/directearn it finds) with a PATH that holds Node and npm only (no Go, no
// browser, no TypeScript): serve, validate and docs work; verify says in one line which optional
// package it needs. The Python example suite passes against the installed stub with its traffic
// through the installed proxy (the issue's "done when").
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BASIC_PASSWORD, DEFAULT_BASIC_USER } from '../../src/config/defaults.js';
import { ENDPOINT_PATH, example } from '../../src/openapi/index.js';
import { packageRoot } from '../../src/util/package-root.js';
import { runPythonExample } from '../support/python-example.js';
import { startWithReadyFile } from '../support/serve-process.js';

const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'directearn-package-'));
const app = join(work, 'app');
/** Node and npm only: Go (/usr/local/go/bin) and any browser stay out of reach. */
const env: NodeJS.ProcessEnv = {
  ...process.env,
  PATH: [...new Set([dirname(process.execPath), '/usr/bin', '/bin'])].join(':'),
  NO_COLOR: '1',
  npm_config_update_notifier: 'false',
};
/**
 * The installed executable (node_modules/.bin/directearn), run as the shell runs it. `npx` finds
 * that same file: the serve test goes through `npx --no directearn`; the others do not pay npm's own
 * start (about 0.5 s of CPU each) again.
 */
const installed = (args: string[]) =>
  spawnSync(join(app, 'node_modules', '.bin', 'directearn'), args, {
    cwd: app,
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });

beforeAll(async () => {
  if (!existsSync(join(packageRoot, 'dist', 'cli', 'main.js'))) {
    throw new Error('dist/ is missing: run `npm run build` before this test (npm test does)');
  }
  // --ignore-scripts: `npm test` has just built dist/; prepack would run tsc a second time.
  await run('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', work], {
    cwd: packageRoot,
    env,
  });
  const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
  if (tarball === undefined) throw new Error(`npm pack wrote no tarball into ${work}`);
  await run('mkdir', [app]);
  writeFileSync(join(app, 'package.json'), '{"name":"consumer-app","private":true}\n');
  await run(
    'npm',
    [
      'install',
      '--omit=dev',
      '--omit=optional',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      join(work, tarball),
    ],
    { cwd: app, env, timeout: 120_000 },
  );
}, 180_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the suite installed from its npm pack tarball', () => {
  it('brings no dev dependency and no optional one', () => {
    const installed = readdirSync(join(app, 'node_modules'));
    expect(installed).toContain('directearn-suite');
    for (const dev of ['typescript', 'vitest', '@biomejs', '@pact-foundation', 'playwright-core'])
      expect(installed).not.toContain(dev);
  });

  it('serves the doc request over the port named in its ready file, then stops on SIGTERM', async () => {
    const stub = await startWithReadyFile('npx', ['--no', 'directearn', 'serve', '--port', '0'], {
      cwd: app,
      env,
    });
    try {
      expect(stub.url).toBe(`http://127.0.0.1:${stub.port}`);
      const res = await fetch(`${stub.url}${ENDPOINT_PATH}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Basic ${Buffer.from(`${DEFAULT_BASIC_USER}:${DEFAULT_BASIC_PASSWORD}`).toString('base64')}`,
        },
        body: JSON.stringify(example('doc-request')),
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual(example('doc-request-earned'));
    } finally {
      const { code, stderr } = await stub.stop();
      expect(code).toBe(0);
      expect(stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('validates a payload file and names the field at fault', () => {
    const bad = join(work, 'bad.json');
    writeFileSync(bad, JSON.stringify({ ...example<object>('doc-request'), type: 'customer' }));
    const r = installed(['validate', bad]);
    expect(r.status).toBe(1);
    expect(r.stdout + r.stderr).toMatch(/\/type must be one of: CUSTOMER, USERGROUP2/);
  });

  it('writes the HTML and Markdown reference with `docs`', () => {
    const out = join(work, 'docs');
    const r = installed(['docs', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toMatch(/directEarn/);
    expect(readFileSync(join(out, 'reference.md'), 'utf8')).toMatch(/8892/);
  });

  it('runs the Python example suite (every state) and its traffic through the installed proxy has zero violations', async () => {
    const installed = `${process.execPath} ${join(app, 'node_modules', '.bin', 'directearn')}`;
    const { output, report } = await runPythonExample(installed, join(work, 'proxy.json'));
    expect(output).toMatch(/^OK$/m);
    expect(output).toMatch(/Ran 1\d tests/);
    expect(report.violations).toEqual([]);
    expect(report.checked).toBeGreaterThanOrEqual(14);
  }, 120_000);

  it('says which optional package verify needs, with exit 3, when it was left out', () => {
    const r = installed(['verify']);
    expect(r.status).toBe(3);
    expect(r.stderr.trim()).toMatch(/^directearn verify: verify needs the npm package @pact/);
  });
});
