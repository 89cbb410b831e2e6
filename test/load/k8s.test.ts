// `directearn load --emit-k8s DIR`: the TestRun fits our schema of the k6-operator CRD, the
// ConfigMap holds every script the chosen one imports, and real k6 reads the emitted files with
// the TestRun's variables into the scenarios asked for.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { main } from '../../src/cli/main.js';
import { K8S_CREDENTIALS_SECRET, K8S_MOUNT } from '../../src/load/k8s.js';
import { findK6, K6_VERSION } from '../../src/load/run-load.js';
import { K6_GOGC, K6_VARS } from '../../src/load/script-vars.js';
import { packageRoot } from '../../src/util/package-root.js';
import { captureIO } from '../support/cli-io.js';

const schema = JSON.parse(readFileSync(join(packageRoot, 'test/fixtures/k8s/testrun.schema.json'), 'utf8'));
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);
const root = mkdtempSync(join(tmpdir(), 'directearn-k8s-'));
/** Every variable the k6 scripts read: the names of k6/contract.ts's settings. */
const contractNames = new Set<string>(Object.values(K6_VARS).map((v) => v.env));

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef: { name: string; key: string } };
}
interface Emitted {
  code: number;
  out: string[];
  testRun: {
    metadata: { name: string };
    spec: {
      parallelism: number;
      script: { configMap: { name: string; file: string } };
      runner: { image: string; env: EnvVar[] };
    };
  };
  configMap: { metadata: { name: string }; data: Record<string, string> };
}

