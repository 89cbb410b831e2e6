// Issue 20's last holes: `capacity` reads every answer straight from the target (no relay, which
// would be measured with the host), so a hostile host answering huge or without end must end it
// non-zero by itself, with one plain line: the in-k6 size check aborts a step over the cap, and the
// memory ceiling of every k6 the suite starts (src/load/k6-memory.ts) kills a k6 that grows past it.
// Each command runs as the user runs it (the built CLI, a child process) under /usr/bin/time.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READ_ANSWER_CAP_BYTES } from '../../src/config/k6-contract.js';
import { findK6, runTogether } from '../../src/load/k6.js';
import { K6_MEMORY_ENV, residentBytes, watchMemory } from '../../src/load/k6-memory.js';
import { type HostileHost, startHostileHost } from '../support/hostile-host.js';
import { type MeasuredRun, runMeasuredCli, TIME } from '../support/measured-cli.js';

/**
 * Peak resident memory of a command or its k6: far below what a flood reaches (k6 took 2.5 GB in
 * 30 s before issue 20), with room for a watchdog sample a busy machine delays.
 */
const MEMORY_CEILING_KB = 1200 * 1024;
/** The k6 memory ceiling the endless host must hit (k6 itself uses ~140 MiB at these VUs). */
const K6_CEILING_MIB = 256;
/** A command still running after this is killed and the test fails: it did not end by itself. */
const GUARD_MS = 60_000;
const TEST_TIMEOUT_MS = 90_000;

const work = mkdtempSync(join(tmpdir(), 'directearn-capacity-hostile-'));

/** Runs the built CLI under /usr/bin/time (peak RSS of it and its children, k6 included). */
const cli = (args: string[], env: Record<string, string> = {}): Promise<MeasuredRun> =>
  runMeasuredCli(args, {
    cwd: work,
    // A short deadline: were the watchdog broken, an endless answer would still end (and fail the
    // test) before k6 held more than a few GB; long enough for a preflight on a busy machine.
    env: { NO_COLOR: '1', DIRECTEARN_EXCHANGE_DEADLINE_MS: '5000', ...env },
    guardMs: GUARD_MS,
  });

/** A short capacity search: one batch size, steps of 1 s, few VUs. */
const capacityArgs = (target: string, out: string) => [
  'capacity',
  '--target',
  target,
  '--batch-sizes',
  '10',
  '--step-duration',
  '1s',
  '--cool-down',
  '0',
  '--start-rate',
  '100',
  '--max-steps',
  '2',
  '--max-vus',
  '8',
  '--out',
  out,
];

/** Ended non-zero by itself, under the memory ceiling, its last stderr line the one-line reason. */
function expectFailedWith(r: MeasuredRun, reason: RegExp): void {
  const all = `exit ${r.code}${r.killed ? ' (killed)' : ''}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;
  if (process.env.SHOW) console.log(`${all}\nRSS ${r.maxRssKb} kB`);
  expect(r.killed, `did not end by itself:\n${all}`).toBe(false);
  expect(r.code, all).toBe(1);
  expect(r.maxRssKb, all).toBeLessThan(MEMORY_CEILING_KB);
  expect(all).not.toContain('\u001b');
  const last = r.stderr.trim().split('\n').at(-1) ?? '';
  expect(last, all).toMatch(reason);
}

describe.skipIf(!existsSync(TIME) || findK6() === undefined)('capacity against a hostile target', () => {
  let host: HostileHost;
  beforeAll(async () => {
    host = await startHostileHost();
  });
  afterAll(async () => {
    await host?.close();
  });

  it(
    'huge answers: the in-k6 size check aborts the step, naming the size and the cap; no figure is reported',
    async () => {
      // k6huge: the preflight and k6's setup pass; every k6 request with customers gets 10 MB.
      const r = await cli(capacityArgs(host.urlFor('huge', { k6: true }), 'huge'));
      expectFailedWith(
        r,
        new RegExp(
          `^directearn capacity: k6 stopped the step: .*the target broke a bound: answer of \\d+ characters, over the ${READ_ANSWER_CAP_BYTES}-character cap`,
        ),
      );
      expect(r.stdout).not.toMatch(/issued customers\/s/);
      expect(existsSync(join(work, 'huge', 'capacity.json'))).toBe(false);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    `an endless answer: the watchdog kills k6 over its memory ceiling (${K6_CEILING_MIB} MiB), one line naming it`,
    async () => {
      const r = await cli(capacityArgs(host.urlFor('endless', { k6: true }), 'endless'), {
        [K6_MEMORY_ENV]: String(K6_CEILING_MIB),
      });
      expectFailedWith(
        r,
        new RegExp(
          `^directearn capacity: the target broke a bound: k6 was killed at \\d+ MiB of resident memory, over the ceiling of ${K6_CEILING_MIB} MiB \\(${K6_MEMORY_ENV}\\); the target's answers are the likely cause`,
        ),
      );
    },
    TEST_TIMEOUT_MS,
  );

  it.each(['abc', '0', '15', '1.5', '-1'])(
    `${K6_MEMORY_ENV}=%s is a usage error (exit 2) before anything is sent`,
    async (raw) => {
      const before = host.requests.length;
      const r = await cli(['capacity', '--target', host.urlFor('escapes'), '--out', 'never'], {
        [K6_MEMORY_ENV]: raw,
      });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trim()).toBe(
        `directearn capacity: ${K6_MEMORY_ENV} must be a whole number of MiB from 16 to 1048576, got ${JSON.stringify(raw)}`,
      );
      expect(existsSync(join(work, 'never'))).toBe(false);
      // Refused before the preflight: nothing reached the host.
      expect(host.requests.length).toBe(before);
    },
  );
});

