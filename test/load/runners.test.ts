// A load run split across k6 runners by execution segments adds up: `load --runners 2` at a fixed
// arrival rate, and the emitted TestRun's runner pods (run here as the k6-operator starts them,
// their logs piped into `directearn merge -`), against the embedded reference provider.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { main } from '../../src/cli/main.js';
import { DEFAULT_BASIC_PASSWORD, DEFAULT_BASIC_USER } from '../../src/config/defaults.js';
import type { RunnerSummary } from '../../src/config/k6-contract.js';
import type { MergedSummary } from '../../src/load/merge.js';
import { findK6 } from '../../src/load/run-load.js';
import { segmentArgs } from '../../src/load/runners.js';
import { startProvider } from '../../src/provider/server.js';
import { packageRoot } from '../../src/util/package-root.js';
import { captureIO } from '../support/cli-io.js';

const k6 = findK6();
if (k6 === undefined && process.env.CI)
  throw new Error('k6 is not installed in CI: run `npm run k6:install`');
const root = mkdtempSync(join(tmpdir(), 'directearn-runners-'));
const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

describe('segmentArgs', () => {
  it('writes the segments and sequence as the k6-operator writes them for its runner jobs', () => {
    expect(segmentArgs(0, 3)).toEqual([
      '--execution-segment=0:1/3',
      '--execution-segment-sequence=0,1/3,2/3,1',
    ]);
    expect(segmentArgs(2, 3)).toEqual([
      '--execution-segment=2/3:1',
      '--execution-segment-sequence=0,1/3,2/3,1',
    ]);
    expect(segmentArgs(0, 1)).toEqual(['--execution-segment=0:1', '--execution-segment-sequence=0,1']);
  });
});

