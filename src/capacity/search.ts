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

/** The steps run so far and why the search stopped early: what every phase of the search shares. */
class StepLog<S extends Judged> {
  readonly steps: S[] = [];
  stopped: string | undefined;

  constructor(
    private readonly measure: (rate: number, phase: Phase) => Promise<S | 'budget'>,
    private readonly maxSteps: number,
  ) {}

  /**
   * Runs a step at `rate`; undefined when the step cap or the customer budget stops the search. A
   * step k6 could not send is run once more: a generator starved for a moment (k6 on a busy machine
   * ends a step's arrivals late, and those it did not reach are neither sent nor dropped) is not its
   * limit; a second such step is, and its verdict stands.
   */
  async run(rate: number, phase: Phase): Promise<S | undefined> {
    const s = await this.once(rate, phase);
    return s?.verdict === 'generator' ? ((await this.once(rate, phase)) ?? s) : s;
  }

  private async once(rate: number, phase: Phase): Promise<S | undefined> {
    if (this.steps.length >= this.maxSteps) {
      this.stopped ??= `stopped after ${this.maxSteps} steps (--max-steps)`;
      return undefined;
    }
    const s = await this.measure(rate, phase);
    if (s === 'budget') {
      this.stopped =
        'stopped at the customer budget (--budget-customers): the next step would have exceeded it';
      return undefined;
    }
    this.steps.push(s);
    return s;
  }

  done(found: S | undefined, boundBy: BoundBy): SearchResult<S> {
    return {
      found,
      boundBy,
      steps: this.steps,
      ...(this.stopped !== undefined ? { note: this.stopped } : {}),
    };
  }
}

/** A rate limit or the generator ends the search: neither is the host's capacity to bisect. */
const final = <S extends Judged>(b: S | undefined): boolean =>
  b !== undefined && (b.verdict === 'rate-limit' || b.verdict === 'generator');

/** The first phase: double from the start rate until a step is bad or the ceiling holds. */
async function climb<S extends Judged>(log: StepLog<S>, o: SearchOptions) {
  let good: S | undefined;
  for (let rate = Math.min(o.startRate, o.maxRate); ; rate = Math.min(rate * 2, o.maxRate)) {
    const s = await log.run(rate, 'up');
    if (s === undefined) return { good, stoppedClimbing: true };
    if (s.verdict !== 'good') return { good, bad: s };
    good = s;
    if (rate >= o.maxRate) return { good, maxRateHeld: true };
  }
}

/** When the first step was already bad: halve the rate (maxDown times at most) until a step is good. */
async function descend<S extends Judged>(log: StepLog<S>, o: SearchOptions, firstBad: S) {
  let bad = firstBad;
  let rate = bad.offeredCustomersPerSecond;
  for (let i = 0; i < (o.maxDown ?? 3); i++) {
    rate /= 2;
    const s = await log.run(rate, 'down');
    if (s === undefined) break;
    if (s.verdict === 'good') return { good: s, bad };
    bad = s;
    if (final(bad)) break;
  }
  return { good: undefined, bad };
}

/** Halves the gap between the last good and the first bad step down to the resolution. */
async function bisect<S extends Judged>(log: StepLog<S>, o: SearchOptions, good: S, firstBad: S | undefined) {
  let lo = good;
  let bad = firstBad;
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
    const s = await log.run(mid, 'binary');
    if (s === undefined) break;
    if (s.verdict === 'good') lo = s;
    else bad = s;
  }
  return { lo, bad };
}

/**
 * Binary between the last good and the first bad, then a confirmation at the rate found. A failed
 * confirmation is a bad step: the search goes on below it (twice at most), since the step it
 * repeated was good by a margin the noise can take away.
 */
async function bisectAndConfirm<S extends Judged>(
  log: StepLog<S>,
  o: SearchOptions,
  good: S,
  firstBad: S | undefined,
): Promise<SearchResult<S>> {
  let lo: S = good;
  let bad = firstBad;
  for (let attempt = 0; ; attempt++) {
    ({ lo, bad } = await bisect(log, o, lo, bad));
    const boundBy = bound((bad as S).verdict);
    if (final(bad)) return log.done(lo, boundBy);
    const confirmed = await log.run(lo.offeredCustomersPerSecond, 'confirm');
    if (confirmed === undefined) return log.done(lo, boundBy);
    if (confirmed.verdict === 'good') return log.done(confirmed, boundBy);
    const failedAt: number = lo.offeredCustomersPerSecond;
    const below: S | undefined = log.steps
      .filter((s) => s.verdict === 'good' && s.offeredCustomersPerSecond < failedAt)
      .sort((a, b) => b.offeredCustomersPerSecond - a.offeredCustomersPerSecond)[0];
    if (below === undefined || attempt >= 1 || final(confirmed)) {
      log.stopped = `the confirmation step at ${Math.round(failedAt)} customers/s was ${confirmed.verdict}: reporting the good step below it, unconfirmed`;
      return log.done(below, below === undefined ? bound(confirmed.verdict) : boundBy);
    }
    lo = below;
    bad = confirmed;
  }
}

/**
 * Runs the search; `measure` runs one step at an offered rate and returns it judged, or 'budget'
 * when the customer budget cannot pay for it (the search then stops and says so).
 */
export async function searchCapacity<S extends Judged>(
  measure: (rate: number, phase: Phase) => Promise<S | 'budget'>,
  o: SearchOptions,
): Promise<SearchResult<S>> {
  const log = new StepLog(measure, o.maxSteps);
  const up = await climb(log, o);
  // Stopped while still climbing: what held so far is a lower bound only.
  if (up.stoppedClimbing === true) return log.done(up.good, 'budget');
  let { good, bad } = up;
  if (good === undefined && bad !== undefined && !final(bad)) ({ good, bad } = await descend(log, o, bad));
  if (good === undefined) return log.done(undefined, bound((bad as S).verdict));
  if (up.maxRateHeld === true) {
    const c = await log.run(good.offeredCustomersPerSecond, 'confirm');
    return c?.verdict === 'good'
      ? log.done(c, 'max-rate')
      : log.done(good, c === undefined ? 'max-rate' : bound(c.verdict));
  }
  return bisectAndConfirm(log, o, good, bad);
}

/** A bad step's verdict as what bounds the search (a good one cannot bound it: the ceiling did). */
const bound = (v: StepVerdict): BoundBy => (v === 'good' ? 'max-rate' : v);