async function emit(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Emitted> {
  const dir = mkdtempSync(join(root, 'out-'));
  const io = captureIO({ cwd: root, env });
  const code = await main(['load', '--emit-k8s', dir, ...args], io);
  const read = (file: string) => parseYaml(readFileSync(join(dir, file), 'utf8'));
  return code === 0
    ? { code, out: io.stdout, testRun: read('testrun.yaml'), configMap: read('configmap.yaml') }
    : ({ code, out: [...io.stdout, ...io.stderr] } as Emitted);
}

const envOf = (e: Emitted): Record<string, string | undefined> =>
  Object.fromEntries(e.testRun.spec.runner.env.map((v) => [v.name, v.value]));

describe('directearn load --emit-k8s', () => {
  it('writes a TestRun that fits the CRD schema and a ConfigMap with the scenario, batch sizes and target', async () => {
    const e = await emit(
      ['--target', 'http://127.0.0.1:8080', '--batch-sizes', '1,100', '--duration', '30s', '--max-vus', '64'],
      { DIRECTEARN_K8S_PARALLELISM: '3' },
    );
    expect(e.code, e.out?.join('\n')).toBe(0);
    expect(validate(e.testRun), JSON.stringify(validate.errors)).toBe(true);
    const { spec } = e.testRun;
    expect(spec.parallelism).toBe(3);
    expect(spec.runner.image).toBe(`grafana/k6:${K6_VERSION.slice(1)}`);
    expect(spec.script.configMap).toEqual({ name: e.configMap.metadata.name, file: 'throughput.ts' });
    expect(envOf(e)).toMatchObject({
      BASE_URL: 'http://127.0.0.1:8080',
      DIRECTEARN_BATCH_SIZES: '1,100',
      DIRECTEARN_DURATION: '30s',
      DIRECTEARN_MAX_VUS: '64',
      // k6's own garbage collector target (src/load/script-vars.ts), read by the Go runtime.
      GOGC: K6_GOGC,
    });
    // Credentials come from a Secret, never from the files we write.
    const secrets = spec.runner.env.filter((v) => v.valueFrom !== undefined);
    expect(secrets.map((v) => v.valueFrom?.secretKeyRef.name)).toEqual([
      K8S_CREDENTIALS_SECRET,
      K8S_CREDENTIALS_SECRET,
    ]);
    for (const v of spec.runner.env) {
      const k6Own = v.name === 'K6_NO_USAGE_REPORT' || v.name === 'GOGC';
      expect(contractNames.has(v.name) || k6Own, `${v.name} is a variable of k6/contract.ts`).toBe(true);
    }
    expect(e.out.join('\n')).toContain(`kubectl apply -f`);
  });

  it('warns that runner pods cannot reach a loopback target, and not for a host the cluster reaches', async () => {
    const loopback = captureIO({ cwd: root, env: {} });
    expect(
      await main(
        ['load', '--emit-k8s', mkdtempSync(join(root, 'w-')), '--target', 'http://localhost:8080'],
        loopback,
      ),
    ).toBe(0);
    expect(loopback.stderr.join('\n')).toContain('warning: --target localhost:8080 is loopback');
    const remote = captureIO({ cwd: root, env: {} });
    const args = ['--target', 'http://crm.load.svc:8080', '--allow-real-issue'];
    expect(await main(['load', '--emit-k8s', mkdtempSync(join(root, 'w-')), ...args], remote)).toBe(0);
    expect(remote.stderr.join('\n')).not.toContain('loopback');
    // The loop it prints ends in merge, with a wait that cannot hang forever.
    expect(remote.stdout.join('\n')).toMatch(/kubectl wait .*testrun\/directearn-throughput --timeout=\d+s/);
    expect(remote.stdout.join('\n')).toContain('runner=true --tail=-1 | directearn merge -');
  });

  it("keeps the user's GOGC for the runner pods", async () => {
    const e = await emit(['--target', 'http://127.0.0.1:8080'], { GOGC: '150' });
    expect(e.code, e.out?.join('\n')).toBe(0);
    expect(envOf(e).GOGC).toBe('150');
  });

  it('puts every script the chosen one imports into the ConfigMap, side by side', async () => {
    const e = await emit(['--target', 'http://127.0.0.1:8080', '--scenario', 'rate']);
    const data = e.configMap.data;
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      expect(data[file], `${file} is in the ConfigMap`).toBeDefined();
      for (const [, spec] of (data[file] ?? '').matchAll(/from '\.\/([\w-]+\.ts)'/g)) visit(spec as string);
    };
    visit(e.testRun.spec.script.configMap.file);
    expect(seen.has('bodies.ts') && seen.has('rate.ts')).toBe(true);
    expect(data['rate.ts']).toBe(readFileSync(join(packageRoot, 'k6', 'rate.ts'), 'utf8'));
  });

  it('smoke runs on one runner with the cases file from the spec mounted beside the scripts', async () => {
    const e = await emit(['--target', 'http://127.0.0.1:8080', '--scenario', 'smoke'], {
      DIRECTEARN_K8S_PARALLELISM: '5',
    });
    expect(validate(e.testRun)).toBe(true);
    expect(e.testRun.spec.parallelism).toBe(1);
    expect(envOf(e).DIRECTEARN_CASES_FILE).toBe(`${K8S_MOUNT}/smoke-cases.json`);
    expect(JSON.parse(e.configMap.data['smoke-cases.json'] ?? '[]').length).toBeGreaterThan(5);
  });

  it('names the program, promoIdentifier and identifier name of the flags, as a local run would', async () => {
    const e = await emit([
      '--target',
      'http://127.0.0.1:8080',
      '--program',
      '7001',
      '--promo-identifier',
      'SUMMER',
      '--identifier-name',
      'mobile',
    ]);
    expect(envOf(e)).toMatchObject({
      DIRECTEARN_PROGRAM_ID: '7001',
      DIRECTEARN_PROMOTION_ID: '',
      DIRECTEARN_PROMO_IDENTIFIER: 'SUMMER',
      DIRECTEARN_IDENTIFIER_NAME: 'mobile',
    });
  });

  it('copies --customers-csv into the ConfigMap and points the scripts at it', async () => {
    const csv = join(root, 'customers.csv');
    writeFileSync(csv, 'identifierValue\n501\n502\n');
    const e = await emit(['--target', 'http://127.0.0.1:8080', '--customers-csv', 'customers.csv']);
    expect(e.configMap.data['customers.csv']).toBe('identifierValue\n501\n502\n');
    expect(envOf(e).DIRECTEARN_CUSTOMERS_CSV).toBe(`${K8S_MOUNT}/customers.csv`);
  });

  it.each([
    [[], {}, /--emit-k8s needs --target/],
    [['--target', 'https://crm.example.com'], {}, /not loopback/],
    [
      ['--target', 'http://127.0.0.1:8080'],
      { DIRECTEARN_K8S_PARALLELISM: '0' },
      /DIRECTEARN_K8S_PARALLELISM/,
    ],
  ])('refuses %j %j with exit 2 and the reason', async (args, env, reason) => {
    const e = await emit(args as string[], env);
    expect(e.code).toBe(2);
    expect(e.out.join('\n')).toMatch(reason);
  });

  it('the schema refuses what the CRD refuses: no script, parallelism not an integer, a misspelt field', () => {
    const good = {
      apiVersion: 'k6.io/v1alpha1',
      kind: 'TestRun',
      metadata: { name: 'x' },
      spec: { parallelism: 2, script: { configMap: { name: 'x', file: 'throughput.ts' } } },
    };
    expect(validate(good)).toBe(true);
    expect(validate({ ...good, spec: { parallelism: 2 } })).toBe(false);
    expect(validate({ ...good, spec: { ...good.spec, parallelism: '2' } })).toBe(false);
    expect(validate({ ...good, spec: { ...good.spec, paralelism: 2 } })).toBe(false);
    expect(validate({ ...good, spec: { ...good.spec, cleanup: 'always' } })).toBe(false);
  });
});

const k6 = findK6();
describe.skipIf(k6 === undefined)('the emitted files under real k6 (skipped: k6 not installed)', () => {
  it('k6 inspect reads the mounted scripts with the TestRun variables into one scenario per batch size', async () => {
    const e = await emit(['--target', 'http://127.0.0.1:8080', '--batch-sizes', '10,1000']);
    const mount = mkdtempSync(join(root, 'mount-'));
    for (const [file, text] of Object.entries(e.configMap.data)) writeFileSync(join(mount, file), text);
    const vars = e.testRun.spec.runner.env.flatMap((v) =>
      v.value === undefined ? [] : ['-e', `${v.name}=${v.value}`],
    );
    const { stdout } = await promisify(execFile)(
      k6 as string,
      ['inspect', ...vars, join(mount, e.testRun.spec.script.configMap.file)],
      { encoding: 'utf8' },
    );
    const options = JSON.parse(stdout) as { scenarios: Record<string, { rate: number; maxVUs: number }> };
    expect(Object.keys(options.scenarios)).toEqual(['batch_10', 'batch_1000']);
    expect(options.scenarios.batch_1000?.maxVUs).toBe(Number(envOf(e).DIRECTEARN_MAX_VUS));
  }, 30_000);
});
