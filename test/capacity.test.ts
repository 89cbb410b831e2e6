// `directearn capacity` finds the knee the embedded provider is given (serve --capacity), at two batch
// sizes, with real k6 steps of 1 s (issue 19). The two searches run side by side, each on its own host.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CapacityResult, runCapacity } from '../src/capacity/run.js';
import { parseSlo } from '../src/load/slo.js';
import { startProvider } from '../src/provider/server.js';

const KNEE = 2000;
type Host = Awaited<ReturnType<typeof startProvider>>;
const hosts: Host[] = [];

beforeAll(async () => {
  // The queue bound sheds (503) a step well past the knee; the latency SLO catches one just past it.
  for (let i = 0; i < 2; i++)
    hosts.push(await startProvider({ capacity: { customersPerSecond: KNEE, queueMs: 150 } }));
});
afterAll(async () => {
  await Promise.all(hosts.map((h) => h.close()));
});

const search = (host: Host, batchSize: number) =>
  runCapacity({
    target: host.url,
    batchSizes: [batchSize],
    stepSeconds: 1,
    coolDownSeconds: 0.3,
    startRate: 1500,
    resolution: 0.1,
    slos: ['p95_ms<100', 'failed_requests<0.01'].map((s) => parseSlo(s)),
    out: mkdtempSync(join(tmpdir(), `capacity-${batchSize}-`)),
  });

describe('directearn capacity against serve --capacity', () => {
  it(`finds issuedPerSecond within ±10% of the configured knee (${KNEE}/s) at batch sizes 10 and 100`, async () => {
    const [ten, hundred] = await Promise.all([search(hosts[0] as Host, 10), search(hosts[1] as Host, 100)]);
    for (const [{ result, json, html }, batchSize] of [
      [ten, 10],
      [hundred, 100],
    ] as const) {
      const b = result.batches[0];
      const steps = b?.steps.map((s) => `${s.phase} ${s.offeredCustomersPerSecond}: ${s.verdict}`).join('; ');
      expect(b?.batchSize).toBe(batchSize);
      expect(b?.isHostCapacity, steps).toBe(true);
      expect(['latency', 'errors']).toContain(b?.boundBy);
      expect(b?.issuedPerSecond, steps).toBeGreaterThanOrEqual(KNEE * 0.9);
      expect(b?.issuedPerSecond, steps).toBeLessThanOrEqual(KNEE * 1.1);
      expect(b?.steps.at(-1)?.phase).toBe('confirm');
      // Exponential up, then binary: the first two steps double.
      expect(b?.steps.slice(0, 2).map((s) => s.offeredCustomersPerSecond)).toEqual([1500, 3000]);
      expect(b?.steps.some((s) => s.verdict !== 'good')).toBe(true);
      const written = JSON.parse(readFileSync(json, 'utf8')) as CapacityResult;
      expect(written.batches[0]?.issuedPerSecond).toBe(b?.issuedPerSecond);
      const page = readFileSync(html, 'utf8');
      expect(page).toContain(`Batch size ${batchSize}`);
      expect(page).toMatch(/knee [\d,]+/);
    }
  }, 90_000);
});
