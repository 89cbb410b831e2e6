// Benchmark baseline (npm run bench:load): the least a k6 script can do per request, posting one
// fixed body and reading nothing, so its request rate is k6's own ceiling against the same target.
import http from 'k6/http';
import type { Options } from 'k6/options';
import { config } from '../k6/config.ts';
import { directEarnBody, ENDPOINT_URL, JSON_HEADERS } from '../k6/payload.ts';

/** Customers 0..batch-1 of the generated range, the same body for every VU and request. */
const body = __VU === 0 ? '' : directEarnBody(config.batchSizes[0] ?? 1, 0);
const params = { headers: JSON_HEADERS, responseType: 'none' as const };

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
  http.post(ENDPOINT_URL, body, params);
}

export function handleSummary(data: unknown): Record<string, string> {
  return config.summaryFile === '' ? {} : { [config.summaryFile]: JSON.stringify(data) };
}
