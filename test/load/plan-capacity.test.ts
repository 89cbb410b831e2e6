// `directearn plan` from capacity.json (issue 19): the capacity search's sustained rates are planned
// on (preferred over a throughput summary), a batch size the generator bound is left out, a rate
// limit the search saw is kept, and --rate-limit takes N/s and N/min.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CapacityResult } from '../../src/capacity/result.js';
import type { CapacityStep } from '../../src/capacity/step.js';
import { rateLimitRps } from '../../src/cli/commands/plan.js';
import { main } from '../../src/cli/main.js';
import { captureIO } from '../support/cli-io.js';

const step = (
  offered: number,
  batch: number,
  verdict: CapacityStep['verdict'],
  phase: CapacityStep['phase'],
): CapacityStep => ({
  phase,
  verdict,
  offeredCustomersPerSecond: offered,
  offeredRequestsPerSecond: offered / batch,
  achievedRequestsPerSecond: offered / batch,
  servedRequestsPerSecond: offered / batch,
  issuedPerSecond: offered,
  requests: 100,
  customersSent: 100 * batch,
  latencyMs: { p50: 20, p95: 50, p99: 80 },
  errorShare: 0,
  rateLimitedShare: verdict === 'rate-limit' ? 0.2 : 0,
  warnedShare: 0,
  failedCustomerShare: 0,
  droppedIterations: 0,
  vus: 4,
  maxVus: 500,
});

/** A search result as `directearn capacity` writes it: batch 10 found 2000/s, batch 100 hit the generator. */
const result = (extra: Partial<CapacityResult['batches'][number]> = {}): CapacityResult => ({
  schemaVersion: 1,
  target: 'http://127.0.0.1:1',
  startedAt: '2026-12-06T08:00:00.000Z',
  slos: ['p95_ms<2000'],
  stepSeconds: 10,
  maxVus: 500,
  customersSent: 1,
  batches: [
    {
      batchSize: 10,
      issuedPerSecond: 2000,
      requestsPerSecond: 200,
      boundBy: 'latency',
      isHostCapacity: true,
      steps: [
        step(1000, 10, 'good', 'up'),
        step(4000, 10, 'latency', 'up'),
        step(2000, 10, 'good', 'confirm'),
      ],
      ...extra,
    },
    {
      batchSize: 100,
      issuedPerSecond: 0,
      requestsPerSecond: 0,
      boundBy: 'generator',
      isHostCapacity: false,
      steps: [step(1000, 100, 'generator', 'up')],
    },
  ],
});

async function plan(cwd: string, args: string[]) {
  const io = captureIO({ cwd, env: {} });
  const code = await main(['plan', ...args], io);
  return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
}

describe('plan from capacity.json', () => {
  it('plans on the capacity found, leaves out what the generator bound, prefers reports/capacity/capacity.json', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'plan-capacity-'));
    mkdirSync(join(cwd, 'reports', 'capacity'), { recursive: true });
    writeFileSync(join(cwd, 'reports', 'capacity', 'capacity.json'), JSON.stringify(result()));
    const r = await plan(cwd, ['--customers', '1200000', '--json']);
    expect(r.code, r.err).toBe(0);
    const p = JSON.parse(r.out);
    expect(p.capacity).toBe(join(cwd, 'reports', 'capacity', 'capacity.json'));
    expect(p.chosen.batchSize).toBe(10);
    // 70% (the default --utilisation) of the 200 requests/s the search found.
    expect(p.chosen.requestsPerSecond).toBeCloseTo(140, 6);
    expect(p.chosen.bound).toEqual({ kind: 'measured capacity', rps: 200 });
    expect(p.options.map((o: { batchSize: number }) => o.batchSize)).toEqual([10]);
    expect(p.notes.join(' ')).toMatch(/batch size 100 \(bound by generator/);
  });

  it('keeps under the per-minute quota the search saw (429s), and a declared --rate-limit N/min wins', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'plan-capacity-'));
    const file = join(cwd, 'capacity.json');
    writeFileSync(
      file,
      JSON.stringify(
        result({
          boundBy: 'rate-limit',
          rateLimit: { perSecond: 100, perMinute: 6000, window: 'minute', source: 'X-RateLimit-Limit' },
        }),
      ),
    );
    const seen = JSON.parse((await plan(cwd, ['--customers', '1000', '--capacity', file, '--json'])).out);
    expect(seen.rateLimit.rps).toBe(100);
    // 70% of the 100 requests/s limit, the lower bound.
    expect(seen.chosen.requestsPerSecond).toBeCloseTo(70, 6);
    expect(seen.chosen.bound).toEqual({ kind: 'rate limit', rps: 100 });
    const declared = JSON.parse(
      (await plan(cwd, ['--customers', '1000', '--capacity', file, '--rate-limit', '600/min', '--json'])).out,
    );
    expect(declared.rateLimit).toEqual({ rps: 10, source: 'declared' });
  });

  it('refuses a file that is not a capacity.json, naming the field', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'plan-capacity-'));
    writeFileSync(join(cwd, 'c.json'), JSON.stringify({ ...result(), batches: [{ batchSize: 'x' }] }));
    const r = await plan(cwd, ['--customers', '5', '--capacity', 'c.json']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/not a capacity.json: batches\[0\].batchSize is not a number/);
  });

  it.each([
    ['100/min', 100 / 60],
    ['5/s', 5],
    ['7', 7],
    ['1.5 / minute', 1.5 / 60],
  ])('--rate-limit %s is %f requests/s', (raw, rps) => {
    expect(rateLimitRps(raw)).toBeCloseTo(rps, 9);
  });

  it.each(['0', '5/h', 'fast', '-1/s'])('--rate-limit %s is a usage error', async (raw) => {
    const r = await plan(tmpdir(), ['--customers', '5', `--rate-limit=${raw}`]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--rate-limit must be like 100\/min/);
  });
});
