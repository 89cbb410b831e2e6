// The k6 load suite end to end: real k6 runs each script for a few seconds against the embedded
// reference provider; the report renders in headless Chromium; the k8s manifest fits the scripts.

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { main } from '../src/cli/main.js';
import * as defaults from '../src/config/defaults.js';
import { smokeCases } from '../src/load/cases.js';
import { K6_VERSION } from '../src/load/k6.js';
import { formatFigure } from '../src/load/report.js';
import { findK6, isLoopbackUrl, type LoadResult, runLoad, smokeResults } from '../src/load/run.js';
import { summaryProblem } from '../src/load/summary.js';
import { catalogue, packageRoot } from '../src/spec/index.js';
import { launchChromium } from './support/chromium.js';
import { captureIO as captureCliIO } from './support/cli-io.js';

const k6 = findK6();
// In CI k6 is installed by .ci/run: a missing k6 there must fail, not skip.
if (k6 === undefined && process.env.CI)
  throw new Error('k6 is not installed in CI: run `npm run k6:install`');
const withK6 = k6 === undefined ? describe.skip : describe;
if (k6 === undefined) console.warn('load tests skipped: k6 not found (npm run k6:install); CI fails instead');

const outRoot = mkdtempSync(join(tmpdir(), 'directearn-load-'));

const captureIO = (env: NodeJS.ProcessEnv = {}) => captureCliIO({ cwd: outRoot, env });

