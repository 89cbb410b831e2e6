// The embedded provider's capacity (`serve --capacity`): one FIFO server in virtual time, so a
// capacity search has a knee to find. Each admitted request holds the server for a fixed overhead
// plus its customers / capacity; a request arriving while the queued work exceeds the bound is shed
// with 503 and Retry-After before anything is issued (load shedding, inferred in the spec).
import { type Answer, httpError } from './answer.js';

/** Queued work (ms) past which a request is shed with 503, unless `queueMs` says otherwise. */
export const DEFAULT_CAPACITY_QUEUE_MS = 1000;

export interface CapacityOptions {
  /** Customers per second the server processes (the knee). */
  customersPerSecond: number;
  /** Fixed cost of every request in ms, whatever its size (default 0). */
  overheadMs?: number;
  /** Queued work in ms a request may find ahead of it; more is answered 503 (default DEFAULT_CAPACITY_QUEUE_MS). */
  queueMs?: number;
}

/**
 * The queue is a clock, not a list: `busyUntil` is when the work admitted so far is done. Answers
 * are due in admission order (each one's due time is after the previous one's), which is FIFO.
 */
export class CapacityQueue {
  private busyUntil = 0;
  /** Requests shed with 503 since start or reset. */
  shed = 0;
  private readonly overheadMs: number;
  private readonly queueMs: number;
  private readonly msPerCustomer: number;

  constructor(
    options: CapacityOptions,
    private readonly now: () => number,
  ) {
    this.overheadMs = options.overheadMs ?? 0;
    this.queueMs = options.queueMs ?? DEFAULT_CAPACITY_QUEUE_MS;
    this.msPerCustomer = 1000 / options.customersPerSecond;
  }

  /** A 503 when the work queued ahead is over the bound (nothing is processed then), else undefined. */
  admit(): Answer | undefined {
    const waitMs = this.busyUntil - this.now();
    if (waitMs <= this.queueMs) return undefined;
    this.shed++;
    const res = httpError(503);
    res.headers['retry-after'] = String(Math.max(1, Math.ceil(waitMs / 1000)));
    return res;
  }

  /** Queues a processed request of `customers` customers; the ms until its answer is due. */
  serve(customers: number): number {
    const now = this.now();
    this.busyUntil = Math.max(now, this.busyUntil) + this.overheadMs + customers * this.msPerCustomer;
    return this.busyUntil - now;
  }

  reset(): void {
    this.busyUntil = 0;
    this.shed = 0;
  }
}

/** Customers a directEarn answer covers (its closing totalCount), 0 for any other body. */
export function customersAnswered(body: string): number {
  const key = '"totalCount":';
  const at = body.lastIndexOf(key);
  if (at < 0) return 0;
  const n = Number.parseInt(body.slice(at + key.length, at + key.length + 24), 10);
  return n >= 1 ? n : 0;
}
