// `directearn load`: measure throughput per batch size, rate-limit behaviour, or smoke every case with k6.
import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import {
  DEFAULT_BATCH_SIZES,
  DEFAULT_LOAD_DURATION,
  DEFAULT_LOAD_MAX_VUS,
  DEFAULT_LOAD_RATE_MAX_RPS,
  DEFAULT_OUT_DIR,
} from '../../config/defaults.js';
import { prepareOutputDir } from '../../util/output-path.js';
import { type Command, intOption, parseFlags, stringOption, UsageError } from '../command.js';

const help = `Usage: directearn load [--scenario throughput|rate|smoke] [--target URL] [flags]

Runs k6 (load/<scenario>.ts) against the embedded reference provider, or --target, and writes
DIR/summary.json (schemaVersion 1) and DIR/report.html (charts, no network needed to open it).

  --scenario NAME          throughput (default): requests/s, customers/s and latency per batch size;
                           rate: ramps the arrival rate until 429s, reports the accepted rate and
                           whether Retry-After is honoured; smoke: every documented case once
  --target URL             base URL of the endpoint's host (env DIRECTEARN_TARGET); default: start
                           the embedded reference provider on a free loopback port
  --allow-real-issue       allow a --target that is not loopback: every request there ISSUES REAL
                           PROMOTIONS TO REAL CUSTOMERS
  --batch-sizes LIST       throughput batch sizes, comma-separated (default ${DEFAULT_BATCH_SIZES.join(',')})
  --duration D             per batch size (throughput) or per phase (rate), e.g. 5s, 500ms, 1m
                           (default ${DEFAULT_LOAD_DURATION})
  --provider-rate-limit N  embedded provider only: limit in requests/s (429 + Retry-After beyond)
  --rate-max N             rate: highest arrival rate probed, requests/s (default twice the
                           embedded provider's limit, else ${DEFAULT_LOAD_RATE_MAX_RPS})
  --max-vus N              throughput: concurrent requests at most (default ${DEFAULT_LOAD_MAX_VUS})
  --customers-csv FILE     identifier values (first column, header line) instead of the generated range
  --basic USER:PASS        Basic credentials (env DIRECTEARN_BASIC; default the suite's)
  --token TOKEN            OAuth token sent as Bearer (env DIRECTEARN_TOKEN)
  --out DIR                where the reports go (default ${DEFAULT_OUT_DIR}/load-<scenario>)

k6: PATH, else ~/.cache/directearn-tools/k6-<version>/ (\`npm run k6:install\`); when missing and Go
is installed, it is built once with \`go install\`.

Exit code: 0 every SLO threshold held (and, for smoke, every case passed), 1 a threshold crossed,
a case failed or k6 could not run, 2 bad flags.`;

/** A path relative to the working folder when inside it, else absolute. */
function shown(cwd: string, path: string): string {
  const rel = relative(cwd, path);
  return rel === '' || rel.startsWith('..') ? path : rel;
}

function batchSizes(raw: string | undefined): number[] | undefined {
  if (raw === undefined) return undefined;
  const parts = raw.split(',').map((p) => p.trim());
  return parts.map((p) => {
    if (!/^\d+$/.test(p) || Number(p) < 1 || Number(p) > 100_000) {
      throw new UsageError(
        `--batch-sizes must be whole numbers from 1 to 100000 separated by commas, got "${raw}"`,
      );
    }
    return Number(p);
  });
}

