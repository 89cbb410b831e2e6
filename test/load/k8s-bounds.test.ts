// Issue 20 for the runner pods of `load --emit-k8s`, which have no Node (no relay, no watchdog)
// beside them: the TestRun gives each pod a memory limit (a hostile host gets the pod OOM-killed,
// not the node) and every request the exchange deadline; k6's own check aborts a pod reading an
// answer over the cap, and such a pod, like a killed one, prints no runner line, so `merge` names
// its segment missing. Real k6 runs the mounted scripts with the TestRun's variables.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { main } from '../../src/cli/main.js';
import { READ_ANSWER_CAP_BYTES, RUNNER_LINE_MARK } from '../../src/config/k6-contract.js';
import { findK6 } from '../../src/load/k6.js';
import { K6_MEMORY_ENV } from '../../src/load/k6-memory.js';
import { segmentArgs } from '../../src/load/runners.js';
import { startProvider } from '../../src/provider/server.js';
import { packageRoot } from '../../src/util/package-root.js';
import { captureIO } from '../support/cli-io.js';
import { type HostileHost, startHostileHost } from '../support/hostile-host.js';

const schema = JSON.parse(readFileSync(join(packageRoot, 'test/fixtures/k8s/testrun.schema.json'), 'utf8'));
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);
const root = mkdtempSync(join(tmpdir(), 'directearn-k8s-bounds-'));

interface Emitted {
  code: number;
  out: string;
  dir: string;
  testRun: {
    spec: {
      parallelism: number;
      script: { configMap: { file: string } };
      runner: { resources?: { limits?: { memory?: string } }; env: { name: string; value?: string }[] };
    };
  };
  configMap: { data: Record<string, string> };
}

async function emit(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Emitted> {
  const dir = mkdtempSync(join(root, 'out-'));
  const io = captureIO({ cwd: root, env });
  const code = await main(['load', '--emit-k8s', dir, ...args], io);
  const out = [...io.stdout, ...io.stderr].join('\n');
  if (code !== 0) return { code, out, dir } as Emitted;
  const read = (file: string) => parseYaml(readFileSync(join(dir, file), 'utf8'));
  return { code, out, dir, testRun: read('testrun.yaml'), configMap: read('configmap.yaml') };
}

const envOf = (e: Emitted): Record<string, string | undefined> =>
  Object.fromEntries(e.testRun.spec.runner.env.map((v) => [v.name, v.value]));

describe('the TestRun of --emit-k8s bounds its runner pods', () => {
  it('a memory limit per pod (1 GiB + 4 MiB per VU of its share), the exchange deadline on every request', async () => {
    const e = await emit(['--target', 'http://127.0.0.1:8080', '--max-vus', '64'], {
      DIRECTEARN_K8S_PARALLELISM: '4',
    });
    expect(e.code, e.out).toBe(0);
    expect(validate(e.testRun), JSON.stringify(validate.errors)).toBe(true);
    // 64 VUs over 4 pods: 16 each.
    expect(e.testRun.spec.runner.resources).toEqual({ limits: { memory: `${1024 + 4 * 16}Mi` } });
    expect(envOf(e).DIRECTEARN_REQUEST_TIMEOUT_MS).toBe('30000');
  });

  it(`${K6_MEMORY_ENV} and DIRECTEARN_EXCHANGE_DEADLINE_MS set them; a bad ${K6_MEMORY_ENV} is exit 2`, async () => {
    const e = await emit(['--target', 'http://127.0.0.1:8080'], {
      [K6_MEMORY_ENV]: '700',
      DIRECTEARN_EXCHANGE_DEADLINE_MS: '5000',
    });
    expect(e.code, e.out).toBe(0);
    expect(e.testRun.spec.runner.resources?.limits?.memory).toBe('700Mi');
    expect(envOf(e).DIRECTEARN_REQUEST_TIMEOUT_MS).toBe('5000');
    const bad = await emit(['--target', 'http://127.0.0.1:8080'], { [K6_MEMORY_ENV]: '2G' });
    expect(bad.code).toBe(2);
    expect(bad.out).toContain(`${K6_MEMORY_ENV} must be a whole number of MiB from 16 to 1048576, got "2G"`);
  });
});

const k6 = findK6();

/** One runner pod: k6 on the mounted scripts with the TestRun's variables and its segment; its log. */
function pod(
  e: Emitted,
  index: number,
  options: { killAfterMs?: number } = {},
): Promise<{ code: number | null; signal: NodeJS.Signals | null; log: string }> {
  const mount = mkdtempSync(join(root, 'mount-'));
  for (const [file, text] of Object.entries(e.configMap.data)) writeFileSync(join(mount, file), text);
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };
  for (const v of e.testRun.spec.runner.env) if (v.value !== undefined) env[v.name] = v.value;
  const args = [
    'run',
    '--no-usage-report',
    '--quiet',
    '--address=',
    ...segmentArgs(index, e.testRun.spec.parallelism),
  ];
  const child = spawn(k6 as string, [...args, join(mount, e.testRun.spec.script.configMap.file)], { env });
  let log = '';
  child.stdout.on('data', (c) => (log += c));
  child.stderr.on('data', (c) => (log += c));
  // What the kernel does to a pod over its memory limit: SIGKILL, nothing written after it.
  const kill =
    options.killAfterMs === undefined
      ? undefined
      : setTimeout(() => child.kill('SIGKILL'), options.killAfterMs);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(kill);
      resolve({ code, signal, log });
    });
  });
}

