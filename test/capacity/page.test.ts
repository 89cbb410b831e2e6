// capacity.html in a real browser (Chromium): per batch size two charts with one point per step and
// the knee marked, every step in the table, and text the target sent shown as text, never markup.

import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderCapacityPage } from '../../src/capacity/page.js';
import type { CapacityResult } from '../../src/capacity/result.js';
import type { CapacityStep } from '../../src/capacity/step.js';
import { launchChromium } from '../support/chromium.js';

const step = (
  offered: number,
  issued: number,
  p95: number,
  verdict: CapacityStep['verdict'],
  phase: CapacityStep['phase'],
): CapacityStep => ({
  phase,
  verdict,
  offeredCustomersPerSecond: offered,
  offeredRequestsPerSecond: offered / 10,
  achievedRequestsPerSecond: offered / 10,
  servedRequestsPerSecond: issued / 10,
  issuedPerSecond: issued,
  requests: 30,
  customersSent: 300,
  latencyMs: { p50: p95 / 2, p95, p99: p95 * 1.2 },
  errorShare: verdict === 'errors' ? 0.2 : 0,
  rateLimitedShare: 0,
  warnedShare: 0,
  failedCustomerShare: 0,
  droppedIterations: 0,
  vus: 3,
  maxVus: 500,
  ...(verdict === 'good' ? {} : { reason: 'SLO failed_requests<0.01 crossed (measured 0.2)' }),
});

const result: CapacityResult = {
  schemaVersion: 1,
  target: 'http://127.0.0.1:1/<img src=x onerror="document.title=1">',
  startedAt: '2026-12-06T08:00:00.000Z',
  slos: ['p95_ms<500', 'failed_requests<0.01'],
  stepSeconds: 3,
  maxVus: 500,
  customersSent: 1500,
  batches: [
    {
      batchSize: 10,
      issuedPerSecond: 2480,
      requestsPerSecond: 248,
      boundBy: 'errors',
      isHostCapacity: true,
      steps: [
        step(1250, 1250, 16, 'good', 'up'),
        step(2500, 2482, 84, 'good', 'up'),
        step(5000, 2534, 412, 'errors', 'up'),
        step(2650, 2480, 280, 'good', 'binary'),
        step(2650, 2480, 287, 'good', 'confirm'),
      ],
    },
  ],
};

let browser: BrowserContext;
beforeAll(async () => {
  browser = await launchChromium({ viewport: { width: 1280, height: 900 } });
});
afterAll(async () => {
  await browser?.close();
});

describe('capacity.html', () => {
  it('draws one point per step on both charts, marks the knee, lists every step and shows the target as text', async () => {
    const page = await browser.newPage();
    await page.setContent(renderCapacityPage(result));
    expect(await page.locator('section svg').count()).toBe(2);
    expect(await page.locator('section svg').first().locator('circle').count()).toBe(5);
    expect(await page.locator('section svg').nth(1).locator('circle.bad').count()).toBe(1);
    expect(await page.locator('section svg text.k').first().textContent()).toBe('knee 2,650');
    expect(await page.locator('tbody tr').count()).toBe(5);
    expect(await page.locator('section p').first().textContent()).toContain(
      'sustains 2,480 issued customers/s',
    );
    // The target's text is text: no element was made from it, no script ran.
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.title()).toContain('<img src=x');
    // Every point lies inside its chart.
    for (const svg of await page.locator('section svg').all()) {
      const frame = await svg.boundingBox();
      for (const circle of await svg.locator('circle').all()) {
        const box = await circle.boundingBox();
        expect(frame !== null && box !== null).toBe(true);
        if (frame === null || box === null) continue;
        expect(box.x).toBeGreaterThanOrEqual(frame.x);
        expect(box.y).toBeGreaterThanOrEqual(frame.y);
        expect(box.x + box.width).toBeLessThanOrEqual(frame.x + frame.width);
        expect(box.y + box.height).toBeLessThanOrEqual(frame.y + frame.height);
      }
    }
    await page.close();
  });
});
