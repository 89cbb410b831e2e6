// Issue 20: a hostile or broken target (redirecting to a logger, answering without end, dripping,
// silent, huge) ends every command that talks to targets with a non-zero exit, by itself, under a
// memory ceiling, and nothing ever reaches the logger behind the redirects. Each command runs as
// the user runs it (the built CLI, a child process) under /usr/bin/time for its peak RSS.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { findK6 } from '../../src/load/k6.js';
import { EXCHANGE_DEADLINE_ENV } from '../../src/util/bounded-http.js';
import { type HostileHost, type HostileMode, startHostileHost } from '../support/hostile-host.js';
import { type MeasuredRun, runMeasuredCli, TIME } from '../support/measured-cli.js';
import { preparedStates } from '../support/real-host.js';

const ROOT = join(import.meta.dirname, '..', '..');
/** The deadline per exchange the commands get here: short, so a stalled host costs the suite little
 * (not shorter: this process serves the hostile host, busy pumping endless answers meanwhile). */
const DEADLINE_MS = 4_000;
/** Peak resident memory any command may reach against a hostile host (Node's own is ~100 MB). */
const MEMORY_CEILING_KB = 450 * 1024;
/** A command still running after this is killed and the test fails: it did not end by itself. */
const GUARD_MS = 45_000;

const work = mkdtempSync(join(tmpdir(), 'directearn-hostile-'));

/** Runs the built CLI under /usr/bin/time (peak RSS of it and its children, k6 and pact-verifier included). */
const cli = (args: string[]): Promise<MeasuredRun> =>
  runMeasuredCli(args, {
    cwd: work,
    env: { [EXCHANGE_DEADLINE_ENV]: String(DEADLINE_MS), NO_COLOR: '1' },
    guardMs: GUARD_MS,
  });

const figures: string[] = [];
function note(what: string, r: MeasuredRun): void {
  figures.push(
    `${what.padEnd(44)} exit ${r.code}  ${r.seconds.toFixed(1).padStart(5)} s  ${(r.maxRssKb / 1024).toFixed(0).padStart(4)} MB`,
  );
}

function expectBounded(r: MeasuredRun): void {
  expect(r.killed, `did not end by itself:\n${r.stdout}\n${r.stderr}`).toBe(false);
  expect(r.code, r.stderr).not.toBe(0);
  expect(r.code).not.toBeNull();
  expect(r.maxRssKb).toBeLessThan(MEMORY_CEILING_KB);
}

/** The preflight's modes for verify (oversize and 301 take the same paths: test/client/bounds.test.ts). */
const MODES: HostileMode[] = ['redirect', 'endless', 'drip', 'silent', 'huge'];
/** Each test starts several commands at once, each loading its libraries on a shared machine. */
const TEST_TIMEOUT_MS = 90_000;

