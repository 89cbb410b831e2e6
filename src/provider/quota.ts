// The real CRM's rate limit as its docs state it (`serve --rate-limit-per-minute`): N requests per
// clock minute per credential (API key), 429 with Retry-After to the window's end beyond.
import { messageFor } from '../openapi/index.js';
import { type Answer, httpError } from './answer.js';

const MINUTE_MS = 60_000;

/** One fixed window per credential; a credential's window starts again at the next clock minute. */
export class MinuteQuota {
  private readonly windows = new Map<string, { start: number; used: number }>();
  /** Requests refused with 429 since start or reset. */
  limited = 0;

  constructor(
    readonly perMinute: number,
    private readonly now: () => number,
  ) {}

  /** Counts a request of `credential`: a 429 answer when its window is used up, else the X-RateLimit-* headers. */
  take(credential: string): { limited: Answer } | { headers: Record<string, string> } {
    const now = this.now();
    const start = now - (now % MINUTE_MS);
    let window = this.windows.get(credential);
    if (window === undefined || window.start !== start) {
      // Old windows go when a new minute starts: the map holds the credentials of one minute.
      if (window === undefined && this.windows.size > 10_000) this.windows.clear();
      window = { start, used: 0 };
      this.windows.set(credential, window);
    }
    const resetSeconds = Math.max(1, Math.ceil((start + MINUTE_MS - now) / 1000));
    const refused = window.used >= this.perMinute;
    if (!refused) window.used++;
    const headers: Record<string, string> = {
      'x-ratelimit-limit': String(this.perMinute),
      'x-ratelimit-remaining': String(this.perMinute - window.used),
      'x-ratelimit-reset': String(resetSeconds),
    };
    if (!refused) return { headers };
    this.limited++;
    const res = httpError(429, messageFor(429, 'http'));
    Object.assign(res.headers, headers);
    res.headers['retry-after'] = String(resetSeconds);
    return { limited: res };
  }

  reset(): void {
    this.windows.clear();
    this.limited = 0;
  }
}
