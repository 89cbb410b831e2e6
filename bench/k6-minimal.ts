// Benchmark baseline (npm run bench:load): the least a k6 script can do per request while sending the
// customers load/throughput.ts's pooled mode sends, so its request rate is k6's own ceiling against
// the same work on the target's side.
import http from 'k6/http';
import type { Options } from 'k6/options';
import { config } from '../load/config.ts';
import { directEarnBody, ENDPOINT_URL, JSON_HEADERS, vuPool } from '../load/payload.ts';

const batchSize = config.batchSizes[0] ?? 1;
/**
 * This VU's pooled bodies, in a plain array built in init code (the same bytes and customers as the
 * pooled mode's: a target spends more per request on many distinct customers than on one repeated
 * body, which would count against the script under test). BENCH_MINIMAL_FIXED=1: one fixed body
 * for every VU and request (customers 0..batch-1 of the range), the yardstick before that.
 */
const bodies: readonly string[] =
  __VU === 0
    ? []
    : __ENV.BENCH_MINIMAL_FIXED === '1'
      ? [directEarnBody(batchSize, 0)]
      : vuPool(batchSize, __VU);
const params = { headers: JSON_HEADERS, responseType: 'none' as const };
let i = 0;

export const options: Options = {
  scenarios: {
    minimal: {
      executor: 'constant-arrival-rate',
      rate: config.offeredMaxRps,
      timeUnit: '1s',
      duration: config.duration,
      preAllocatedVUs: config.maxVus,
      maxVUs: config.maxVus,
      gracefulStop: '1s',
    },
  },
};

export default function (): void {
  http.post(ENDPOINT_URL, bodies[i++ % bodies.length], params);
}

export function handleSummary(data: unknown): Record<string, string> {
  return config.summaryFile === '' ? {} : { [config.summaryFile]: JSON.stringify(data) };
}