withK6('k6 scripts against the embedded reference provider', () => {
  let throughput: LoadResult;

  beforeAll(async () => {
    throughput = await runLoad({
      scenario: 'throughput',
      batchSizes: [1, 100],
      duration: '2s',
      out: join(outRoot, 'throughput'),
    });
  }, 60_000);

  it('throughput: figures for every batch size, no failures, customers/s = requests/s x batch size', () => {
    const { summary } = throughput;
    expect(summaryProblem(summary)).toBeUndefined();
    expect(summary.batches.map((b) => b.batchSize)).toEqual([1, 100]);
    for (const b of summary.batches) {
      expect(b.requests, `batch ${b.batchSize} requests`).toBeGreaterThan(10);
      expect(b.requestsPerSecond).toBeCloseTo(b.requests / 2, 1);
      expect(b.customersPerSecond).toBeCloseTo(b.requestsPerSecond * b.batchSize, 1);
      expect(b.latencyMs.p50).toBeGreaterThan(0);
      expect(b.latencyMs.p50).toBeLessThanOrEqual(b.latencyMs.p95);
      expect(b.latencyMs.p95).toBeLessThanOrEqual(b.latencyMs.p99);
      expect(b.failedRequestRate, `batch ${b.batchSize} failed requests`).toBe(0);
      expect(b.entityFailureRate, `batch ${b.batchSize} failed customers`).toBe(0);
      expect(b.warningRate).toBe(0);
      expect(b.droppedIterations).toBeGreaterThanOrEqual(0);
    }
    expect(JSON.parse(readFileSync(throughput.summaryPath, 'utf8'))).toEqual(summary);
    expect(throughput.thresholds.length).toBeGreaterThan(0);
  });

  it('rate: detects the embedded provider limit of 200 requests/s within 10% and Retry-After is honoured', async () => {
    const r = await runLoad({
      scenario: 'rate',
      providerRateLimit: 200,
      duration: '3s',
      out: join(outRoot, 'rate'),
    });
    expect(r.summary.rate?.configuredLimitRps).toBe(200);
    const detected = r.summary.rate?.detectedLimitRps ?? 0;
    expect(detected, `detected ${detected} requests/s`).toBeGreaterThanOrEqual(180);
    expect(detected).toBeLessThanOrEqual(220);
    expect(r.summary.rate?.retryAfterHonoured).toBe(true);
    expect(r.summary.batches[0]?.failedRequestRate).toBe(0);
    const html = readFileSync(r.reportPath, 'utf8');
    expect(html).toContain(`<td id="detected-limit">${formatFigure(detected)} requests/s</td>`);
  }, 60_000);

  it('smoke: every documented case the provider can be asked for passes, the rest are skipped with a reason', async () => {
    const r = await runLoad({ scenario: 'smoke', out: join(outRoot, 'smoke') });
    const smoke = r.smoke ?? {};
    const skipped = r.smokeSkipped ?? {};
    for (const entry of catalogue()) {
      const verdict = smoke[entry.case];
      if (verdict === undefined) expect(skipped[entry.case], `case ${entry.case}`).toMatch(/\w/);
      else expect(verdict, `case ${entry.case}`).toEqual({ passed: true, detail: expect.any(String) });
    }
    // Every error and warning of the catalogue, and earned, is exercised; only HTTP cases may be skipped.
    for (const entry of catalogue().filter((c) => c.kind !== 'http'))
      expect(smoke[entry.case]?.passed).toBe(true);
    expect(Object.keys(skipped).every((id) => id.startsWith('http-'))).toBe(true);
    expect(r.ok).toBe(true);
  }, 60_000);

  it('stops at once and says why when the target is down', async () => {
    const r = await runLoad({
      target: 'http://127.0.0.1:1',
      batchSizes: [1],
      duration: '1s',
      out: join(outRoot, 'down'),
    });
    expect(r.ok).toBe(false);
    expect(r.k6ExitCode).toBe(108);
    expect(r.k6Errors.join('\n')).toMatch(/target http:\/\/127\.0\.0\.1:1 is not reachable/);
  }, 60_000);

  it('the report renders in headless Chromium with the measured figures and loads nothing', async () => {
    const browser = await launchChromium();
    try {
      const requests: string[] = [];
      browser.on('request', (req) => requests.push(req.url()));
      const page = await browser.newPage();
      await page.goto(`file://${throughput.reportPath}`);
      expect(await page.locator('svg').count()).toBe(3);
      for (const svg of await page.locator('svg').all()) {
        const box = await svg.boundingBox();
        expect(box?.width).toBeGreaterThan(100);
        expect(box?.height).toBeGreaterThan(100);
      }
      for (const b of throughput.summary.batches) {
        const row = page.locator(`tr[data-batch="${b.batchSize}"]`);
        const cells = await row.locator('td').allInnerTexts();
        expect(cells[0]).toBe(String(b.batchSize));
        expect(cells[2]).toBe(formatFigure(b.requestsPerSecond));
        expect(cells[3]).toBe(formatFigure(b.customersPerSecond));
        expect(cells[5]).toBe(formatFigure(b.latencyMs.p95));
      }
      expect(await page.locator('.verdict').textContent()).toMatch(
        /Batch size \d+ issues the most customers per second/,
      );
      expect(requests.every((u) => u.startsWith('file://'))).toBe(true);
    } finally {
      await browser.close();
    }
  }, 60_000);
});

