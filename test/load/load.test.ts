// The k6 load suite end to end: real k6 runs each script for a few seconds against the embedded
// reference provider; the report renders in headless Chromium (the k8s manifests: test/load/k8s.test.ts).

import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import * as defaults from '../../src/config/defaults.js';
import { durationOf } from '../../src/input/duration.js';
import { smokeCases } from '../../src/load/cases.js';
import { K6_VERSION } from '../../src/load/k6.js';
import { formatFigure } from '../../src/load/report.js';
import {
  DEFAULT_EMBEDDED_RATE_LIMIT,
  findK6,
  isLoopbackUrl,
  type LoadResult,
  offeredRps,
  runLoad,
  smokeResults,
} from '../../src/load/run-load.js';
import { K6_GOGC, K6_VARS, k6Gogc } from '../../src/load/script-vars.js';
import { summaryProblem } from '../../src/load/summary.js';
import { catalogue } from '../../src/openapi/index.js';
import { packageRoot } from '../../src/util/package-root.js';
import { launchChromium } from '../support/chromium.js';
import { captureIO as captureCliIO } from '../support/cli-io.js';

const k6 = findK6();
// In CI k6 is installed by .ci/run: a missing k6 there must fail, not skip.
if (k6 === undefined && process.env.CI)
  throw new Error('k6 is not installed in CI: run `npm run k6:install`');
const withK6 = k6 === undefined ? describe.skip : describe;
if (k6 === undefined) console.warn('load tests skipped: k6 not found (npm run k6:install); CI fails instead');

const outRoot = mkdtempSync(join(tmpdir(), 'directearn-load-'));
/** Seconds per batch size of the throughput run the report tests read. */
const THROUGHPUT_SECONDS = 1;

const captureIO = (env: NodeJS.ProcessEnv = {}) => captureCliIO({ cwd: outRoot, env });

