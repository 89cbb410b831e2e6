// Counting each 200 answer's customers, failures and warnings in the directearn_* metrics.

import type { RefinedResponse, ResponseType } from 'k6/http';
import { Counter } from 'k6/metrics';
import { answerFigures } from './figures.ts';

const customersAnswered = new Counter('directearn_customers_answered');
const entityFailures = new Counter('directearn_entity_failures');
const entityWarnings = new Counter('directearn_entity_warnings');
/** A local binding: reading an imported one costs k6 a lookup by name on every request. */
const figuresOf = answerFigures;

/**
 * Adds a 200 answer's customers, failures and warnings to the directearn_* counters. A zero is not
 * added: a counter's sum is the same and k6 handles one sample per request instead of three.
 */
export function recordAnswer(res: RefinedResponse<ResponseType | undefined>): void {
  if (res.status !== 200) return;
  const body = res.body;
  if (typeof body !== 'string') return;
  const figures = figuresOf(body);
  if (figures === undefined) return;
  customersAnswered.add(figures.total);
  if (figures.failed > 0) entityFailures.add(figures.failed);
  if (figures.warned > 0) entityWarnings.add(figures.warned);
}