export const command: Command = {
  name: 'load',
  summary: 'measure throughput and rate behaviour with k6 and write reports',
  help,
  async run(args, io) {
    const { values } = parseFlags(args, {
      scenario: { type: 'string' },
      target: { type: 'string' },
      'allow-real-issue': { type: 'boolean' },
      'batch-sizes': { type: 'string' },
      duration: { type: 'string' },
      'provider-rate-limit': { type: 'string' },
      'rate-max': { type: 'string' },
      'max-vus': { type: 'string' },
      'customers-csv': { type: 'string' },
      basic: { type: 'string' },
      token: { type: 'string' },
      out: { type: 'string' },
    });
    const scenario = (values.scenario as string | undefined) ?? 'throughput';
    if (scenario !== 'throughput' && scenario !== 'rate' && scenario !== 'smoke') {
      throw new UsageError(`--scenario must be throughput, rate or smoke, got "${scenario}"`);
    }
    const target = stringOption(values.target, io.env, 'DIRECTEARN_TARGET');
    if (target !== undefined) {
      let url: URL;
      try {
        url = new URL(target);
      } catch {
        throw new UsageError(`--target must be a URL like http://127.0.0.1:8080, got "${target}"`);
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        throw new UsageError(`--target must be an http:// or https:// URL, got "${target}"`);
      }
    }
    const duration = values.duration as string | undefined;
    const { durationSeconds, runLoad, isLoopbackUrl } = await import('../../load/run.js');
    if (duration !== undefined) {
      const s = durationSeconds(duration);
      if (s === undefined || s <= 0 || s > 3600)
        throw new UsageError(
          `--duration must be a k6 duration from 1ms to 1h like 5s, 500ms or 1m, got "${duration}"`,
        );
    }
    const rateLimitRaw = values['provider-rate-limit'] as string | undefined;
    const providerRateLimit =
      rateLimitRaw === undefined
        ? undefined
        : intOption(rateLimitRaw, '--provider-rate-limit', 0, { min: 1, max: 1_000_000 });
    if (providerRateLimit !== undefined && target !== undefined) {
      throw new UsageError('--provider-rate-limit configures the embedded provider; drop it or --target');
    }
    const rateMaxRaw = values['rate-max'] as string | undefined;
    const rateMax =
      rateMaxRaw === undefined ? undefined : intOption(rateMaxRaw, '--rate-max', 0, { min: 2, max: 100_000 });
    const maxVusRaw = values['max-vus'] as string | undefined;
    const maxVus =
      maxVusRaw === undefined ? undefined : intOption(maxVusRaw, '--max-vus', 0, { min: 1, max: 10_000 });
    const basic = stringOption(values.basic, io.env, 'DIRECTEARN_BASIC');
    const token = stringOption(values.token, io.env, 'DIRECTEARN_TOKEN');
    if (basic !== undefined && !/^[^:]+:.*$/.test(basic)) {
      throw new UsageError('--basic must be USER:PASS (a colon between user and password)');
    }
    if (basic !== undefined && token !== undefined) throw new UsageError('give --basic or --token, not both');
    if (target !== undefined && !isLoopbackUrl(target) && values['allow-real-issue'] !== true) {
      throw new UsageError(
        `--target ${new URL(target).host} is not loopback: a load run there issues real promotions to real customers (every request earns). Add --allow-real-issue if that is intended.`,
      );
    }
    const csv = values['customers-csv'];
    if (typeof csv === 'string' && !existsSync(resolve(io.cwd, csv))) {
      throw new UsageError(`--customers-csv ${csv} does not exist`);
    }
    if (token === '') throw new UsageError('--token must not be empty');
    if (typeof values.out === 'string') prepareOutputDir(resolve(io.cwd, values.out), '--out', values.out);
    const bs = batchSizes(values['batch-sizes'] as string | undefined);
    const result = await runLoad({
      scenario,
      ...(target !== undefined ? { target } : {}),
      allowRealIssue: values['allow-real-issue'] === true,
      ...(bs !== undefined ? { batchSizes: bs } : {}),
      ...(duration !== undefined ? { duration } : {}),
      ...(providerRateLimit !== undefined ? { providerRateLimit } : {}),
      ...(rateMax !== undefined ? { rateMaxRps: rateMax } : {}),
      ...(maxVus !== undefined ? { maxVus } : {}),
      ...(typeof values['customers-csv'] === 'string' ? { customersCsv: values['customers-csv'] } : {}),
      ...(basic !== undefined ? { basic } : {}),
      ...(token !== undefined ? { token } : {}),
      ...(typeof values.out === 'string' ? { out: values.out } : {}),
      cwd: io.cwd,
      env: io.env,
      onOutput: (line) => io.err(line),
    });
    const s = result.summary;
    io.out('');
    const completed = result.k6ExitCode === 0 || result.k6ExitCode === 99;
    if (completed && s.batches.length > 0 && scenario === 'throughput') {
      io.out('batch  requests/s  customers/s  p50 ms  p95 ms  p99 ms  failed  dropped');
      for (const b of s.batches) {
        io.out(
          `${String(b.batchSize).padStart(5)}  ${b.requestsPerSecond.toFixed(1).padStart(10)}  ${b.customersPerSecond.toFixed(0).padStart(11)}  ${b.latencyMs.p50.toFixed(1).padStart(6)}  ${b.latencyMs.p95.toFixed(1).padStart(6)}  ${b.latencyMs.p99.toFixed(1).padStart(6)}  ${(b.failedRequestRate * 100).toFixed(2).padStart(5)}%  ${String(b.droppedIterations).padStart(7)}`,
        );
      }
    }
    if (s.rate !== undefined) {
      const r = s.rate;
      io.out(
        `rate: detected limit ${r.detectedLimitRps === null ? 'none (no 429 up to the probed rate)' : `${r.detectedLimitRps} requests/s`}${r.configuredLimitRps !== undefined ? ` (configured ${r.configuredLimitRps})` : ''}; Retry-After honoured: ${r.retryAfterHonoured === null ? 'not checked (no 429)' : r.retryAfterHonoured ? 'yes' : 'NO'}`,
      );
    }
    if (result.smoke !== undefined) {
      for (const [id, r] of Object.entries(result.smoke))
        io.out(`${r.passed ? 'pass' : 'FAIL'}  ${id}  ${r.passed ? '' : r.detail}`);
      for (const [id, reason] of Object.entries(result.smokeSkipped ?? {})) io.out(`skip  ${id}  ${reason}`);
    }
    for (const t of result.thresholds.filter((x) => !x.ok))
      io.out(`SLO crossed: ${t.metric} ${t.expression}`);
    if (result.k6ExitCode !== 0 && result.k6ExitCode !== 99) {
      const why = result.k6Errors.at(-1);
      io.out(`k6 did not complete the run (exit ${result.k6ExitCode})${why === undefined ? '' : `: ${why}`}`);
    }
    io.out(`summary: ${shown(io.cwd, result.summaryPath)}`);
    io.out(`report:  ${shown(io.cwd, result.reportPath)}`);
    return result.ok ? 0 : 1;
  },
};
