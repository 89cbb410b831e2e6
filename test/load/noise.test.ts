// The baseline gate against real k6 runs: two identical runs (repeated) against a host with a fixed
// injected latency do not regress; the same runs against that host slowed by a known latency do,
// and the verdict says it is sure. Figures come at a fixed arrival rate the host keeps up with, so
// the machine's load moves them little (the injected latency dominates p95).
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { findK6 } from '../../src/load/run-load.js';
import type { LoadSummary } from '../../src/load/summary.js';
import { startProvider } from '../../src/provider/server.js';
import { captureIO } from '../support/cli-io.js';

const k6 = findK6();
const withK6 = k6 === undefined ? describe.skip : describe;
if (k6 === undefined) console.warn('load --baseline k6 tests skipped: k6 not found (npm run k6:install)');

withK6('load --baseline --repeat against real k6 runs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'directearn-noise-'));
  let steady: Awaited<ReturnType<typeof startProvider>>;
  let slowed: Awaited<ReturnType<typeof startProvider>>;
  beforeAll(async () => {
    steady = await startProvider({ port: 0, latencyMs: 20 });
    slowed = await startProvider({ port: 0, latencyMs: 80 });
  });
  afterAll(async () => {
    await steady.close();
    await slowed.close();
  });

  const load = async (target: string, out: string, extra: string[] = []) => {
    const io = captureIO({ cwd: dir });
    const code = await main(
      ['load', '--target', target, '--batch-sizes', '10', '--duration', '1s', '--arrival-rate', '40'].concat([
        '--repeat',
        '2',
        '--quiet',
        '--out',
        out,
        ...extra,
      ]),
      io,
    );
    return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
  };

  it('two identical runs do not regress; a host slowed by 60 ms does, surely', async () => {
    const first = await load(steady.url, 'first');
    expect(first.code, first.out + first.err).toBe(0);
    const summary = JSON.parse(readFileSync(join(dir, 'first', 'summary.json'), 'utf8')) as LoadSummary;
    expect(summary.batches[0]?.repeats?.issuedPerSecond).toHaveLength(2);

    const again = await load(steady.url, 'again', [
      '--baseline',
      'first/summary.json',
      '--markdown',
      'again.md',
    ]);
    expect(again.code, again.out).toBe(0);
    expect(again.out).toMatch(/^no regression: /m);
    expect(readFileSync(join(dir, 'again.md'), 'utf8')).toMatch(/^### directEarn load: ✅ no regression$/m);

    const slow = await load(slowed.url, 'slow', ['--baseline', 'first/summary.json']);
    expect(slow.code, slow.out).toBe(1);
    expect(slow.out).toMatch(
      /^REGRESSED: batch 10 p95 \+\d+\.\d%, beyond the allowed \d+\.\d%; sure: every run now is worse than every baseline run \(2 run\(s\) now, 2 in the baseline\)$/m,
    );
    expect(existsSync(join(dir, 'slow', 'report.html'))).toBe(true);
  }, 90_000);
});
