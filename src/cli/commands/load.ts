// `directearn load`: measure throughput per batch size, rate-limit behaviour, or smoke every case with k6.
import { relative } from 'node:path';
import { isLoopbackUrl } from '../../input/loopback.js';
import { hostOf } from '../../input/url.js';
import { comparisonLines, comparisonMarkdown } from '../../load/baseline.js';
import type { LoadResult } from '../../load/run-load.js';
import type { BatchFigures } from '../../load/summary.js';
import { writeFileSafe } from '../../util/safe-write.js';
import { type CliIO, type Command, ExitCode } from '../command.js';
import { LOAD_HELP } from './load-help.js';
import { type LoadRequest, settleLoad } from './load-options.js';

/** A path relative to the working folder when inside it, else absolute. */
function shown(cwd: string, path: string): string {
  const rel = relative(cwd, path);
  return rel === '' || rel.startsWith('..') ? path : rel;
}

export const command: Command = {
  name: 'load',
  summary: 'measure throughput and rate behaviour with k6 and write reports',
  help: LOAD_HELP,
  async run(args, io) {
    const request = settleLoad(args, io);
    if (request.emitK8s !== undefined) return await emit(request.options, request.emitK8s, io);
    const { runLoad } = await import('../../load/run-load.js');
    const result = await runLoad({ ...request.options, onOutput: (line) => io.err(line) });
    if (request.markdown !== undefined && result.comparison !== undefined)
      writeFileSafe(request.markdown, comparisonMarkdown(result.comparison, result.summary.target));
    return report(result, request.options.scenario, io);
  },
};

/** --emit-k8s: the k6-operator manifests of this run instead of the run; the kubectl commands to apply them. */
async function emit(
  options: LoadRequest['options'],
  to: { dir: string; shown: string },
  io: CliIO,
): Promise<number> {
  const { emitK8s, parallelismFromEnv } = await import('../../load/k8s.js');
  const { resolveIdentity } = await import('../../load/identity.js');
  const target = options.target as string;
  if (isLoopbackUrl(target)) {
    io.err(
      `warning: --target ${hostOf(target)} is loopback: in a runner pod that is the pod itself, not this machine; give a URL the cluster reaches`,
    );
  }
  const parallelism = options.runners ?? parallelismFromEnv(io.env);
  const emitted = emitK8s(
    to.dir,
    {
      scenario: options.scenario,
      target,
      identity: resolveIdentity(options, io.env),
      ...(options.batchSizes !== undefined ? { batchSizes: options.batchSizes } : {}),
      ...(options.duration !== undefined ? { duration: options.duration.text } : {}),
      ...(options.maxVus !== undefined ? { maxVus: options.maxVus } : {}),
      ...(options.arrivalRate !== undefined ? { arrivalRate: options.arrivalRate } : {}),
      ...(options.rateMaxRps !== undefined ? { rateMaxRps: options.rateMaxRps } : {}),
      ...(options.customersCsv !== undefined ? { customersCsv: options.customersCsv } : {}),
      ...(parallelism !== undefined ? { parallelism } : {}),
      cwd: io.cwd,
      env: io.env,
    },
    to.shown,
  );
  for (const file of emitted.files) io.out(`wrote ${shown(io.cwd, file)}`);
  for (const command of emitted.commands) io.out(`  ${command}`);
  return 0;
}

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
