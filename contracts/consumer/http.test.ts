// Consumer contracts of the (inferred) HTTP-level refusals.
import { describe } from 'vitest';
import { describeInteractions } from './support.js';

describe('directEarn consumer: HTTP refusals', () => {
  describeInteractions((i) => i.case.startsWith('http-'));
});