describe.skipIf(k6 === undefined)('runners against the embedded provider (skipped: k6 not installed)', () => {
  // 4 s at 50/s (200 arrivals a batch size), not 2 s at 100/s: a busy machine delays k6's arrival
  // loop at a scenario's end, and k6 1.8 ends the scenario at its deadline without sending or
  // counting the arrivals it had not reached (9 of 200 at load 15): 2% is 80 ms of that delay here.
  it("load --runners 2 at 50 requests/s: merged requests are the runners' sum, offered x duration within 2%", async () => {
    const out = join(root, 'runners');
    const io = captureIO({ cwd: root });
    const code = await main(
      [
        'load',
        '--runners',
        '2',
        '--arrival-rate',
        '50',
        '--batch-sizes',
        '1,10',
        '--duration',
        '4s',
        '--quiet',
        '--out',
        out,
      ],
      io,
    );
    expect(code, [...io.stdout, ...io.stderr].join('\n')).toBe(0);
    const runners = [1, 2].map((i) =>
      readJson<RunnerSummary>(join(out, `runner-${i}`, 'runner-summary.json')),
    );
    // Runners that are merged ask k6 for the dense latency grid (k6/sketch.ts), every rank of it.
    for (const r of runners) {
      expect(r.sketchRanks).toHaveLength(401);
      expect(r.sketchRanks[1]).toBe(0.25);
      expect(r.batches.every((b) => b.latencyMs.values.length === 401)).toBe(true);
    }
    expect(runners.map((r) => [r.segment, r.sequence])).toEqual([
      ['0:1/2', '0,1/2,1'],
      ['1/2:1', '0,1/2,1'],
    ]);
    const merged = readJson<MergedSummary>(join(out, 'summary.json'));
    expect(merged.runners.map((r) => r.segment)).toEqual(['0:1/2', '1/2:1']);
    for (const [i, b] of merged.batches.entries()) {
      const parts = runners.map((r) => r.batches[i]?.requests ?? 0);
      const dropped = runners.map((r) => r.batches[i]?.droppedIterations ?? 0);
      expect(parts.every((n) => n > 0)).toBe(true);
      expect(b.requests).toBe((parts[0] ?? 0) + (parts[1] ?? 0));
      expect(b.droppedIterations).toBe((dropped[0] ?? 0) + (dropped[1] ?? 0));
      expect(b.offeredRequestsPerSecond).toBe(50);
      // Offered x duration within 2%, counted as k6 schedules it: each arrival was sent or, when all
      // of its runner's VUs were still waiting (a busy machine answers slowly), dropped and counted;
      // a runner sending the whole rate, or none of its share, is off by 50%.
      expect(
        Math.abs(b.requests + b.droppedIterations - 50 * 4),
        `batch ${b.batchSize}: ${b.requests} requests + ${b.droppedIterations} dropped (runners: ${parts} + ${dropped})`,
      ).toBeLessThanOrEqual(4);
    }
    expect(io.stdout.join('\n')).toMatch(/2 runners merged \(.*runner-1.*runner-2.*\); percentiles within ±/);
  }, 60_000);

  describe('the TestRun of --emit-k8s', () => {
    let provider: Awaited<ReturnType<typeof startProvider>>;
    beforeAll(async () => {
      provider = await startProvider({ port: 0 });
    });
    afterAll(async () => {
      await provider?.close();
    });

    it('prints one marked line per runner pod; their logs piped into `directearn merge -` add up', async () => {
      const dir = join(root, 'k8s');
      const io = captureIO({ cwd: root });
      const emitted = await main(
        [
          'load',
          '--emit-k8s',
          dir,
          '--target',
          provider.url,
          '--batch-sizes',
          '10',
          '--duration',
          '3s',
          '--arrival-rate',
          '20',
          '--runners',
          '2',
        ],
        io,
      );
      expect(emitted, io.stderr.join('\n')).toBe(0);
      expect(io.stderr.join('\n')).toContain('is loopback');
      const testRun = parseYaml(readFileSync(join(dir, 'testrun.yaml'), 'utf8')) as {
        spec: {
          parallelism: number;
          arguments: string;
          script: { configMap: { file: string } };
          runner: { env: { name: string; value?: string }[] };
        };
      };
      const configMap = parseYaml(readFileSync(join(dir, 'configmap.yaml'), 'utf8')) as {
        data: Record<string, string>;
      };
      expect(testRun.spec.parallelism).toBe(2);
      const mount = mkdtempSync(join(root, 'mount-'));
      for (const [file, text] of Object.entries(configMap.data)) writeFileSync(join(mount, file), text);
      const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        ...Object.fromEntries(
          testRun.spec.runner.env.flatMap((v) => (v.value === undefined ? [] : [[v.name, v.value]])),
        ),
        // From the Secret in the cluster.
        DIRECTEARN_BASIC: `${DEFAULT_BASIC_USER}:${DEFAULT_BASIC_PASSWORD}`,
      };
      // As the operator starts runner i: k6 run --quiet <segment flags> <script> <arguments>.
      const logs = await Promise.all(
        [0, 1].map(async (i) => {
          const { stdout, stderr } = await promisify(execFile)(
            k6 as string,
            [
              'run',
              '--quiet',
              ...segmentArgs(i, 2),
              join(mount, testRun.spec.script.configMap.file),
              '--address=',
              ...testRun.spec.arguments.split(' '),
              '--tag',
              `instance_id=${i + 1}`,
            ],
            { env, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
          );
          const pod = `[pod/directearn-throughput-${i + 1}-x7k2q/k6] `;
          return `${stderr}\n${stdout}`
            .split('\n')
            .map((line) => pod + line)
            .join('\n');
        }),
      );
      const out = join(root, 'k8s-merged');
      const merge = await new Promise<{ code: number | null; stdout: string }>((done) => {
        const child = spawn(
          process.execPath,
          [join(packageRoot, 'bin', 'directearn.js'), 'merge', '-', '--out', out],
          {
            stdio: ['pipe', 'pipe', 'inherit'],
          },
        );
        let text = '';
        child.stdout.on('data', (d: Buffer) => {
          text += d.toString();
        });
        child.on('close', (c) => done({ code: c, stdout: text }));
        child.stdin.end(logs.join('\n'));
      });
      expect(merge.code, merge.stdout).toBe(0);
      const merged = readJson<MergedSummary>(join(out, 'summary.json'));
      // The pods asked k6 for the dense latency grid: the merged percentiles' bound is its step
      // (0.25) plus 100 x runners / requests (without it, 50 points: k6's p50 to p95).
      expect(testRun.spec.runner.env).toContainEqual({ name: 'DIRECTEARN_LATENCY_SKETCH', value: '1' });
      const bound = /are within ±(\d+(?:\.\d+)?) percentile points/.exec(merge.stdout);
      const requests = merged.batches[0]?.requests ?? 0;
      expect(Number(bound?.[1]), merge.stdout).toBeCloseTo(0.25 + 200 / requests, 1);
      expect(merged.runners.map((r) => r.segment).sort()).toEqual(['0:1/2', '1/2:1']);
      const b = merged.batches[0];
      expect(b?.requests).toBe(merged.runners.reduce((n, r) => n + r.requests, 0));
      expect(b?.droppedIterations).toBe(merged.runners.reduce((n, r) => n + r.droppedIterations, 0));
      // Offered x duration, counted as k6 schedules it (sent or dropped), as above: 3 s at 20/s, so
      // 2 arrivals are 100 ms of a busy machine's delay at the scenario's end.
      const accounted = (b?.requests ?? 0) + (b?.droppedIterations ?? 0);
      expect(
        Math.abs(accounted - 60),
        `${b?.requests} requests + ${b?.droppedIterations} dropped`,
      ).toBeLessThanOrEqual(2);
      expect(b?.offeredRequestsPerSecond).toBe(20);
    }, 60_000);
  });
});
