// `directearn load`: measure throughput per batch size, rate-limit behaviour, or smoke every case with k6.
import { existsSync, statSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import {
  DEFAULT_BATCH_SIZES,
  DEFAULT_LOAD_DURATION,
  DEFAULT_LOAD_MAX_VUS,
  DEFAULT_LOAD_RATE_MAX_RPS,
  DEFAULT_OUT_DIR,
  LOAD_PROGRAM_ID,
  LOAD_PROMOTION_ID,
} from '../../config/defaults.js';
import { parseToken, parseUserPass } from '../../input/credentials.js';
import { isLoopbackUrl } from '../../input/loopback.js';
import { hostOf } from '../../input/url.js';
import {
  comparisonLines,
  comparisonMarkdown,
  DEFAULT_BASELINE_REPEAT,
  DEFAULT_MAX_REGRESSION,
  parseRegression,
} from '../../load/baseline.js';
import { PREFLIGHT_CUSTOMERS } from '../../load/identity.js';
import type { LoadOptions, LoadResult } from '../../load/run.js';
import { DEFAULT_EMBEDDED_RATE_LIMIT } from '../../load/run.js';
import { K6_GOGC } from '../../load/script-vars.js';
import { DEFAULT_SLO_TEXT, SLO_FIGURES } from '../../load/slo.js';
import { type BatchFigures, type LoadSummary, readSummary } from '../../load/summary.js';
import { BOUNDS_HELP } from '../../util/bounded-http.js';
import { prepareOutputDir, prepareOutputFile } from '../../util/output-path.js';
import { writeFileSafe } from '../../util/safe-write.js';
import {
  type CliIO,
  type Command,
  ExitCode,
  intOption,
  optionSource,
  parseFlags,
  stringOption,
  targetOption,
  UsageError,
} from '../command.js';

/** Words wrapped at 100 columns under the flag descriptions. */
function wrapped(text: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && 27 + line.length + 1 + word.length > 100) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  lines.push(line);
  return lines.map((l) => `${' '.repeat(27)}${l}`).join('\n');
}