describe('directearn load refuses and validates before any traffic', () => {
  it('refuses a non-loopback target without --allow-real-issue, saying why', async () => {
    const io = captureIO();
    expect(await main(['load', '--target', 'https://eucrm.example.com'], io)).toBe(2);
    expect(io.stderr[0]).toMatch(/not loopback.*real promotions to real customers.*--allow-real-issue/);
    await expect(runLoad({ target: 'http://10.0.0.8:8080' })).rejects.toThrow(
      /real promotions to real customers/,
    );
  });

  it('knows loopback addresses', () => {
    for (const url of ['http://127.0.0.1:1', 'http://127.8.9.1', 'http://localhost:80', 'http://[::1]:9']) {
      expect(isLoopbackUrl(url), url).toBe(true);
    }
    for (const url of [
      'http://10.0.0.1',
      'http://128.0.0.1',
      'http://example.com',
      'http://[::2]',
      'nonsense',
    ]) {
      expect(isLoopbackUrl(url), url).toBe(false);
    }
  });

  it.each([
    [['--scenario', 'soak'], /--scenario must be throughput, rate or smoke/],
    [['--batch-sizes', '1,0'], /--batch-sizes must be whole numbers/],
    [['--duration', '5'], /--duration must be a k6 duration/],
    [['--provider-rate-limit', 'fast'], /--provider-rate-limit must be a whole number/],
    [['--target', 'localhost:8080/x'], /--target must be an http/],
    [['--basic', 'nocolon'], /--basic must be USER:PASS/],
    [['--max-vus', '0'], /--max-vus must be between 1/],
  ])('rejects %j with one line naming the flag', async (args, message) => {
    const io = captureIO();
    expect(await main(['load', ...args], io)).toBe(2);
    expect(io.stderr[0]).toMatch(message);
  });

  it('without k6 or Go, says exactly how to get k6 and exits 3 (a needed tool cannot run)', async () => {
    const io = captureIO({
      PATH: '/nonexistent',
      XDG_CACHE_HOME: mkdtempSync(join(tmpdir(), 'no-k6-')),
      HOME: outRoot,
    });
    expect(await main(['load', '--scenario', 'smoke'], io)).toBe(3);
    const text = io.stderr.join('\n');
    expect(text).toMatch(/k6 is not installed and Go is not available/);
    expect(text).toMatch(/npm run k6:install/);
    expect(text).toMatch(new RegExp(`go\\.k6\\.io/k6@${K6_VERSION.replace(/\./g, '\\.')}`));
  });
});

describe('smoke cases and results', () => {
  it('takes every request example of the spec, with the codes of its paired response example', () => {
    const { cases } = smokeCases();
    const examples = cases.filter((c) => c.entries !== undefined);
    expect(examples.map((c) => c.name)).toContain('request-mixed-earned-8890-promo-identifier');
    const mixed = examples.find((c) => c.name === 'request-mixed-earned-8890-promo-identifier');
    expect(mixed?.entries?.map((e) => e.case)).toEqual(['earned', 'earned', '8890']);
    expect(mixed?.case).toBe('8890');
    expect(examples.find((c) => c.name === 'request-8874-promo-identifier')?.case).toBe('8874');
  });

  it('reports a failed check with what was expected and received', () => {
    const data = {
      metrics: {},
      root_group: {
        name: '',
        checks: [
          { name: '8892: request-8892 answers HTTP 200', passes: 1, fails: 0 },
          { name: '8892: request-8892 customer 1 gets 8892 "promotion is inactive"', passes: 0, fails: 1 },
          { name: 'earned: doc-request answers HTTP 200', passes: 1, fails: 0 },
        ],
      },
    };
    const line = `time="x" level=error msg=${JSON.stringify(
      `DIRECTEARN_SMOKE_FAIL ${JSON.stringify({
        check: '8892: request-8892 customer 1 gets 8892 "promotion is inactive"',
        expected: { code: 8892 },
        received: { code: 8015 },
      })}`,
    )}`;
    const results = smokeResults(data, line);
    expect(results.earned).toEqual({ passed: true, detail: '1 check(s) passed' });
    expect(results['8892']?.passed).toBe(false);
    expect(results['8892']?.detail).toContain('expected {"code":8892}, received {"code":8015}');
  });
});

