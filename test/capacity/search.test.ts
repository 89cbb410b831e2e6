// The capacity search on its own (src/capacity/search.ts), against hosts described by a function of
// the offered rate: where it ends, what bounds it, and that it never passes the budget or step cap.
import { describe, expect, it } from 'vitest';
import { type Judged, type Phase, type SearchOptions, searchCapacity } from '../../src/capacity/search.js';

interface S extends Judged {
  phase: Phase;
}

/** A host that is good up to `knee` customers/s and `beyond` past it. */
const host =
  (knee: number, beyond: Judged['verdict'] = 'latency') =>
  async (rate: number, phase: Phase): Promise<S> => ({
    offeredCustomersPerSecond: rate,
    verdict: rate <= knee ? 'good' : beyond,
    phase,
  });

const OPTS: SearchOptions = { startRate: 100, maxRate: 1e6, resolution: 0.05, maxSteps: 30 };

describe('capacity search', () => {
  it('doubles up to the first bad step, bisects to the resolution, and confirms the rate found', async () => {
    const r = await searchCapacity(host(2000), OPTS);
    expect(r.boundBy).toBe('latency');
    expect(r.found?.phase).toBe('confirm');
    const found = r.found?.offeredCustomersPerSecond as number;
    expect(found).toBeLessThanOrEqual(2000);
    expect(found).toBeGreaterThan(2000 / 1.05);
    expect(r.steps.slice(0, 6).map((s) => s.offeredCustomersPerSecond)).toEqual([
      100, 200, 400, 800, 1600, 3200,
    ]);
    expect(r.steps.slice(6, -1).every((s) => s.phase === 'binary')).toBe(true);
  });

  it('goes down from a bad first step, and reports no capacity when nothing holds', async () => {
    const down = await searchCapacity(host(30), OPTS);
    expect(down.steps.slice(0, 3).map((s) => [s.offeredCustomersPerSecond, s.phase])).toEqual([
      [100, 'up'],
      [50, 'down'],
      [25, 'down'],
    ]);
    expect((down.found?.offeredCustomersPerSecond as number) / 30).toBeGreaterThan(0.95);
    const none = await searchCapacity(host(1, 'errors'), OPTS);
    expect(none.found).toBeUndefined();
    expect(none.boundBy).toBe('errors');
  });

  it('ends at a rate limit or the generator without bisecting: neither is the host’s capacity', async () => {
    for (const beyond of ['rate-limit', 'generator'] as const) {
      const r = await searchCapacity(host(500, beyond), OPTS);
      expect(r.boundBy).toBe(beyond);
      // The generator's limit is the one a step shows twice in a row (see the next test).
      expect(r.steps.map((s) => s.offeredCustomersPerSecond)).toEqual(
        beyond === 'generator' ? [100, 200, 400, 800, 800] : [100, 200, 400, 800],
      );
      expect(r.found?.offeredCustomersPerSecond).toBe(400);
    }
  });

  it('runs a step k6 could not send once more: a starved moment of the generator is not its limit', async () => {
    let hiccups = 1;
    const r = await searchCapacity<S>(async (rate, phase) => {
      const s = await host(2000)(rate, phase);
      if (rate === 800 && hiccups-- > 0) return { ...s, verdict: 'generator' };
      return s;
    }, OPTS);
    expect(r.boundBy).toBe('latency');
    expect(r.steps.slice(0, 6).map((s) => [s.offeredCustomersPerSecond, s.verdict])).toEqual([
      [100, 'good'],
      [200, 'good'],
      [400, 'good'],
      [800, 'generator'],
      [800, 'good'],
      [1600, 'good'],
    ]);
    expect(r.found?.offeredCustomersPerSecond as number).toBeGreaterThan(2000 / 1.05);
  });

  it('stops at --max-rate when it holds there (bound by max-rate), confirmed', async () => {
    const r = await searchCapacity(host(1e9), { ...OPTS, maxRate: 1000 });
    expect(r.boundBy).toBe('max-rate');
    expect(r.steps.map((s) => s.offeredCustomersPerSecond)).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('stops before a step the budget cannot pay and says so; never more steps than maxSteps', async () => {
    let spent = 0;
    const r = await searchCapacity<S>(async (rate, phase) => {
      if (spent + rate > 1000) return 'budget';
      spent += rate;
      return host(2000)(rate, phase);
    }, OPTS);
    expect(spent).toBeLessThanOrEqual(1000);
    expect(r.boundBy).toBe('budget');
    expect(r.note).toMatch(/budget/);
    const capped = await searchCapacity(host(2000), { ...OPTS, maxSteps: 4 });
    expect(capped.steps).toHaveLength(4);
    expect(capped.note).toMatch(/4 steps/);
  });

  it('when the confirmation fails, searches below it once more, then reports the good step below and says so', async () => {
    let confirmations = 0;
    const r = await searchCapacity<S>(async (rate, phase) => {
      if (phase === 'confirm') confirmations++;
      return {
        offeredCustomersPerSecond: rate,
        verdict: phase === 'confirm' || rate > 2000 ? 'latency' : 'good',
        phase,
      };
    }, OPTS);
    expect(confirmations).toBe(2);
    expect(r.note).toMatch(/confirmation step/);
    expect(r.found?.phase).not.toBe('confirm');
  });

  it('ends the binary search when the middle offers what a bound did (steps are whole requests)', async () => {
    // Steps of 10 requests/s granularity: the rates 100, 110, ... only.
    const quantize = (rate: number) => Math.round(rate / 10) * 10;
    const r = await searchCapacity<S>((rate, phase) => host(2004)(quantize(rate), phase), {
      ...OPTS,
      startRate: 1000,
      resolution: 0.001,
      quantize,
    });
    const rates = r.steps.map((s) => s.offeredCustomersPerSecond);
    expect(new Set(rates.slice(0, -1)).size).toBe(rates.length - 1);
    expect(r.found?.offeredCustomersPerSecond).toBe(2000);
  });

  it('a confirmation that fails once (noise at the edge) sends the search below it, where the next one holds', async () => {
    let confirmations = 0;
    const r = await searchCapacity<S>(async (rate, phase) => {
      const flaky = phase === 'confirm' && confirmations++ === 0;
      return { offeredCustomersPerSecond: rate, verdict: flaky || rate > 2000 ? 'latency' : 'good', phase };
    }, OPTS);
    expect(confirmations).toBe(2);
    expect(r.found?.phase).toBe('confirm');
    expect(r.note).toBeUndefined();
    expect((r.found?.offeredCustomersPerSecond as number) / 2000).toBeGreaterThan(0.85);
  });
});
