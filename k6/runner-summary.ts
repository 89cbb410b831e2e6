// The runner summary: what one k6 process of a run (a local runner or a k6-operator pod) measured, in
// figures that add up over runners: exact counts per batch size, the offered and achieved rates, its
// execution segment and a latency sketch (its shape: RunnerSummary in k6/contract.ts). `directearn
// merge` turns several into one summary.json.
import { config } from './config.ts';
import {
  RUNNER_SUMMARY_KIND,
  RUNNER_SUMMARY_VERSION,
  type RunnerBatch,
  type RunnerSummary,
} from './contract.ts';
import { batchScenarioName, offeredRps, RATE_SCENARIOS } from './profiles.ts';
import { SKETCH_RANKS, SUMMARY_RANKS, sketchOf } from './sketch.ts';

interface Metrics {
  [name: string]: { values: Record<string, number> } | undefined;
}

/** The share of the test a segment "a:b" (fractions, decimals or percentages) covers. */
export function segmentShare(segment: string): number {
  const part = (text: string): number => {
    const t = text.trim();
    if (t.endsWith('%')) return Number(t.slice(0, -1)) / 100;
    const [n, d] = t.split('/');
    return d === undefined ? Number(n) : Number(n) / Number(d);
  };
  const [from, to] = segment.includes(':') ? segment.split(':') : ['0', segment];
  return part(to ?? '1') - part(from ?? '0');
}

const count = (m: Metrics, name: string, stat = 'count'): number => m[name]?.values[stat] ?? 0;

/** The ranks of this runner's sketches: the dense grid when k6 was asked for it (k6/profiles.ts). */
const sketchRanks = (): readonly number[] => (config.latencySketch === '1' ? SKETCH_RANKS : SUMMARY_RANKS);

function batchOf(
  m: Metrics,
  batchSize: number,
  scenario: string,
  offered: number,
  share: number,
): RunnerBatch {
  const sel = (name: string, extra = ''): string => `${name}{scenario:${scenario}${extra}}`;
  const requests = count(m, sel('http_reqs'));
  const answered = count(m, sel('directearn_customers_answered'));
  const failed = count(m, sel('directearn_customers_failed'));
  const warned = count(m, sel('directearn_customers_warned'));
  const seconds = config.durationSeconds;
  return {
    batchSize,
    scenario,
    seconds,
    requests,
    failedRequests: count(m, sel('http_req_failed'), 'passes'),
    limited: count(m, sel('http_reqs', ',status:429')),
    droppedIterations: count(m, sel('dropped_iterations')),
    offeredRequestsPerSecond: Math.round(offered * share * 1000) / 1000,
    achievedRequestsPerSecond: Math.round((requests / seconds) * 1000) / 1000,
    answered,
    // A host could answer an entry both failed and warned: it is counted failed, never issued.
    issued: Math.max(0, answered - failed - warned),
    warned,
    failed,
    readEvery: Math.max(1, count(m, sel('directearn_answers_read_every'), 'value')),
    latencyMs: sketchOf(m[sel('http_req_duration')]?.values, sketchRanks()),
  };
}

/**
 * This runner's summary from k6's end-of-test data (`metrics`, `state.testRunDurationMs`), its
 * execution segment and sequence as k6 reports them (null when not given).
 */
export function runnerSummary(
  scenario: 'throughput' | 'rate',
  data: { metrics: Metrics; state?: { testRunDurationMs?: number } },
  segment: string | null,
  sequence: string | null,
): RunnerSummary {
  const m = data.metrics;
  const seg = segment === null || segment === '' ? '0:1' : segment;
  const share = segmentShare(seg);
  const identity = [
    config.programId,
    config.promoIdentifier !== '' ? config.promoIdentifier : config.promotionId,
    config.identifierName,
  ].join('/');
  const summary: RunnerSummary = {
    kind: RUNNER_SUMMARY_KIND,
    version: RUNNER_SUMMARY_VERSION,
    scenario,
    segment: seg,
    sequence: sequence ?? '',
    startedAt: new Date(Date.now() - (data.state?.testRunDurationMs ?? 0)).toISOString(),
    run: {
      target: config.baseUrl,
      batchSizes: scenario === 'rate' ? [config.rateBatchSize] : config.batchSizes,
      durationSeconds: config.durationSeconds,
      maxVus: config.maxVus,
      identity,
    },
    sketchRanks: [...sketchRanks()],
    batches:
      scenario === 'rate'
        ? [batchOf(m, config.rateBatchSize, RATE_SCENARIOS.steady, config.rateMaxRps, share)]
        : config.batchSizes.map((b) => batchOf(m, b, batchScenarioName(b), offeredRps(b), share)),
  };
  if (scenario === 'rate') {
    const honoured = m.directearn_retry_after_honoured?.values.value;
    const onset = m.directearn_rate_onset_rps?.values.min;
    summary.rate = {
      accepted: count(m, 'directearn_rate_accepted'),
      // The steady window's measured part: rate.ts leaves out its first third.
      windowSeconds: (config.durationSeconds * 2) / 3,
      limited: count(m, 'directearn_rate_limited'),
      retryAfterHonoured: honoured === undefined ? null : honoured === 1,
      onsetRps: onset === undefined ? null : onset,
    };
  }
  return summary;
}