describe.skipIf(!existsSync(TIME))('every command against a hostile target (needs /usr/bin/time)', () => {
  let host: HostileHost;
  beforeAll(async () => {
    host = await startHostileHost();
    writeFileSync(join(work, 'states.yaml'), stringify(preparedStates(40)));
  });
  afterAll(async () => {
    await host?.close();
    // The figures behind the bounds of docs/real-host.md (seconds are wall time on a shared machine).
    if (figures.length > 0) process.stdout.write(`hostile targets:\n${figures.sort().join('\n')}\n`);
  });
  afterAll(() => {
    expect(host.logger.hits, 'a redirect was followed').toEqual([]);
  });

  it(
    'verify: the preflight refuses each mode; a host hostile after it fails in the recording proxy',
    async () => {
      const runs = await Promise.all([
        ...MODES.map(async (mode) => {
          const r = await cli(['verify', '--target', host.urlFor(mode), '--basic', 'a:b', '--token', 't']);
          note(`verify ${mode}`, r);
          return [mode, r] as const;
        }),
        ...(['redirect', 'endless', 'silent'] as const).map(async (mode) => {
          const r = await cli([
            'verify',
            '--target',
            host.urlFor(mode, { late: true }),
            '--basic',
            'a:b',
            '--token',
            't',
            '--states',
            'states.yaml',
          ]);
          note(`verify late${mode}`, r);
          return [`late${mode}`, r] as const;
        }),
      ]);
      for (const [mode, r] of runs) {
        expectBounded(r);
        if (mode.startsWith('redirect'))
          expect(r.stderr, mode).toMatch(/redirecting to "http:\/\/127\.0\.0\.1:\d+/);
        if (mode === 'lateredirect')
          expect(r.stdout, mode).toMatch(/the target answered HTTP 307 redirecting to/);
      }
      expect(host.logger.hits).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'load --scenario smoke goes through the bounded relay: every mode fails, none reaches the logger',
    async () => {
      const runs = await Promise.all(
        (['redirect', 'endless', 'silent', 'huge'] as const).map(async (mode) => {
          const r = await cli([
            'load',
            '--scenario',
            'smoke',
            '--target',
            host.urlFor(mode),
            '--out',
            `smoke-${mode}`,
          ]);
          note(`load smoke ${mode}`, r);
          return [mode, r] as const;
        }),
      );
      for (const [mode, r] of runs) {
        expectBounded(r);
        if (mode === 'redirect') expect(`${r.stdout}${r.stderr}`).toMatch(/redirecting to/);
      }
      expect(host.logger.hits).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'load throughput and rate: k6 reads answers only through the bounded relay, sends the rest with the deadline; the first broken bound stops k6 with it as the one-line reason',
    async () => {
      // k6<mode>: the preflight and k6's setup pass; every k6 request with customers meets the mode.
      const runs = await Promise.all(
        (
          [
            ['throughput', 'endless'],
            ['throughput', 'huge'],
            ['throughput', 'redirect'],
            ['throughput', 'silent'],
            ['rate', 'oversize'],
          ] as const
        ).map(async ([scenario, mode]) => {
          const r = await cli([
            'load',
            '--scenario',
            scenario,
            '--target',
            host.urlFor(mode, { k6: true }),
            '--batch-sizes',
            '1',
            '--duration',
            '2s',
            '--quiet',
            '--out',
            `${scenario}-${mode}`,
          ]);
          note(`load ${scenario} k6${mode}`, r);
          return { scenario, mode, r };
        }),
      );
      for (const { scenario, mode, r } of runs) {
        const what = `${scenario} ${mode}:\n${r.stdout}\n${r.stderr}`;
        expectBounded(r);
        expect(r.code, what).toBe(1);
        expect(`${r.stdout}${r.stderr}`).not.toContain('\u001b');
        // The reason, in one line: the bound the relay saw the target break (a silent host's exchange
        // outlives k6's 2 s: it runs on to its deadline after k6 ends, and the run is judged on that).
        const reason =
          mode === 'redirect'
            ? /the target answered HTTP 307 redirecting to "http:\/\/127\.0\.0\.1:\d+/
            : mode === 'silent'
              ? /the target broke a bound: no whole answer within 4000 ms/
              : /the target broke a bound: answer (of \d+ bytes )?(is )?over the 2097152-byte cap/;
        expect(`${r.stdout}\n${r.stderr}`, what).toMatch(reason);
        if (mode !== 'silent')
          expect(r.stdout, what).toMatch(/^k6 did not complete the run \(exit 105\): the target /m);
      }
      // The unread answers went straight to the host, the read ones through the relay: both reached it.
      const k6Requests = host.requests.filter(
        (q) => /^\/k6/.test(q.url) && /\bk6\//.test(`${q.headers['user-agent']}`),
      );
      expect(k6Requests.length).toBeGreaterThan(6);
      expect(host.logger.hits).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  it.skipIf(findK6() === undefined)(
    "k6 scripts give every request the exchange deadline: a silent target ends setup() with a timeout, not after k6's 60 s",
    async () => {
      const k6 = findK6() as string;
      const runs = await Promise.all(
        ['throughput', 'rate'].map(
          (script) =>
            new Promise<{ code: number | null; killed: boolean; output: string }>((resolve) => {
              const child = spawn(
                k6,
                ['run', '--quiet', '--no-usage-report', '--address=', join(ROOT, 'k6', `${script}.ts`)],
                {
                  cwd: work,
                  env: {
                    ...process.env,
                    BASE_URL: host.urlFor('silent'),
                    DIRECTEARN_REQUEST_TIMEOUT_MS: '1500',
                    DIRECTEARN_BATCH_SIZES: '1',
                    DIRECTEARN_DURATION: '1s',
                    K6_NO_USAGE_REPORT: 'true',
                  },
                },
              );
              let output = '';
              child.stdout.on('data', (c) => (output += c));
              child.stderr.on('data', (c) => (output += c));
              let killed = false;
              // Well under k6's own 60 s default: without the deadline it would still be waiting.
              const guard = setTimeout(() => {
                killed = true;
                child.kill('SIGKILL');
              }, 30_000);
              child.on('close', (code) => {
                clearTimeout(guard);
                resolve({ code, killed, output });
              });
            }),
        ),
      );
      for (const r of runs) {
        expect(r.killed, r.output).toBe(false);
        expect(r.code, r.output).not.toBe(0);
        expect(r.output).toMatch(/is not reachable: request timeout/);
      }
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'check --target --skip-load stops at the preflight for every mode',
    async () => {
      const runs = await Promise.all(
        (['redirect', 'endless', 'drip'] as const).map(async (mode) => {
          const r = await cli(['check', '--target', host.urlFor(mode), '--skip-load', '--basic', 'a:b']);
          note(`check ${mode}`, r);
          return r;
        }),
      );
      for (const r of runs) expectBounded(r);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'proxy: each mode is a violation (upstream-answer unless passed on and judged), and SIGTERM ends it with its report written',
    async () => {
      const runs = await Promise.all(
        (['redirect', 'endless', 'drip', 'silent', 'huge'] as const).map(async (mode) => {
          const ready = join(work, `ready-${mode}.json`);
          const report = join(work, `proxy-${mode}.json`);
          const done = cli([
            'proxy',
            '--upstream',
            host.urlFor(mode),
            '--port',
            '0',
            '--ready-file',
            ready,
            '--json',
            report,
          ]);
          while (!existsSync(ready)) await new Promise((r) => setTimeout(r, 50));
          const { url, pid } = JSON.parse(readFileSync(ready, 'utf8')) as { url: string; pid: number };
          // A consumer waits for what comes, and gives up on a host that sends nothing whole.
          const giveUpMs = mode === 'drip' || mode === 'silent' ? 500 : 20_000;
          const status = await consumerPost(`${url}/v2/promotion/bulk/directEarn`, giveUpMs);
          // The proxy's own pid (from its ready file): /usr/bin/time would die of SIGTERM alone.
          process.kill(pid, 'SIGTERM');
          const r = await done;
          note(`proxy ${mode}`, r);
          return { mode, r, status, report };
        }),
      );
      for (const { mode, r, status, report } of runs) {
        expect(r.code, `${mode}: ${r.stdout}`).toBe(1);
        expectBounded(r);
        expect(r.code, mode).toBe(1);
        const json = JSON.parse(readFileSync(report, 'utf8')) as {
          rules: Record<string, number>;
          violations: unknown[];
        };
        // A huge answer is under the cap: passed on, and judged (its message is not the catalogue's).
        if (mode === 'huge') expect(json.violations.length).toBeGreaterThan(0);
        else expect(json.rules['upstream-answer'], mode).toBeGreaterThan(0);
        if (mode === 'redirect' || mode === 'endless') expect(status, mode).toBe(502);
      }
      expect(host.logger.hits).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );
});

/** A consumer's POST that gives up after `giveUpMs`: the status, or 0 when it gave up. */
function consumerPost(url: string, giveUpMs: number): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve(res.statusCode ?? 0));
    });
    const timer = setTimeout(() => {
      req.destroy();
      resolve(0);
    }, giveUpMs);
    req.on('close', () => clearTimeout(timer));
    req.on('error', () => resolve(0));
    req.end('{"type":"CUSTOMER"}');
  });
}
