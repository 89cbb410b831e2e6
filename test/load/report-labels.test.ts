// The report's data labels in a real browser: rendered in Chromium, every label's box (getBBox) is
// measured against every tick, every other label, every point and every line of its chart. The
// summaries are the shapes that went wrong (p50 next to p95 at batch 1, a steep line through a
// label at batch 10, a small baseline value above the tick "1") and a few seeded random ones.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareRuns } from '../../src/load/baseline.js';
import { renderReport } from '../../src/load/report.js';
import type { BatchFigures, LoadSummary } from '../../src/load/summary.js';
import { launchChromium } from '../support/chromium.js';

const SIZES = [1, 10, 50, 100, 500, 1000];

function batch(batchSize: number, issued: number, p50: number, p95: number, p99: number): BatchFigures {
  return {
    batchSize,
    requests: 1000,
    requestsPerSecond: issued / batchSize,
    customersPerSecond: issued,
    issuedPerSecond: issued,
    latencyMs: { p50, p95, p99 },
    failedRequestRate: 0,
    entityFailureRate: 0,
    warningRate: 0,
    issuedRate: 1,
    droppedIterations: 0,
  };
}

const summary = (batches: BatchFigures[]): LoadSummary => ({
  schemaVersion: 3,
  target: 'http://127.0.0.1:1',
  startedAt: '2026-12-06T00:00:00.000Z',
  batches,
});

/** A small deterministic generator, so a failing shape can be rendered again. */
function seeded(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1_103_515_245 + 12_345) % 2 ** 31;
    return x / 2 ** 31;
  };
}

function randomSummary(seed: number): LoadSummary {
  const r = seeded(seed);
  return summary(
    SIZES.map((b) => {
      const p50 = 1 + r() * 40;
      const p95 = p50 * (1 + r() * (r() < 0.5 ? 0.1 : 3));
      return batch(b, 1000 + r() * 800_000, p50, p95, p95 * (1 + r()));
    }),
  );
}

/** The shapes: p50 and p95 almost equal at batch 1, steep lines at batch 10. */
const seen = summary([
  batch(1, 3_190, 5.5, 6.1, 102),
  batch(10, 15_430, 4.2, 22.9, 135.2),
  batch(50, 104_484, 4.5, 16.7, 38.9),
  batch(100, 171_333, 5, 25.6, 68.2),
  batch(500, 545_335, 9.9, 36.2, 87.5),
  batch(1000, 580_000, 21.1, 60.6, 83.3),
]);

/** Every label of every chart that covers a tick, another label, a point or a line, in words. */
const collisions = `(() => {
  const hit = (a, b) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
  const segHit = (x1, y1, x2, y2, r) => {
    let t0 = 0, t1 = 1; const dx = x2 - x1, dy = y2 - y1;
    for (const [p, q] of [[-dx, x1 - r.x], [dx, r.x + r.width - x1], [-dy, y1 - r.y], [dy, r.y + r.height - y1]]) {
      if (p === 0) { if (q < 0) return false; continue; }
      const t = q / p; if (p < 0) t0 = Math.max(t0, t); else t1 = Math.min(t1, t); if (t0 > t1) return false;
    }
    return true;
  };
  const out = [];
  for (const svg of document.querySelectorAll('svg')) {
    const title = svg.getAttribute('aria-label');
    const boxes = (sel) => [...svg.querySelectorAll(sel)].map((t) => ({ text: t.textContent, b: t.getBBox() }));
    const labels = boxes('text.label');
    const ticks = boxes('text.tick');
    const circles = [...svg.querySelectorAll('circle')].map((c) => ({ x: +c.getAttribute('cx') - 4, y: +c.getAttribute('cy') - 4, width: 8, height: 8 }));
    const lines = [...svg.querySelectorAll('polyline')].flatMap((p) => {
      const pts = p.getAttribute('points').trim().split(/\\s+/).map((xy) => xy.split(',').map(Number));
      return pts.slice(1).map((q, i) => [...pts[i], ...q]);
    });
    labels.forEach((l, i) => {
      for (const t of ticks) if (hit(l.b, t.b)) out.push(title + ': label ' + l.text + ' on tick ' + t.text);
      for (const m of labels.slice(i + 1)) if (hit(l.b, m.b)) out.push(title + ': label ' + l.text + ' on label ' + m.text);
      for (const c of circles) if (hit(l.b, c)) out.push(title + ': label ' + l.text + ' on a point');
      for (const [x1, y1, x2, y2] of lines) if (segHit(x1, y1, x2, y2, l.b)) out.push(title + ': label ' + l.text + ' on a line');
    });
  }
  return { out, labels: document.querySelectorAll('text.label').length };
})()`;

describe('report labels in Chromium', () => {
  it('no label covers a tick, another label, a point or a line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'directearn-labels-'));
    const baseline = summary(seen.batches.map((b) => ({ ...b, issuedPerSecond: b.issuedPerSecond * 0.9 })));
    const pages = [
      renderReport(seen, { scenario: 'throughput', comparison: compareRuns(seen, baseline, 0.3) }),
      ...[1, 2, 3, 4, 5, 6].map((seed) => renderReport(randomSummary(seed), { scenario: 'throughput' })),
    ];
    const browser = await launchChromium({ viewport: { width: 1280, height: 900 } });
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      let labels = 0;
      for (const [i, html] of pages.entries()) {
        const file = join(dir, `report-${i}.html`);
        writeFileSync(file, html);
        await page.goto(`file://${file}`);
        const r = (await page.evaluate(collisions)) as { out: string[]; labels: number };
        problems.push(...r.out.map((p) => `page ${i}: ${p}`));
        labels += r.labels;
      }
      expect(problems).toEqual([]);
      // Most points keep their label: leaving them all out would pass the check above.
      expect(labels).toBeGreaterThan(0.6 * pages.length * 5 * SIZES.length);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