describe.skipIf(k6 === undefined)('runner pods against a hostile host, under real k6', () => {
  let host: HostileHost;
  beforeAll(async () => {
    host = await startHostileHost();
  });
  afterAll(async () => {
    await host?.close();
  });

  it('an answer over the cap aborts the pod (exit 108), naming size and cap, with no runner line to merge', async () => {
    const e = await emit([
      '--target',
      host.urlFor('huge', { k6: true }),
      '--batch-sizes',
      '1',
      '--duration',
      '2s',
    ]);
    expect(e.code, e.out).toBe(0);
    const r = await pod(e, 0);
    expect(r.code, r.log).toBe(108);
    expect(r.log).toContain(
      `the target broke a bound: answer of 10000115 characters, over the ${READ_ANSWER_CAP_BYTES}-character cap`,
    );
    expect(r.log).toContain('aborted, an answer over the cap; no summary to merge');
    expect(r.log).not.toContain(RUNNER_LINE_MARK);
  }, 60_000);

  it('a runner killed as the OOM killer kills it prints no runner line: merge names its segment missing (exit 1)', async () => {
    // Both runners against the reference provider; the second killed while it loads it.
    const provider = await startProvider({});
    let first: Awaited<ReturnType<typeof pod>>;
    let killed: Awaited<ReturnType<typeof pod>>;
    try {
      const e = await emit(['--target', provider.url, '--batch-sizes', '1', '--duration', '2s'], {
        DIRECTEARN_K8S_PARALLELISM: '2',
      });
      expect(e.code, e.out).toBe(0);
      [first, killed] = await Promise.all([pod(e, 0), pod(e, 1, { killAfterMs: 800 })]);
    } finally {
      await provider.close();
    }
    expect(first.log).toContain(RUNNER_LINE_MARK);
    expect(killed.signal).toBe('SIGKILL');
    expect(killed.log).not.toContain(RUNNER_LINE_MARK);
    // What `kubectl logs -l k6_cr=NAME,runner=true` gives: both pods' logs, one after the other.
    writeFileSync(join(root, 'pods.log'), `${first.log}\n${killed.log}\n`);
    const io = captureIO({ cwd: root });
    expect(await main(['merge', 'pods.log', '--out', 'merged'], io), io.stderr.join('\n')).toBe(1);
    expect(io.stdout.join('\n')).toMatch(
      /COVERAGE: no runner covers 1\/2:1 of the run \(after .* \(0:1\/2\)\): a runner is missing/,
    );
  }, 60_000);
});