withK6('k6 scripts against the embedded reference provider', () => {
  let throughput: LoadResult;
  let rateReport = '';

  // k6 itself, started through a wrapper that first notes the GOGC it was given.
  const gogcSeen = join(outRoot, 'gogc-seen');
  const k6NotingGogc = join(outRoot, 'k6-noting-gogc');

  beforeAll(async () => {
    writeFileSync(k6NotingGogc, `#!/bin/sh\nprintf '%s' "$GOGC" > '${gogcSeen}'\nexec '${k6}' "$@"\n`, {
      mode: 0o755,
    });
    // One second per batch size: every figure below is a ratio or a bound, none needs a longer run,
    // and each second of this run keeps both cores busy (k6 at its offered rate, the provider).
    throughput = await runLoad({
      scenario: 'throughput',
      batchSizes: [1, 100],
      duration: durationOf(THROUGHPUT_SECONDS),
      out: join(outRoot, 'throughput'),
      k6Path: k6NotingGogc,
      env: { ...process.env, GOGC: '' },
    });
  }, 60_000);

  it("runs k6 with GOGC=400 (its collector a quarter as often), unless the user's environment sets GOGC", () => {
    expect(readFileSync(gogcSeen, 'utf8')).toBe(K6_GOGC);
    expect(k6Gogc({ GOGC: '150' })).toBe('150');
    expect(k6Gogc({ GOGC: ' ' })).toBe(K6_GOGC);
    expect(k6Gogc({})).toBe(K6_GOGC);
  });

  it('throughput: figures for every batch size, no failures, customers/s = requests/s x batch size', () => {
    const { summary } = throughput;
    expect(summaryProblem(summary)).toBeUndefined();
    expect(summary.batches.map((b) => b.batchSize)).toEqual([1, 100]);
    for (const b of summary.batches) {
      expect(b.requests, `batch ${b.batchSize} requests`).toBeGreaterThan(10);
      expect(b.requestsPerSecond).toBeCloseTo(b.requests / THROUGHPUT_SECONDS, 1);
      expect(b.customersPerSecond).toBeCloseTo(b.requestsPerSecond * b.batchSize, 1);
      expect(b.latencyMs.p50).toBeGreaterThan(0);
      expect(b.latencyMs.p50).toBeLessThanOrEqual(b.latencyMs.p95);
      expect(b.latencyMs.p95).toBeLessThanOrEqual(b.latencyMs.p99);
      expect(b.failedRequestRate, `batch ${b.batchSize} failed requests`).toBe(0);
      expect(b.entityFailureRate, `batch ${b.batchSize} failed customers`).toBe(0);
      expect(b.warningRate).toBe(0);
      // schemaVersion 3: every customer answered was issued, none warned or failed.
      expect(b.issuedRate).toBe(1);
      expect(b.issuedPerSecond).toBeCloseTo(b.customersPerSecond, 1);
      expect(b.warned).toBe(0);
      expect(b.failed).toBe(0);
      expect(b.issued).toBeGreaterThan(0);
      expect(b.droppedIterations).toBeGreaterThanOrEqual(0);
      // schemaVersion 2: what k6 offered, and with how many VUs.
      expect(b.offeredRequestsPerSecond).toBe(offeredRps(b.batchSize));
      expect(b.maxVus).toBe(defaults.DEFAULT_LOAD_MAX_VUS);
      // Failed and warned customers come from one answer in 10 (k6/answers.ts); requests are exact.
      expect(b.sampled, `batch ${b.batchSize} sampled`).toEqual({ every: 10 });
    }
    expect(summary.schemaVersion).toBe(3);
    expect(throughput.slos.map((r) => `${r.batchSize} ${r.slo} ${r.ok}`)).toEqual([
      '1 p95_ms<2000 true',
      '1 failed_requests<0.01 true',
      '1 failed_customers==0 true',
      '1 warned_customers<=0.05 true',
      '100 p95_ms<2000 true',
      '100 failed_requests<0.01 true',
      '100 failed_customers==0 true',
      '100 warned_customers<=0.05 true',
    ]);
    expect(throughput.notIssued).toEqual([]);
    expect(JSON.parse(readFileSync(throughput.summaryPath, 'utf8'))).toEqual(summary);
    expect(throughput.thresholds.length).toBeGreaterThan(0);
  });

  it("a single run asks k6 for no dense latency grid (issue 22: it costs k6 CPU per request); its runner summary's sketch holds k6's own min, p50, p95, p99, max", () => {
    const out = join(outRoot, 'throughput');
    const k6Summary = JSON.parse(readFileSync(join(out, 'k6-summary.json'), 'utf8')) as {
      metrics: Record<string, { values: Record<string, number> }>;
    };
    const latency = k6Summary.metrics['http_req_duration{scenario:batch_1}']?.values ?? {};
    expect(Object.keys(latency).sort()).toEqual(
      ['avg', 'count', 'max', 'med', 'min', 'p(50)', 'p(95)', 'p(99)'].sort(),
    );
    const runner = JSON.parse(readFileSync(join(out, 'runner-summary.json'), 'utf8')) as {
      sketchRanks: number[];
      batches: { latencyMs: { values: number[] } }[];
    };
    expect(runner.sketchRanks).toEqual([0, 50, 95, 99, 100]);
    const values = runner.batches[0]?.latencyMs.values ?? [];
    expect(values[2]).toBeCloseTo(latency['p(95)'] ?? Number.NaN, 3);
  });

  it('rate without --provider-rate-limit: the embedded default limit (200/s) is found within 10%, 429s counted per second', async () => {
    const r = await runLoad({ scenario: 'rate', duration: durationOf(3), out: join(outRoot, 'rate') });
    expect(r.summary.rate?.configuredLimitRps).toBe(DEFAULT_EMBEDDED_RATE_LIMIT);
    const detected = r.summary.rate?.detectedLimitRps ?? 0;
    expect(detected, `detected ${detected} requests/s`).toBeGreaterThanOrEqual(180);
    expect(detected).toBeLessThanOrEqual(220);
    expect(r.summary.rate?.retryAfterHonoured).toBe(true);
    expect(r.summary.batches[0]?.failedRequestRate).toBe(0);
    expect(r.summary.batches[0]?.offeredRequestsPerSecond).toBe(2 * DEFAULT_EMBEDDED_RATE_LIMIT);
    // The timeline: every request of the run, 429s as refused; past the burst, accepted stays near the limit.
    const timeline = r.summary.rate?.timeline ?? [];
    expect(timeline.length).toBeGreaterThanOrEqual(6);
    const refused = timeline.reduce((n, t) => n + t.refused, 0);
    expect(refused).toBeGreaterThan(0);
    expect(r.summary.rate?.refusedRequests).toBe(refused);
    const answered = timeline.reduce((n, t) => n + t.accepted + t.refused + t.failed, 0);
    expect(answered).toBeGreaterThanOrEqual(r.summary.batches[0]?.requests ?? 0);
    const steady = timeline.slice(4, 6);
    for (const t of steady)
      expect(t.accepted, `second ${t.second}`).toBeLessThanOrEqual(1.25 * DEFAULT_EMBEDDED_RATE_LIMIT);
    expect(existsSync(join(outRoot, 'rate', 'k6-points.json'))).toBe(false);
    const html = readFileSync(r.reportPath, 'utf8');
    expect(html).toContain(`<td id="detected-limit">${formatFigure(detected)} requests/s</td>`);
    expect(html).toMatch(new RegExp(`<td id="refused">${formatFigure(refused)} of `));
    expect(html).toContain('aria-label="Requests per second over the run: accepted and refused (429)"');
    rateReport = r.reportPath;
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

  it('a target that is down: the preflight says so (exit 3) before k6 runs', async () => {
    const io = captureIO();
    expect(
      await main(['load', '--target', 'http://127.0.0.1:1', '--batch-sizes', '1', '--duration', '1s'], io),
    ).toBe(3);
    expect(io.stderr.at(-1)).toMatch(
      /^directearn load: preflight: http:\/\/127\.0\.0\.1:1 is not reachable \(ECONNREFUSED\)$/,
    );
  });

  it('a promotion that does not earn stops the run with the code and message the host answered', async () => {
    const io = captureIO();
    const args = [
      'load',
      '--program',
      '7001',
      '--promotion',
      '81001',
      '--batch-sizes',
      '1',
      '--duration',
      '1s',
    ];
    expect(await main([...args, '--out', 'no-earn'], io)).toBe(1);
    expect(io.stderr.at(-1)).toMatch(
      /preflight: program 7001, promotion 81001, identifierName id does not earn for customer 500000000: \d+ ".+"; no load was sent/,
    );
    expect(existsSync(join(outRoot, 'no-earn', 'k6-console.log'))).toBe(false);
  });

  it('a run k6 aborts writes no report: the last good one stays', async () => {
    const out = join(outRoot, 'down');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'report.html'), 'last good report');
    const r = await runLoad({
      target: 'http://127.0.0.1:1',
      batchSizes: [1],
      duration: durationOf(1),
      out,
      skipPreflight: true,
    });
    expect(r.ok).toBe(false);
    expect(r.written).toBe(false);
    expect(r.k6ExitCode).toBe(108);
    expect(r.k6Errors.join('\n')).toMatch(/target http:\/\/127\.0\.0\.1:1 is not reachable/);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toBe('last good report');
    expect(existsSync(join(out, 'summary.json'))).toBe(false);
  }, 60_000);

  it('--quiet, -- k6 args, --slo and --baseline in one run: a regression exits 1 and the report shows both runs', async () => {
    const io = captureIO();
    const fast = {
      schemaVersion: 1,
      target: 'http://127.0.0.1:9',
      startedAt: '2026-01-01T00:00:00.000Z',
      batches: [
        {
          batchSize: 1,
          requests: 1,
          requestsPerSecond: 1e9,
          customersPerSecond: 1e9,
          latencyMs: { p50: 1, p95: 1, p99: 1 },
          failedRequestRate: 0,
          entityFailureRate: 0,
          warningRate: 0,
          droppedIterations: 0,
        },
      ],
    };
    writeFileSync(join(outRoot, 'fast-baseline.json'), JSON.stringify(fast));
    const code = await main(
      [
        'load',
        '--batch-sizes',
        '1',
        '--duration',
        '1s',
        '--quiet',
        '--out',
        'cli',
        '--slo',
        'p95_ms<60000',
        '--slo',
        'customers_per_s>=1',
        '--baseline',
        'fast-baseline.json',
        '--max-regression',
        '10%',
        '--repeat',
        '1',
        '--',
        '--out',
        'json=points.json',
        // k6's own request cap, passed through too: the baseline and SLO verdicts need a run, not
        // a saturated one (uncapped, this second kept both cores busy and wrote ~20k JSON points).
        '--rps',
        '100',
      ],
      io,
    );
    expect(code).toBe(1);
    const err = io.stderr.join('\n');
    // Quiet: no banner, no progress, no end-of-test text; an explanation instead of raw VU warnings.
    expect(err).not.toMatch(/execution: local|running \(|█|checks\.*:/);
    expect(err).not.toMatch(/level=warning.*Insufficient VUs/);
    // The script it names is the one k6 ran, a path of this package.
    const ran = /k6 run (k6\/\w+\.ts) against /.exec(err);
    expect(ran?.[1]).toBe('k6/throughput.ts');
    expect(existsSync(join(packageRoot, ran?.[1] ?? 'none'))).toBe(true);
    const out = io.stdout.join('\n');
    expect(out).toMatch(/^\s+1 .* REGRESSED$/m);
    expect(existsSync(join(outRoot, 'points.json'))).toBe(true);
    const html = readFileSync(join(outRoot, 'cli', 'report.html'), 'utf8');
    expect(html).toContain('<section id="baseline">');
    expect(html).toContain('<tr data-baseline-batch="1">');
    expect(html).toMatch(/held: batch 1 <code>p95_ms&#60;60000<\/code>/);
    expect(html).toMatch(/held: batch 1 <code>customers_per_s&#62;=1<\/code>/);
  }, 60_000);

  it('the reports render in headless Chromium: full-width charts, nice ticks, no label over a tick, no network', async () => {
    const browser = await launchChromium({ viewport: { width: 1280, height: 900 } });
    try {
      const requests: string[] = [];
      browser.on('request', (req) => requests.push(req.url()));
      const page = await browser.newPage();
      await page.goto(`file://${throughput.reportPath}`);
      expect(await page.locator('svg').count()).toBe(3);
      const body = await page.locator('h1').boundingBox();
      for (const svg of await page.locator('svg').all()) {
        const box = await svg.boundingBox();
        expect(box?.width).toBeGreaterThan(0.95 * (body?.width ?? 0));
        expect(box?.height).toBeGreaterThan(100);
      }
      // Ticks are 1, 2, 2.5 or 5 times a power of ten, and no data label overlaps any tick text.
      const overlaps: string[] = [];
      for (const svg of await page.locator('svg').all()) {
        const boxes = async (cls: string) =>
          Promise.all(
            (await svg.locator(`text.${cls}`).all()).map(async (t) => ({
              text: await t.textContent(),
              r: (await t.boundingBox()) ?? { x: 0, y: 0, width: 0, height: 0 },
            })),
          );
        const ticks = await boxes('tick');
        for (const l of await boxes('label'))
          for (const t of ticks)
            if (
              l.r.x < t.r.x + t.r.width &&
              t.r.x < l.r.x + l.r.width &&
              l.r.y < t.r.y + t.r.height &&
              t.r.y < l.r.y + l.r.height
            )
              overlaps.push(`${l.text} over ${t.text}`);
      }
      expect(overlaps).toEqual([]);
      const ticks = await page.locator('svg').first().locator('text.tick').allTextContents();
      // y ticks come first in each chart: 0 then equal steps of 1, 2, 2.5 or 5 x 10^k.
      const values = ticks.map((t) => Number(t.replace(/,/g, '')));
      const yTicks = values.slice(
        0,
        values.findIndex((v, i) => i > 0 && v <= (values[i - 1] ?? 0)),
      );
      const step = (yTicks[1] ?? 0) - (yTicks[0] ?? 0);
      expect(yTicks[0]).toBe(0);
      for (const [i, v] of yTicks.entries()) expect(v, String(yTicks)).toBeCloseTo(i * step, 6);
      expect([1, 2, 2.5, 5]).toContain(Number((step / 10 ** Math.floor(Math.log10(step))).toFixed(3)));
      for (const b of throughput.summary.batches) {
        const row = page.locator(`tr[data-batch="${b.batchSize}"]`);
        const cells = await row.locator('td').allInnerTexts();
        expect(cells[0]).toBe(String(b.batchSize));
        expect(cells[2]).toBe(formatFigure(b.requestsPerSecond));
        expect(cells[3]).toBe(formatFigure(b.customersPerSecond));
        expect(cells[4]).toBe(formatFigure(b.issuedPerSecond));
        expect(cells[6]).toBe(formatFigure(b.latencyMs.p95));
      }
      const verdict = (await page.locator('.verdict').textContent()) ?? '';
      expect(verdict).toMatch(/Batch size \d+ issues the most customers per second/);
      const best = throughput.summary.batches.find((b) => verdict.startsWith(`Batch size ${b.batchSize} `));
      if ((best?.droppedIterations ?? 0) > 0)
        expect(verdict).toMatch(/dropped [\d,]+ iterations: the target was saturated/);
      const slos = await page.locator('#slos li').allTextContents();
      expect(slos.map((t) => Number(/batch (\d+)/.exec(t)?.[1]))).toEqual([1, 1, 1, 1, 100, 100, 100, 100]);
      await page.screenshot({ path: join(outRoot, 'throughput.png'), fullPage: true });
      if (rateReport !== '') {
        await page.goto(`file://${rateReport}`);
        const bars = page.locator('svg[aria-label^="Requests per second over the run"] rect[fill="#d4700a"]');
        expect(await bars.count()).toBeGreaterThan(1);
        await page.screenshot({ path: join(outRoot, 'rate.png'), fullPage: true });
      }
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
    [['--duration', '5x'], /--duration must be seconds or a duration from 1ms to 1h/],
    [['--duration', '2h'], /--duration must be seconds or a duration from 1ms to 1h/],
    [['--provider-rate-limit', 'fast'], /--provider-rate-limit must be a whole number/],
    [['--target', 'localhost:8080/x'], /--target must be an http/],
    [['--basic', 'nocolon'], /--basic must be USER:PASS/],
    [['--max-vus', '0'], /--max-vus must be between 1/],
    [['--customers-csv', '/dev/zero'], /--customers-csv \/dev\/zero is not a regular file/],
    [['--customers-csv', '/nonexistent.csv'], /--customers-csv \/nonexistent.csv does not exist/],
  ])('rejects %j with one line naming the flag', async (args, message) => {
    const io = captureIO();
    expect(await main(['load', ...args], io)).toBe(2);
    expect(io.stderr[0]).toMatch(message);
  });

  it('reads --customers-csv only as a bounded regular file, before k6 opens it in every VU', async () => {
    await expect(runLoad({ customersCsv: '/dev/zero', duration: durationOf(1) })).rejects.toThrow(
      /--customers-csv \/dev\/zero cannot be read: not a regular file/,
    );
    // Sparse: 65 MiB that cost no disk.
    const big = join(outRoot, 'big.csv');
    writeFileSync(big, 'identifierValue\n');
    truncateSync(big, 65 * 1024 * 1024);
    await expect(runLoad({ customersCsv: big, duration: durationOf(1) })).rejects.toThrow(
      /cannot be read: larger than 64 MiB/,
    );
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
  it('type-check with @types/k6 and no node types, in every npm test', () => {
    // npm test runs `npm run typecheck` before vitest, and that runs tsc on k6/tsconfig.json: the
    // scripts are type-checked there, once (running the same tsc here again cost ~2 s of CPU).
    const pkg = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.test?.split('&&').map((s) => s.trim())).toContain('npm run typecheck');
    expect(pkg.scripts.typecheck?.split('&&').map((s) => s.trim())).toContain(
      'tsc -p k6/tsconfig.json --noEmit',
    );
    const tsconfig = JSON.parse(readFileSync(join(packageRoot, 'k6', 'tsconfig.json'), 'utf8'));
    expect(tsconfig.compilerOptions.types).toEqual(['k6']);
    expect(tsconfig.compilerOptions.noEmit).toBe(true);
    expect(tsconfig.include).toContain('*.ts');
  });

  it('import no node: modules and no npm package', () => {
    const files = readdirSync(join(packageRoot, 'k6')).filter(
      (f) => f.endsWith('.ts') && !f.endsWith('.d.ts'),
    );
    expect(files).toContain('contract.ts');
    for (const file of files) {
      const text = readFileSync(join(packageRoot, 'k6', file), 'utf8');
      for (const [, spec] of text.matchAll(/from '([^']+)'/g)) {
        expect(spec, `${file} imports ${spec}`).toMatch(/^(k6(\/.*)?|\.\/[\w-]+\.ts)$/);
      }
    }
  });

  it('read every setting of k6/contract.ts, each falling back to its default when unset', async () => {
    // Outside k6 there is no __ENV: config.ts reads an empty environment, so every setting is its fallback.
    const { config } = (await import(join(packageRoot, 'k6', 'config.ts'))) as {
      config: Record<string, unknown>;
    };
    const contract = (await import(
      join(packageRoot, 'k6', 'contract.ts')
    )) as typeof import('../../k6/contract.ts');
    const read: Record<string, unknown> = {
      ...config,
      customersOnce: config.customersOnce === true ? '1' : '',
    };
    for (const [setting, v] of Object.entries(contract.K6_VARS)) {
      expect(read[setting], `k6/config.ts reads ${v.env} as config.${setting}`).toEqual(v.fallback);
    }
    // The Node side's defaults are the same values, not copies of them (src/config/defaults.ts).
    expect(defaults.DEFAULT_BATCH_SIZES).toBe(K6_VARS.batchSizes.fallback);
  });
});
