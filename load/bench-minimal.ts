// Benchmark baseline (npm run bench:load): the least a k6 script can do per request, posting one
// fixed body, so the request rate of throughput.ts can be compared with k6's own ceiling.
import encoding from 'k6/encoding';
import http from 'k6/http';
import type { Options } from 'k6/options';
import { config } from './config.ts';

const batchSize = config.batchSizes[0] ?? 1;
const body = JSON.stringify({
  type: 'CUSTOMER',
  promotionDetails: { programId: config.programId, promotionId: config.promotionId },
  identifierName: 'id',
  customers: Array.from({ length: batchSize }, (_, i) => ({
    identifierValue: String(config.customerIdFirst + i),
    source: config.source,
  })),
});
const params = {
  headers: { 'Content-Type': 'application/json', Authorization: `Basic ${encoding.b64encode(config.basic)}` },
};
const url = `${config.baseUrl}${config.endpointPath}`;

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
  http.post(url, body, params);
}

export function handleSummary(data: unknown): Record<string, string> {
  return config.summaryFile === '' ? {} : { [config.summaryFile]: JSON.stringify(data) };
}