describe('the k6 scripts as code', () => {
  it('type-check with @types/k6 and no node types', async () => {
    const tsc = join(packageRoot, 'node_modules', '.bin', 'tsc');
    await promisify(execFile)(tsc, ['-p', join(packageRoot, 'load', 'tsconfig.json'), '--noEmit']);
    const tsconfig = JSON.parse(readFileSync(join(packageRoot, 'load', 'tsconfig.json'), 'utf8'));
    expect(tsconfig.compilerOptions.types).toEqual(['k6']);
  }, 60_000);

  it('import no node: modules and no npm package', () => {
    for (const file of [
      'config',
      'payload',
      'answers',
      'profiles',
      'thresholds',
      'summary',
      'target',
      'throughput',
      'rate',
      'smoke',
    ]) {
      const text = readFileSync(join(packageRoot, 'load', `${file}.ts`), 'utf8');
      for (const [, spec] of text.matchAll(/from '([^']+)'/g)) {
        expect(spec, `${file}.ts imports ${spec}`).toMatch(/^(k6(\/.*)?|\.\/[\w-]+\.ts)$/);
      }
    }
  });

  it('keep the defaults of load/config.ts equal to src/config/defaults.ts', async () => {
    const path = join(packageRoot, 'load', 'config.ts');
    const { DEFAULTS } = (await import(path)) as { DEFAULTS: Record<string, unknown> };
    expect(DEFAULTS.programId).toBe(defaults.LOAD_PROGRAM_ID);
    expect(DEFAULTS.promotionId).toBe(defaults.LOAD_PROMOTION_ID);
    expect(DEFAULTS.customerIdFirst).toBe(defaults.LOAD_CUSTOMER_ID_FIRST);
    expect(DEFAULTS.customerCount).toBe(defaults.LOAD_CUSTOMER_COUNT);
    expect(DEFAULTS.basic).toBe(`${defaults.DEFAULT_BASIC_USER}:${defaults.DEFAULT_BASIC_PASSWORD}`);
    expect(DEFAULTS.baseUrl).toBe(`http://${defaults.DEFAULT_HOST}:${defaults.DEFAULT_PORT}`);
    expect(DEFAULTS.batchSizes).toEqual(defaults.DEFAULT_BATCH_SIZES);
    expect(DEFAULTS.duration).toBe(defaults.DEFAULT_LOAD_DURATION);
    expect(DEFAULTS.maxVus).toBe(defaults.DEFAULT_LOAD_MAX_VUS);
    expect(DEFAULTS.rateMaxRps).toBe(defaults.DEFAULT_LOAD_RATE_MAX_RPS);
    expect(DEFAULTS.offeredCustomersPerSecond).toBe(defaults.DEFAULT_LOAD_OFFERED_CUSTOMERS_PER_S);
    expect(DEFAULTS.offeredMaxRps).toBe(defaults.DEFAULT_LOAD_OFFERED_MAX_RPS);
    expect(String(DEFAULTS.mobileTemplate).replace('{id}', '7')).toBe(defaults.loadCustomerMobile(7));
    expect(String(DEFAULTS.emailTemplate).replace('{id}', '7')).toBe(defaults.loadCustomerEmail(7));
  });
});

describe('load/k8s TestRun manifest', () => {
  const manifest = parseYaml(readFileSync(join(packageRoot, 'load', 'k8s', 'testrun.yaml'), 'utf8'));
  const configText = readFileSync(join(packageRoot, 'load', 'config.ts'), 'utf8');

  it('is a k6-operator TestRun running a load script from a ConfigMap in parallel', () => {
    expect(manifest.apiVersion).toBe('k6.io/v1alpha1');
    expect(manifest.kind).toBe('TestRun');
    expect(Number.isInteger(manifest.spec.parallelism) && manifest.spec.parallelism >= 1).toBe(true);
    expect(manifest.spec.script.configMap.name).toMatch(/^[a-z0-9-]+$/);
    const file = manifest.spec.script.configMap.file as string;
    expect(readFileSync(join(packageRoot, 'load', file), 'utf8')).toContain('export const options');
  });

  it('runs the pinned k6 and sets only variables load/config.ts reads, the target among them', () => {
    expect(manifest.spec.runner.image).toBe(`grafana/k6:${K6_VERSION.slice(1)}`);
    const env = manifest.spec.runner.env as { name: string; value?: string; valueFrom?: unknown }[];
    expect(env.map((e) => e.name)).toContain('BASE_URL');
    for (const e of env) {
      const read = configText.includes(`'${e.name}'`) || configText.includes(`env.${e.name}`);
      expect(read, `${e.name} is read by load/config.ts`).toBe(true);
    }
    for (const e of env) expect(e.value !== undefined || e.valueFrom !== undefined, e.name).toBe(true);
  });
});