const help = `Usage: directearn load [--scenario throughput|rate|smoke] [--target URL] [flags] [-- K6_ARGS]

Runs k6 (load/<scenario>.ts) against the embedded reference provider, or --target, and writes
DIR/summary.json (schemaVersion 3) and DIR/report.html (charts, no network needed to open it).

  --scenario NAME          throughput (default): requests/s, customers sent and ISSUED per second
                           (8890-warned customers are not issued) and latency per batch size;
                           rate: ramps the arrival rate until 429s, reports the accepted rate and
                           whether Retry-After is honoured; smoke: every documented case once
  --target URL             base URL of the endpoint's host (env DIRECTEARN_TARGET); default: start
                           the embedded reference provider on a free loopback port
  --allow-real-issue       allow a --target that is not loopback: every request there ISSUES REAL
                           PROMOTIONS TO REAL CUSTOMERS
  --batch-sizes LIST       throughput batch sizes, comma-separated (default ${DEFAULT_BATCH_SIZES.join(',')})
  --duration D             per batch size (throughput) or per phase (rate), e.g. 5s, 500ms, 1m
                           (default ${DEFAULT_LOAD_DURATION})
  --program ID             programId of every request (env DIRECTEARN_PROGRAM_ID; default
                           ${LOAD_PROGRAM_ID}, the embedded provider's)
  --promotion ID           promotionId (env DIRECTEARN_PROMOTION_ID; default ${LOAD_PROMOTION_ID})
  --promo-identifier TEXT  name the promotion by promoIdentifier instead (env DIRECTEARN_PROMO_IDENTIFIER)
  --identifier-name NAME   id, mobile or email (env DIRECTEARN_IDENTIFIER_NAME; default id)
                           Before k6 starts, one request must issue to the first ${PREFLIGHT_CUSTOMERS} customers
                           (no error, no warning 8890); otherwise the run stops with the code and
                           message the host answered.
  --provider-rate-limit N  embedded provider only: limit in requests/s (429 + Retry-After beyond);
                           a rate run against the embedded provider defaults to ${DEFAULT_EMBEDDED_RATE_LIMIT}
  --rate-max N             rate: highest arrival rate probed, requests/s (default twice the
                           embedded provider's limit, else ${DEFAULT_LOAD_RATE_MAX_RPS})
  --max-vus N              throughput: concurrent requests at most (default ${DEFAULT_LOAD_MAX_VUS})
  --arrival-rate R         throughput: offer R requests/s at every batch size (default 2,000,000
                           customers/s, at most 5,000 requests/s: above what one target serves)
  --runners N              throughput, rate: N k6 processes on this machine, each with the execution
                           segment the k6-operator gives runner pod i of N (arrival rate and VUs
                           split between them); each leaves DIR/runner-<i>/runner-summary.json, and
                           they are merged as \`directearn merge\` does (SLOs judged on the whole run).
                           With --emit-k8s: the TestRun's parallelism
  --customers-csv FILE     identifier values (first column, header line) instead of the generated range
  --basic USER:PASS        Basic credentials (env DIRECTEARN_BASIC; default the suite's)
  --token TOKEN            OAuth token sent as Bearer (env DIRECTEARN_TOKEN)
  --oauth-key KEY          OAuth key (env DIRECTEARN_OAUTH_KEY) and secret (--oauth-secret, env
  --oauth-secret SECRET    DIRECTEARN_OAUTH_SECRET): a token is generated at /v3/oauth/token/generate
                           before the run and sent in X-CAP-API-OAUTH-TOKEN; every k6 VU renews
                           its own before ttlSeconds run out (at a random point between half and
                           four fifths of it). Neither is written to any report or log
  --out DIR                where the reports go (default ${DEFAULT_OUT_DIR}/load-<scenario>); a run k6
                           does not complete writes nothing there, so the last good report stays
  --emit-k8s DIR           write DIR/configmap.yaml and DIR/testrun.yaml (k6-operator) for this
                           scenario, batch sizes, identity and --target instead of running;
                           runner pods: env DIRECTEARN_K8S_PARALLELISM (default 4)
  --slo EXPR               an SLO checked at every batch size (repeatable): FIGURE OP NUMBER, OP
${wrapped(`one of < <= > >= ==; FIGURE one of ${Object.keys(SLO_FIGURES).join(' ')} (shares as 0..1). Default: ${DEFAULT_SLO_TEXT.join(' ')} (k6/thresholds.ts)`)}
  --slo-file FILE          SLOs one per line (# comments); with --slo, both apply
  --baseline PATH          an earlier summary.json (repeatable: their runs are pooled): prints issued/s
                           and p95 per batch size, baseline -> now; the report shows both runs. A
                           change is a regression only when it is beyond --max-regression AND every
                           run now is worse than every baseline run (min/max across repeats); the
                           verdict line says how sure it is
  --max-regression P       allowed regression against --baseline (default ${(DEFAULT_MAX_REGRESSION * 100).toFixed(0)}%, from the noise
                           of identical runs measured on a shared machine: README "Baseline")
  --repeat N               throughput: run every batch size N times (default 1, with --baseline
                           ${DEFAULT_BASELINE_REPEAT}); summary.json keeps each run's issued/s and p95 (repeats), the
                           spread --baseline judges by
  --markdown FILE          with --baseline: also write the comparison as Markdown (a PR comment)
  --quiet                  hide k6's banner, progress and end-of-test text; k6 errors still show
  -- K6_ARGS               passed to \`k6 run\` as is, e.g. -- --out json=points.json. k6's own variables
                           work too: K6_OUT=json=points.json, K6_WEB_DASHBOARD=true (live dashboard on
                           http://127.0.0.1:5665, K6_WEB_DASHBOARD_EXPORT=report.html to keep it)

k6: PATH, else ~/.cache/directearn-tools/k6-<version>/ (\`npm run k6:install\`); when missing and Go
is installed, it is built once with \`go install\`.
k6 runs with GOGC=${K6_GOGC} (Go's collector a quarter as often: less generator CPU per request, ~60 MB
more memory); a GOGC in the environment wins, also for --emit-k8s.

${BOUNDS_HELP} k6 follows no redirect
either (maxRedirects: 0); it has no size cap, so the smoke reaches a --target through the bounded
relay (answers over 1 MiB refused), and throughput and rate discard every body they do not read.

Exit code: 0 every SLO held (smoke: every case passed; rate: a limit was found and Retry-After
honoured; --baseline: no regression beyond --max-regression and the runs' spread), 1 an SLO crossed, a case failed, a
regression, a batch size mostly did not issue (warned 8890 or failed), the preflight did not issue
or k6 did not complete, 2 bad flags, 3 the target could not
be reached or refused the credentials.`;

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
  async run(allArgs, io) {
    // Everything after `--` is k6's.
    const split = allArgs.indexOf('--');
    const args = split < 0 ? allArgs : allArgs.slice(0, split);
    const k6Args = split < 0 ? [] : allArgs.slice(split + 1);
    const { values } = parseFlags(args, {
      program: { type: 'string' },
      promotion: { type: 'string' },
      'promo-identifier': { type: 'string' },
      'identifier-name': { type: 'string' },
      slo: { type: 'string', multiple: true },
      'slo-file': { type: 'string' },
      baseline: { type: 'string', multiple: true },
      repeat: { type: 'string' },
      markdown: { type: 'string' },
      'max-regression': { type: 'string' },
      quiet: { type: 'boolean' },
      scenario: { type: 'string' },
      target: { type: 'string' },
      'allow-real-issue': { type: 'boolean' },
      'batch-sizes': { type: 'string' },
      duration: { type: 'string' },
      'provider-rate-limit': { type: 'string' },
      'rate-max': { type: 'string' },
      'max-vus': { type: 'string' },
      'arrival-rate': { type: 'string' },
      runners: { type: 'string' },
      'customers-csv': { type: 'string' },
      basic: { type: 'string' },
      token: { type: 'string' },
      'oauth-key': { type: 'string' },
      'oauth-secret': { type: 'string' },
      out: { type: 'string' },
      'emit-k8s': { type: 'string' },
    });
    const scenario = (values.scenario as string | undefined) ?? 'throughput';
    if (scenario !== 'throughput' && scenario !== 'rate' && scenario !== 'smoke') {
      throw new UsageError(`--scenario must be throughput, rate or smoke, got "${scenario}"`);
    }
    const target = targetOption(values.target, io.env);
    const duration = values.duration as string | undefined;
    const { durationSeconds, runLoad } = await import('../../load/run.js');
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
    const arrivalRaw = values['arrival-rate'] as string | undefined;
    const arrivalRate =
      arrivalRaw === undefined
        ? undefined
        : intOption(arrivalRaw, '--arrival-rate', 0, { min: 1, max: 1_000_000 });
    if (arrivalRate !== undefined && scenario !== 'throughput')
      throw new UsageError('--arrival-rate is for the throughput scenario');
    const runnersRaw = values.runners as string | undefined;
    const runners =
      runnersRaw === undefined ? undefined : intOption(runnersRaw, '--runners', 0, { min: 1, max: 64 });
    if (runners !== undefined && runners > 1 && scenario === 'smoke')
      throw new UsageError('--runners: the smoke runs on one runner');
    const basic = stringOption(values.basic, io.env, 'DIRECTEARN_BASIC');
    const token = stringOption(values.token, io.env, 'DIRECTEARN_TOKEN');
    if (basic !== undefined) parseUserPass(basic, optionSource(values.basic, '--basic', 'DIRECTEARN_BASIC'));
    if (basic !== undefined && token !== undefined) throw new UsageError('give --basic or --token, not both');
    const { oauthOption } = await import('../../client/oauth.js');
    const oauth = oauthOption(
      values['oauth-key'] as string | undefined,
      values['oauth-secret'] as string | undefined,
      io.env,
    );
    if (oauth !== undefined && (basic !== undefined || token !== undefined))
      throw new UsageError('give --oauth-key/--oauth-secret or --basic/--token, not both');
    if (target !== undefined && !isLoopbackUrl(target) && values['allow-real-issue'] !== true) {
      throw new UsageError(
        `--target ${hostOf(target)} is not loopback: a load run there issues real promotions to real customers (every request earns). Add --allow-real-issue if that is intended.`,
      );
    }
    const csv = values['customers-csv'];
    if (typeof csv === 'string') {
      const path = resolve(io.cwd, csv);
      if (!existsSync(path)) throw new UsageError(`--customers-csv ${csv} does not exist`);
      // k6 opens it again in every VU: a pipe or a device would read differently (or forever).
      if (!statSync(path).isFile()) throw new UsageError(`--customers-csv ${csv} is not a regular file`);
    }
    if (token !== undefined) parseToken(token, optionSource(values.token, '--token', 'DIRECTEARN_TOKEN'));
    if (typeof values.out === 'string') prepareOutputDir(resolve(io.cwd, values.out), '--out', values.out);
    if (typeof values.markdown === 'string')
      prepareOutputFile(resolve(io.cwd, values.markdown), '--markdown', values.markdown);
    const bs = batchSizes(values['batch-sizes'] as string | undefined);
    const extra = await runExtras(values, io);
    const quiet = values.quiet === true;
    if (typeof values['emit-k8s'] === 'string') {
      if (target === undefined)
        throw new UsageError('--emit-k8s needs --target: the runner pods load that host');
      if (oauth !== undefined)
        throw new UsageError(
          '--emit-k8s cannot take --oauth-key/--oauth-secret: the manifests would hold the secret; use --token',
        );
      const { emitK8s, parallelismFromEnv } = await import('../../load/k8s.js');
      const { resolveIdentity } = await import('../../load/identity.js');
      const parallelism = runners ?? parallelismFromEnv(io.env);
      if (isLoopbackUrl(target)) {
        io.err(
          `warning: --target ${hostOf(target)} is loopback: in a runner pod that is the pod itself, not this machine; give a URL the cluster reaches`,
        );
      }
      const emitted = emitK8s(
        resolve(io.cwd, values['emit-k8s']),
        {
          scenario,
          target,
          identity: resolveIdentity(extra, io.env),
          ...(bs !== undefined ? { batchSizes: bs } : {}),
          ...(duration !== undefined ? { duration } : {}),
          ...(maxVus !== undefined ? { maxVus } : {}),
          ...(arrivalRate !== undefined ? { arrivalRate } : {}),
          ...(rateMax !== undefined ? { rateMaxRps: rateMax } : {}),
          ...(typeof csv === 'string' ? { customersCsv: csv } : {}),
          ...(parallelism !== undefined ? { parallelism } : {}),
          cwd: io.cwd,
          env: io.env,
        },
        values['emit-k8s'],
      );
      for (const file of emitted.files) io.out(`wrote ${shown(io.cwd, file)}`);
      for (const command of emitted.commands) io.out(`  ${command}`);
      return 0;
    }
    const result = await runLoad({
      ...extra,
      k6Args,
      quiet,
      scenario,
      ...(target !== undefined ? { target } : {}),
      allowRealIssue: values['allow-real-issue'] === true,
      ...(bs !== undefined ? { batchSizes: bs } : {}),
      ...(duration !== undefined ? { duration } : {}),
      ...(providerRateLimit !== undefined ? { providerRateLimit } : {}),
      ...(rateMax !== undefined ? { rateMaxRps: rateMax } : {}),
      ...(maxVus !== undefined ? { maxVus } : {}),
      ...(arrivalRate !== undefined ? { arrivalRate } : {}),
      ...(runners !== undefined ? { runners } : {}),
      ...(typeof values['customers-csv'] === 'string' ? { customersCsv: values['customers-csv'] } : {}),
      ...(basic !== undefined ? { basic } : {}),
      ...(token !== undefined ? { token } : {}),
      ...(oauth !== undefined ? { oauth } : {}),
      ...(typeof values.out === 'string' ? { out: values.out } : {}),
      cwd: io.cwd,
      env: io.env,
      onOutput: (line) => io.err(line),
    });
    if (typeof values.markdown === 'string' && result.comparison !== undefined) {
      writeFileSafe(
        resolve(io.cwd, values.markdown),
        comparisonMarkdown(result.comparison, result.summary.target),
      );
    }
    return report(result, scenario, io);
  },
};

