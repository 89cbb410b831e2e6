// Consumer contracts of the answers where customers earn (or are warned, in the doc's mixed body).
import { describe } from 'vitest';
import { describeInteractions } from './support.js';

describe('directEarn consumer: customers earn', () => {
  describeInteractions((i) => i.case === 'earned' || i.case === '8890');
});
