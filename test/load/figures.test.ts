// k6/figures.ts reads totalCount, failureCount and warned entries from an answer's text without
// JSON.parse: it must agree with JSON.parse on compact answers, spaced answers and tricky strings.

import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/util/package-root.js';

// A k6 script module: imported by path, as the root tsconfig does not compile load/.
const { answerFigures, warnedEntries } = (await import(
  join(packageRoot, 'k6', 'figures.ts')
)) as typeof import('../../k6/figures.ts');

const warning = { status: false, code: 8890, message: 'Max earn limit reached "warnings":[{' };
const entryArb = fc.record({
  result: fc.constantFrom({ entityId: 1, promotionName: 'a "warnings":[{ b' }, undefined),
  errors: fc.constantFrom([], [{ code: 8015, message: 'x' }]),
  warnings: fc.constantFrom([], [warning], [warning, warning]),
});

describe('k6/figures.ts', () => {
  it('agrees with JSON.parse on totalCount, failureCount and warned entries, compact or spaced', () => {
    fc.assert(
      fc.property(
        fc.array(entryArb, { maxLength: 30 }),
        fc.constantFrom(undefined, 1, '\t'),
        (entries, space) => {
          const answer = {
            response: entries,
            totalCount: entries.length,
            failureCount: entries.filter((e) => e.errors.length > 0).length,
          };
          const text = JSON.stringify(answer, null, space);
          expect(answerFigures(text)).toEqual({
            total: answer.totalCount,
            failed: answer.failureCount,
            warned: entries.filter((e) => e.warnings.length > 0).length,
          });
        },
      ),
      { numRuns: 200, seed: 13 },
    );
  });

  it('reads the counts from a long answer whose tail holds them, and refuses a body without totalCount', () => {
    const entry = '{"result":{"entityId":1},"errors":[],"warnings":[]}';
    const body = `{"response":[${new Array(1000).fill(entry).join(',')}],"totalCount":1000,"failureCount":0}`;
    expect(answerFigures(body)).toEqual({ total: 1000, failed: 0, warned: 0 });
    expect(answerFigures('{"errors":[{"code":401}]}')).toBeUndefined();
    expect(warnedEntries('{"response":[]}')).toBe(0);
    // Keys that end in warnings, or hold an escaped quote before it, are not the warnings key.
    const lookalikes = JSON.stringify({
      response: [{ warnings: [], nowarnings: [{ code: 1 }], 'a"warnings': [{ code: 2 }], 'b\\': 0 }],
    });
    expect(warnedEntries(lookalikes)).toBe(0);
    expect(warnedEntries(JSON.stringify({ response: [{ warnings: [{ code: 8890 }] }] }))).toBe(1);
  });

  it('reads the exact counts whether they close the answer or open it', () => {
    const entry = '{"result":{"entityId":1,"name":"café"},"errors":[],"warnings":[]}';
    const answer = `{"response":[${new Array(300).fill(entry).join(',')}],"totalCount":300,"failureCount":7}`;
    expect(answerFigures(answer)).toEqual({ total: 300, failed: 7, warned: 0 });
    const countsFirst = `{"totalCount":300,"failureCount":7,"response":[${new Array(300).fill(entry).join(',')}]}`;
    expect(answerFigures(countsFirst)).toEqual({ total: 300, failed: 7, warned: 0 });
    // Written with a space before the colon: the regular expression fallback.
    expect(answerFigures('{"response":[],"totalCount" : 2,"failureCount" : 1}')).toEqual({
      total: 2,
      failed: 1,
      warned: 0,
    });
  });
});
