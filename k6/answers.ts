// Counting the customers of the 200 answers a script reads, in the directearn_customers_* metrics:
// answered, failed (an error entry) and warned (8890: NOT issued); issued is answered - failed - warned.

import type { RefinedResponse, ResponseType } from 'k6/http';
import { Counter, Gauge } from 'k6/metrics';
import { abortOverCap, READ_CAP } from './bounds.ts';
import { answerFigures } from './figures.ts';

const customersAnswered = new Counter('directearn_customers_answered');
const customersFailed = new Counter('directearn_customers_failed');
const customersWarned = new Counter('directearn_customers_warned');
/** One answer in how many the throughput script read (summary.json's `sampled.every`). */
const readEvery = new Gauge('directearn_answers_read_every');
// A local binding: reading an imported one costs k6 a lookup by name on every call.
const figuresOf = answerFigures;
const cap = READ_CAP;
const overCap = abortOverCap;

/**
 * Every how many answers at `batchSize` the throughput script reads: one in 10 up to batch 109,
 * then one in ⌊batchSize/10⌋, so about one customer per request is read whatever the batch size.
 * The others are posted with `responseType: 'none'`: k6 then neither copies nor converts their
 * body, and nothing of them is read (requests, latency and failed requests stay exact: k6's own).
 */
export const answerReadEvery = (batchSize: number): number => Math.max(10, Math.floor(batchSize / 10));

/**
 * Records that the caller reads one answer in `every` (summary.json's `sampled.every`). Once per VU
 * and scenario is enough (a gauge keeps its last value, the same for the whole scenario): a metric
 * sample costs k6 a few µs, so one per read was a share of k6's CPU per request at batch 1.
 */
export function recordReadEvery(every: number): void {
  readEvery.add(every);
}

/**
 * Adds a 200 answer's customers, failures and warned customers to the directearn_* counters (its
 * text body read with native string searches, see figures.ts). The shares the summary reports
 * (failed / answered, warned / answered) are over the answers read. A zero is not added: the sum
 * is the same. An answer over the cap (k6/bounds.ts) aborts the run, whatever its status.
 */
export function recordAnswer(res: RefinedResponse<ResponseType | undefined>): void {
  const body = res.body;
  if (typeof body !== 'string') return;
  // Read straight from a target in a runner pod (no relay): over the cap, the run is aborted.
  if (body.length > cap) overCap(body.length);
  if (res.status !== 200) return;
  const figures = figuresOf(body);
  if (figures === undefined) return;
  customersAnswered.add(figures.total);
  if (figures.failed > 0) customersFailed.add(figures.failed);
  if (figures.warned > 0) customersWarned.add(figures.warned);
}