describe.skipIf(findK6() === undefined)('the memory ceiling of every k6 the suite starts', () => {
  it(
    "load: a ceiling below k6's own use (16 MiB) kills k6 at once: exit 1, the one line",
    async () => {
      // The embedded provider: its own deadlines (a busy machine may be slow to answer the preflight).
      // A throughput run of 2 s, not the smoke: on a quiet machine the smoke's k6 ends before the
      // watchdog's first sample, 200 ms in, and the test would hold only on a busy one.
      const r = await cli(['load', '--batch-sizes', '1', '--duration', '2s', '--quiet', '--out', 'load-16'], {
        [K6_MEMORY_ENV]: '16',
        DIRECTEARN_EXCHANGE_DEADLINE_MS: '',
      });
      const all = `exit ${r.code}${r.killed ? ' (killed)' : ''}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;
      expect(r.killed, all).toBe(false);
      expect(r.code, all).toBe(1);
      expect(r.stderr.trim().split('\n').at(-1), all).toMatch(
        /^directearn load: the target broke a bound: k6 was killed at \d+ MiB of resident memory, over the ceiling of 16 MiB \(DIRECTEARN_K6_MEMORY_MIB\)/,
      );
    },
    TEST_TIMEOUT_MS,
  );
});

describe('runTogether', () => {
  it('one k6 rejecting stops the others through their signal, waits for them, and throws its error', async () => {
    const stoppedAfter: number[] = [];
    const waiter = (n: number) => (stop: AbortSignal) =>
      new Promise<number>((resolve) => {
        const t0 = Date.now();
        stop.addEventListener('abort', () => {
          stoppedAfter.push(Date.now() - t0);
          resolve(n);
        });
      });
    const failing = () => Promise.reject(new Error('over the ceiling'));
    await expect(runTogether([waiter(1), failing, waiter(3)])).rejects.toThrow('over the ceiling');
    // Both siblings were stopped (each resolved on its abort), not left running.
    expect(stoppedAfter).toHaveLength(2);
    await expect(runTogether([async () => 1, async () => 2])).resolves.toEqual([1, 2]);
  });
});

describe('the watchdog itself', () => {
  it("reads a process's resident memory, and calls `over` once past the ceiling", async () => {
    const own = await residentBytes(process.pid);
    expect(own).toBeGreaterThan(10 * 1024 * 1024);
    // A process that is gone has no memory to read (and is never reported over).
    expect(await residentBytes(2 ** 22 + 12345)).toBeUndefined();
    const seen: number[] = [];
    await new Promise<void>((done) => {
      watchMemory(process.pid, 1024 * 1024, (rss) => {
        seen.push(rss);
        setTimeout(done, 500);
      });
    });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBeGreaterThan(1024 * 1024);
  });
});
