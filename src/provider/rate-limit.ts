// The provider's rate limit: a token bucket with a one-second burst, whose rate a provider state can
// change live (and use up, so the next request gets 429).
import { messageFor } from '../openapi/index.js';
import { type Answer, httpError } from './answer.js';

/** A token bucket: `take` answers 429 when empty, else the rate headers every answer carries. */
export class TokenBucket {
  private left: number;
  private refilledAt: number;

  constructor(
    private readonly rate: () => number,
    private readonly now: () => number,
  ) {
    this.left = Math.max(1, rate());
    this.refilledAt = now();
  }

  /** Empties the bucket (the rate-limit state). */
  empty(): void {
    this.left = 0;
    this.refilledAt = this.now();
  }

  /** Fills the bucket (after a state's limit is lifted). */
  fill(): void {
    this.left = Math.max(1, this.rate());
    this.refilledAt = this.now();
  }

  /** Takes a token: a 429 answer when none is left, else the X-RateLimit-* headers. */
  take(): { limited: Answer } | { headers: Record<string, string> } {
    const rate = this.rate();
    const capacity = Math.max(1, rate);
    const now = this.now();
    this.left = Math.min(capacity, this.left + ((now - this.refilledAt) / 1000) * rate);
    this.refilledAt = now;
    const limited = this.left < 1;
    if (!limited) this.left -= 1;
    const headers: Record<string, string> = {
      'x-ratelimit-limit': String(Math.ceil(rate)),
      'x-ratelimit-remaining': String(Math.floor(this.left)),
      'x-ratelimit-reset': String(Math.ceil((capacity - this.left) / rate)),
    };
    if (!limited) return { headers };
    const res = httpError(429, messageFor(429, 'http'));
    Object.assign(res.headers, headers);
    res.headers['retry-after'] = String(Math.max(1, Math.ceil((1 - this.left) / rate)));
    return { limited: res };
  }
}
