// Counting each 200 answer's customers, failures and warnings in the directearn_* metrics.

import encoding from 'k6/encoding';
import type { RefinedResponse, ResponseType } from 'k6/http';
import { Counter } from 'k6/metrics';
import { answerFigures, countsOf } from './figures.ts';

const customersAnswered = new Counter('directearn_customers_answered');
const entityFailures = new Counter('directearn_entity_failures');
const entityWarnings = new Counter('directearn_entity_warnings');
// Local bindings: reading an imported one costs k6 a lookup by name on every request.
const figuresOf = answerFigures;
const countsIn = countsOf;
const { b64encode, b64decode } = encoding;

/**
 * Bytes as text in three native calls (base64 there and back): k6 has no TextDecoder, and a loop
 * over a typed array in JS costs more than the scan of a text body it replaces.
 */
const textOf = (bytes: ArrayBuffer): string => b64decode(b64encode(bytes), 'std', 's');

/** Bytes at the end of an answer that hold its totalCount and failureCount. */
const TAIL_BYTES = 64;

/**
 * Every how many answers at `batchSize` are read whole, warnings included: all of them up to
 * batch 10, then one in batchSize/10. Reading an answer as text makes k6 scan all of it (about
 * 0.1 ms at batch 1000, pprof); the others are read as bytes, their counts from the last bytes.
 */
export const wholeAnswerEvery = (batchSize: number): number => Math.max(1, Math.floor(batchSize / 10));

/**
 * Adds a 200 answer's customers, failures and warnings to the directearn_* counters. A text body is
 * read whole: its warned customers count `weight` times (1 when every answer is read; N when one
 * answer in N is, so the sum estimates every answer's). A binary body (responseType 'binary') gives
 * only its exact counts, from its last bytes. A zero is not added: the sum is the same and k6
 * handles one sample per request instead of three.
 */
export function recordAnswer(res: RefinedResponse<ResponseType | undefined>, weight = 1): void {
  if (res.status !== 200) return;
  const body = res.body as string | ArrayBuffer | null;
  let total: number;
  let failed: number;
  let warned = 0;
  if (typeof body === 'string') {
    const figures = figuresOf(body);
    if (figures === undefined) return;
    ({ total, failed } = figures);
    warned = figures.warned * weight;
  } else if (typeof body === 'object' && body !== null) {
    // An ArrayBuffer (typeof is cheaper in k6 than instanceof, which walks the prototype chain).
    const size = body.byteLength;
    const tail = Math.min(size, TAIL_BYTES);
    const counts = countsIn(textOf(body.slice(size - tail))) ?? countsIn(textOf(body));
    if (counts === undefined) return;
    ({ total, failed } = counts);
  } else return;
  customersAnswered.add(total);
  if (failed > 0) entityFailures.add(failed);
  if (warned > 0) entityWarnings.add(warned);
}