const share = (n: number): string => `${(n * 100).toFixed(1).padStart(5)}%`;

/**
 * The throughput table: customers sent and issued per second, then how the answered customers
 * split: issued, warned (8890: not issued) and failed (an error entry).
 */
export function figureLines(batches: BatchFigures[]): string[] {
  return [
    'batch  requests/s  sent/s  issued/s  issued  warned  failed  p50 ms  p95 ms  p99 ms  failed req  dropped',
    ...batches.map(
      (b) =>
        `${String(b.batchSize).padStart(5)}  ${b.requestsPerSecond.toFixed(1).padStart(10)}  ${b.customersPerSecond.toFixed(0).padStart(6)}  ${b.issuedPerSecond.toFixed(0).padStart(8)}  ${share(b.issuedRate)}  ${share(b.warningRate)}  ${share(b.entityFailureRate)}  ${b.latencyMs.p50.toFixed(1).padStart(6)}  ${b.latencyMs.p95.toFixed(1).padStart(6)}  ${b.latencyMs.p99.toFixed(1).padStart(6)}  ${share(b.failedRequestRate).padStart(9)}  ${String(b.droppedIterations).padStart(7)}`,
    ),
  ];
}

/** The run's figures, verdicts and files, on stdout; the exit code. */
function report(result: LoadResult, scenario: string, io: CliIO): number {
  const s = result.summary;
  io.out('');
  if (!result.written) {
    const why = result.k6Errors.at(-1);
    io.out(
      `k6 did not complete the run (exit ${result.k6ExitCode})${why === undefined ? '' : `: ${why}`}; nothing written, the last good report stays at ${shown(io.cwd, result.reportPath)}`,
    );
    return why !== undefined && /not reachable|refused the credentials/.test(why)
      ? ExitCode.unreachable
      : ExitCode.failed;
  }
  if (s.batches.length > 0 && scenario === 'throughput') {
    for (const line of figureLines(s.batches)) io.out(line);
  }
  for (const why of result.notIssued) io.out(`NOT ISSUED: ${why}`);
  if (s.rate !== undefined) {
    const r = s.rate;
    const offered = s.batches[0]?.offeredRequestsPerSecond;
    if (r.window === 'minute')
      io.out(
        `rate: the limit has a per-minute window (Retry-After pointed past the next second): ${r.limitPerMinute !== undefined ? `${r.limitPerMinute} requests/min (${Number((r.limitPerMinute / 60).toFixed(2))}/s), from X-RateLimit-Limit` : 'the target did not state it (no X-RateLimit-Limit)'}; plan under it with plan --rate-limit N/min`,
      );
    io.out(
      r.detectedLimitRps === null
        ? `rate: could not measure a limit: no 429 up to ${offered ?? 'the probed'} requests/s offered (raise --rate-max)`
        : `rate: detected limit ${r.detectedLimitRps} requests/s${r.configuredLimitRps !== undefined ? ` (configured ${r.configuredLimitRps})` : ''}; ${r.refusedRequests ?? 0} requests refused with 429; Retry-After honoured: ${r.retryAfterHonoured === null ? 'not checked (no 429)' : r.retryAfterHonoured ? 'yes' : 'NO'}`,
    );
  }
  if (result.smoke !== undefined) {
    for (const [id, r] of Object.entries(result.smoke))
      io.out(`${r.passed ? 'pass' : 'FAIL'}  ${id}  ${r.passed ? '' : r.detail}`);
    for (const [id, reason] of Object.entries(result.smokeSkipped ?? {})) io.out(`skip  ${id}  ${reason}`);
    for (const t of result.thresholds.filter((x) => !x.ok))
      io.out(`SLO crossed: ${t.metric} ${t.expression}`);
  }
  for (const c of result.runners?.coverage ?? []) io.out(`COVERAGE: ${c}`);
  if (result.runners !== undefined) {
    const worst = Math.max(0, ...result.runners.rankBounds.map((r) => r.points));
    io.out(
      `${result.runners.files.length} runners merged (${result.runners.files.map((f) => shown(io.cwd, f)).join(', ')}); percentiles within ±${worst.toFixed(2)} percentile points of the pooled samples' exact ones`,
    );
  }
  for (const t of result.slos.filter((x) => !x.ok))
    io.out(`SLO crossed: batch ${t.batchSize} ${t.slo} (measured ${t.measured})`);
  if (result.comparison !== undefined) for (const line of comparisonLines(result.comparison)) io.out(line);
  io.out(`summary: ${shown(io.cwd, result.summaryPath)}`);
  io.out(`report:  ${shown(io.cwd, result.reportPath)}`);
  if (result.comparison !== undefined && result.comparison.deltas.length === 0) return ExitCode.failed;
  return result.ok ? ExitCode.ok : ExitCode.failed;
}

