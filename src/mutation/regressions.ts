// Doc-derived provider regressions and harmless variations, as wrappers around the reference
// provider's public in-process API (`handle`), for the mutation test and for users rehearsing their
// CI (`directearn serve --simulate-regression NAME`): each regression breaks one thing the public
// doc states, which `verify` must catch; each benign variant changes only what a tolerant consumer
// must accept, which `verify` must pass.
// The variants live by kind: answer-regressions.ts, exchange-regressions.ts, benign-variants.ts,
// made of the edits in edits.ts; a variant's hooks are described in variant.ts.
import { ANSWER_REGRESSIONS } from './answer-regressions.js';
import { BENIGN_VARIANTS } from './benign-variants.js';
import { EXCHANGE_REGRESSIONS } from './exchange-regressions.js';
import type { Variant } from './variant.js';

export type { Bulk, SentRequest, StateChange, Variant } from './variant.js';

/** Every variant: at least 25 doc-derived regressions and 5 benign variations, regressions first. */
export const VARIANTS: readonly Variant[] = [
  ...ANSWER_REGRESSIONS,
  ...EXCHANGE_REGRESSIONS,
  ...BENIGN_VARIANTS,
];

/** The variant of this name, or undefined. */
export function variant(name: string): Variant | undefined {
  return VARIANTS.find((v) => v.name === name);
}
