// k6/bodies.ts builds k6 request bodies from precomputed pieces: every body must equal, byte for
// byte, JSON.stringify of the same request, whatever the batch size, offset, template or promotion.

import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BodyShape } from '../../k6/bodies.ts';
import { packageRoot } from '../../src/util/package-root.js';

// A k6 script module: imported by path, as the root tsconfig does not compile load/.
const { ListBodies, RangeBodies } = (await import(
  join(packageRoot, 'k6', 'bodies.ts')
)) as typeof import('../../k6/bodies.ts');

function expected(shape: BodyShape, values: string[]): string {
  return JSON.stringify({
    type: 'CUSTOMER',
    promotionDetails:
      shape.promoIdentifier !== ''
        ? { programId: shape.programId, promoIdentifier: shape.promoIdentifier }
        : { programId: shape.programId, promotionId: shape.promotionId },
    identifierName: shape.identifierName,
    customers: values.map((identifierValue) => ({ identifierValue, source: shape.source })),
  });
}

const rangeValues = (shape: BodyShape, n: number, batchSize: number): string[] =>
  Array.from({ length: batchSize }, (_, i) =>
    shape.template.replace('{id}', String(shape.customerIdFirst + ((n + i) % shape.customerCount))),
  );

const shapeArb = fc.record({
  programId: fc.integer({ min: 1, max: 99_999 }),
  promotionId: fc.integer({ min: 1, max: 999_999 }),
  promoIdentifier: fc.oneof(fc.constant(''), fc.string({ minLength: 1, maxLength: 12 })),
  identifierName: fc.constantFrom('id', 'mobile', 'email'),
  source: fc.constantFrom('INSTORE', 'TAB "1"\\'),
  template: fc.constantFrom('{id}', '91{id}', 'c{id}@load.directearn.test', 'x"{id}\\é', 'same'),
  customerIdFirst: fc.oneof(fc.constant(500_000_000), fc.integer({ min: 0, max: 2_000_000 })),
  customerCount: fc.oneof(fc.constant(1_000_000), fc.integer({ min: 1, max: 3000 })),
});

describe('k6/bodies.ts', () => {
  it('range bodies equal JSON.stringify of the same request', () => {
    fc.assert(
      fc.property(
        shapeArb,
        fc.integer({ min: 0, max: 5_000_000 }),
        fc.constantFrom(1, 2, 9, 10, 11, 50, 99, 100, 101, 500, 1000, 1001),
        (shape, n, batchSize) => {
          const bodies = new RangeBodies(shape);
          expect(bodies.body(n, batchSize)).toBe(expected(shape, rangeValues(shape, n, batchSize)));
        },
      ),
      { numRuns: 300, seed: 13 },
    );
  });

  it('the defaults of a load run: consecutive batches of 1000 from the range start', () => {
    const shape: BodyShape = {
      programId: 469,
      promotionId: 56799,
      promoIdentifier: '',
      identifierName: 'id',
      source: 'INSTORE',
      template: '{id}',
      customerIdFirst: 500_000_000,
      customerCount: 1_000_000,
    };
    const bodies = new RangeBodies(shape);
    for (const n of [0, 1000, 999_000, 999_500]) {
      expect(bodies.body(n, 1000)).toBe(expected(shape, rangeValues(shape, n, 1000)));
    }
    // Whole aligned blocks reuse one cached array per size: consecutive bodies must not share ids.
    for (const batchSize of [1, 10, 100]) {
      for (const n of [0, batchSize, 7 * batchSize, 1_000_000 - batchSize]) {
        expect(bodies.body(n, batchSize)).toBe(expected(shape, rangeValues(shape, n, batchSize)));
      }
    }
    expect(JSON.parse(bodies.body(999_500, 1000)).customers[500].identifierValue).toBe('500000000');
  });

  it('list bodies (a CSV) equal JSON.stringify and wrap around the list', () => {
    fc.assert(
      fc.property(
        shapeArb,
        fc.array(fc.string({ minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 1, max: 100 }),
        (shape, values, n, batchSize) => {
          const want = Array.from({ length: batchSize }, (_, i) => values[(n + i) % values.length] as string);
          expect(new ListBodies(shape, values).body(n, batchSize)).toBe(expected(shape, want));
        },
      ),
      { numRuns: 200, seed: 13 },
    );
  });
});
