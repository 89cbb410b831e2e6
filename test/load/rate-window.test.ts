// The rate scenario's figures say when a limit has a per-minute window (issue 19): the real CRM's
// quotas are per minute per API key, and a Retry-After past the next second shows it. Read from
// k6 summary data shaped as k6/rate.ts writes it.
import { describe, expect, it } from 'vitest';
import { type K6SummaryData, rateFigures } from '../../src/load/read-k6-summary.js';

const data = (retryAfter: number, limit?: number): K6SummaryData => ({
  metrics: {
    directearn_rate_limited: { type: 'counter', values: { count: 12 } },
    directearn_rate_window_seconds: { type: 'gauge', values: { value: 2 } },
    directearn_rate_accepted: { type: 'counter', values: { count: 4 } },
    directearn_retry_after_seconds: { type: 'gauge', values: { value: retryAfter } },
    directearn_retry_after_honoured: { type: 'gauge', values: { value: 1 } },
    ...(limit !== undefined
      ? { directearn_ratelimit_limit: { type: 'gauge', values: { value: limit, max: limit } } }
      : {}),
  },
});

describe('rate figures: the limit window', () => {
  it('a Retry-After of 43 s is a per-minute window, with the quota from X-RateLimit-Limit', () => {
    expect(rateFigures(data(43, 100), undefined)).toMatchObject({ window: 'minute', limitPerMinute: 100 });
  });
  it('a Retry-After of 1 s is a per-second window, no per-minute figure', () => {
    const r = rateFigures(data(1, 200), 200);
    expect(r.window).toBe('second');
    expect(r.limitPerMinute).toBeUndefined();
  });
  it('a per-minute window without X-RateLimit-Limit says so by leaving the quota out', () => {
    const r = rateFigures(data(30), undefined);
    expect(r.window).toBe('minute');
    expect(r.limitPerMinute).toBeUndefined();
  });
});
