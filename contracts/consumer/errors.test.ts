// Consumer contracts of the documented per-customer error codes.

import { describe } from 'vitest';
import { catalogue } from '../../src/openapi/index.js';
import { describeInteractions } from './support.js';

const errorCases = new Set(
  catalogue()
    .filter((c) => c.kind === 'error')
    .map((c) => c.case),
);

describe('directEarn consumer: documented error codes', () => {
  describeInteractions((i) => errorCases.has(i.case));
});