type Values = Record<string, string | boolean | string[] | undefined>;

/** The identity, SLO and baseline options of a run, from flags (and variables for the identity). */
async function runExtras(values: Values, io: CliIO): Promise<Partial<LoadOptions>> {
  const id = (flag: string): number | undefined => {
    const raw = values[flag];
    return typeof raw === 'string' ? intOption(raw, `--${flag}`, 0, { min: 0 }) : undefined;
  };
  const { resolveIdentity } = await import('../../load/identity.js');
  const { parseSlo, readSloFile } = await import('../../load/slo.js');
  const identityOptions = {
    ...(id('program') !== undefined ? { programId: id('program') } : {}),
    ...(id('promotion') !== undefined ? { promotionId: id('promotion') } : {}),
    ...(typeof values['promo-identifier'] === 'string'
      ? { promoIdentifier: values['promo-identifier'] }
      : {}),
    ...(typeof values['identifier-name'] === 'string' ? { identifierName: values['identifier-name'] } : {}),
  };
  resolveIdentity(identityOptions, io.env); // bad flags or variables fail here, before k6 is looked for
  const fromFlags = ((values.slo as string[] | undefined) ?? []).map((s) => parseSlo(s));
  const fromFile =
    typeof values['slo-file'] === 'string' ? readSloFile(resolve(io.cwd, values['slo-file'])) : [];
  const slos = [...fromFile, ...fromFlags];
  let maxRegression: number | undefined;
  if (typeof values['max-regression'] === 'string') {
    maxRegression = parseRegression(values['max-regression']);
    if (maxRegression === undefined)
      throw new UsageError(
        `--max-regression must be a percentage like 10%, got "${values['max-regression']}"`,
      );
  }
  let baseline: LoadSummary[] | undefined;
  const baselinePaths = (values.baseline as string[] | undefined) ?? [];
  if (baselinePaths.length > 0) {
    try {
      baseline = baselinePaths.map((p) => readSummary(resolve(io.cwd, p), '--baseline'));
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  } else if (maxRegression !== undefined) throw new UsageError('--max-regression goes with --baseline');
  if (typeof values.markdown === 'string' && baseline === undefined)
    throw new UsageError('--markdown writes the --baseline comparison: give --baseline too');
  const repeat =
    typeof values.repeat === 'string'
      ? intOption(values.repeat, '--repeat', 1, { min: 1, max: 20 })
      : undefined;
  return {
    ...identityOptions,
    ...(slos.length > 0 ? { slos } : {}),
    ...(baseline !== undefined ? { baseline } : {}),
    ...(maxRegression !== undefined ? { maxRegression } : {}),
    ...(repeat !== undefined ? { repeat } : {}),
  };
}
