// The capacity search of one batch size, apart from k6 so it can be tested on its own: exponential
// steps up from the start rate until a step is bad, then a binary search between the last good and
// the first bad step, and a confirmation step at the rate found (Nighthawk's adaptive load
// controller does the same for Envoy). Rates are offered customers per second.

/** Why a step was not good, or why the search ended. */
export type StepVerdict = 'good' | 'latency' | 'errors' | 'rate-limit' | 'generator';
export type BoundBy = 'latency' | 'errors' | 'rate-limit' | 'generator' | 'max-rate' | 'budget';

/** What the search needs of a step: its offered rate and verdict (the figures ride along). */
export interface Judged {
  offeredCustomersPerSecond: number;
  verdict: StepVerdict;
}

export type Phase = 'up' | 'down' | 'binary' | 'confirm';

export interface SearchOptions {
  /** First offered rate, customers/s. */
  startRate: number;
  /** Highest rate offered; a good step there ends the search bound by `max-rate`. */
  maxRate: number;
  /** The binary search stops when (bad - good) / good is at most this (e.g. 0.05). */
  resolution: number;
  /** Steps at most, confirmation included. */
  maxSteps: number;
  /** Halvings below the start rate when the first step is bad. */
  maxDown?: number;
  /**
   * The rate a step at `rate` really offers (a whole number of requests per step): the binary
   * search ends when the middle offers what a bound already did. Default: the rate itself.
   */
  quantize?: (rate: number) => number;
}

export interface SearchResult<S extends Judged> {
  /** The confirmed good step the capacity is read from; undefined when no step was good. */
  found: S | undefined;
  boundBy: BoundBy;
  /** Every step in the order run. */
  steps: S[];
  /** Why the search ended early, in a sentence (budget, step cap, failed confirmation). */
  note?: string;
}

/**
 * Runs the search; `measure` runs one step at an offered rate and returns it judged, or 'budget'
 * when the customer budget cannot pay for it (the search then stops and says so).
 */
export async function searchCapacity<S extends Judged>(
  measure: (rate: number, phase: Phase) => Promise<S | 'budget'>,
  o: SearchOptions,
): Promise<SearchResult<S>> {
  const steps: S[] = [];
  let good: S | undefined;
  let bad: S | undefined;
  let stopped: string | undefined;
  const run = async (rate: number, phase: Phase): Promise<S | undefined> => {
    if (steps.length >= o.maxSteps) {
      stopped ??= `stopped after ${o.maxSteps} steps (--max-steps)`;
      return undefined;
    }
    const s = await measure(rate, phase);
    if (s === 'budget') {
      stopped = 'stopped at the customer budget (--budget-customers): the next step would have exceeded it';
      return undefined;
    }
    steps.push(s);
    return s;
  };
  const done = (found: S | undefined, boundBy: BoundBy): SearchResult<S> => ({
    found,
    boundBy,
    steps,
    ...(stopped !== undefined ? { note: stopped } : {}),
  });

  // Up: double until a step is bad or the ceiling holds.
  let maxRateHeld = false;
  for (let rate = Math.min(o.startRate, o.maxRate); ; rate = Math.min(rate * 2, o.maxRate)) {
    const s = await run(rate, 'up');
    // Stopped while still climbing: what held so far is a lower bound only.
    if (s === undefined) return done(good, 'budget');
    if (s.verdict !== 'good') {
      bad = s;
      break;
    }
    good = s;
    if (rate >= o.maxRate) {
      maxRateHeld = true;
      break;
    }
  }
  // A rate limit or the generator ends the search: neither is the host's capacity to bisect.
  const final = (b: S | undefined) =>
    b !== undefined && (b.verdict === 'rate-limit' || b.verdict === 'generator');
  // Down: the first step was already bad.
  if (good === undefined && bad !== undefined && !final(bad)) {
    let rate = bad.offeredCustomersPerSecond;
    for (let i = 0; i < (o.maxDown ?? 3); i++) {
      rate /= 2;
      const s = await run(rate, 'down');
      if (s === undefined) break;
      if (s.verdict === 'good') {
        good = s;
        break;
      }
      bad = s;
      if (final(bad)) break;
    }
  }
  if (good === undefined) return done(undefined, bound((bad as S).verdict));
  if (maxRateHeld) {
    const c = await run(good.offeredCustomersPerSecond, 'confirm');
    return c?.verdict === 'good'
      ? done(c, 'max-rate')
      : done(good, c === undefined ? 'max-rate' : bound(c.verdict));
  }
  // Binary between the last good and the first bad, then a confirmation at the rate found. A
  // failed confirmation is a bad step: the search goes on below it (twice at most), since the step
  // it repeated was good by a margin the noise can take away.
  let lo: S = good;
  for (let attempt = 0; ; attempt++) {
    while (
      bad !== undefined &&
      !final(bad) &&
      (bad.offeredCustomersPerSecond - lo.offeredCustomersPerSecond) / lo.offeredCustomersPerSecond >
        o.resolution
    ) {
      const mid = (lo.offeredCustomersPerSecond + bad.offeredCustomersPerSecond) / 2;
      const offered = o.quantize?.(mid) ?? mid;
      // Steps come in whole requests: a middle that offers what a bound did would repeat it.
      if (
        Math.abs(offered - lo.offeredCustomersPerSecond) < 1e-9 ||
        Math.abs(offered - bad.offeredCustomersPerSecond) < 1e-9
      )
        break;
      const s = await run(mid, 'binary');
      if (s === undefined) break;
      if (s.verdict === 'good') lo = s;
      else bad = s;
    }
    const boundBy = bound((bad as S).verdict);
    if (final(bad)) return done(lo, boundBy);
    const confirmed = await run(lo.offeredCustomersPerSecond, 'confirm');
    if (confirmed === undefined) return done(lo, boundBy);
    if (confirmed.verdict === 'good') return done(confirmed, boundBy);
    const failedAt: number = lo.offeredCustomersPerSecond;
    const below: S | undefined = steps
      .filter((s) => s.verdict === 'good' && s.offeredCustomersPerSecond < failedAt)
      .sort((a, b) => b.offeredCustomersPerSecond - a.offeredCustomersPerSecond)[0];
    if (below === undefined || attempt >= 1 || final(confirmed)) {
      stopped = `the confirmation step at ${Math.round(failedAt)} customers/s was ${confirmed.verdict}: reporting the good step below it, unconfirmed`;
      return done(below, below === undefined ? bound(confirmed.verdict) : boundBy);
    }
    lo = below;
    bad = confirmed;
  }
}

/** A bad step's verdict as what bounds the search (a good one cannot bound it: the ceiling did). */
const bound = (v: StepVerdict): BoundBy => (v === 'good' ? 'max-rate' : v);
