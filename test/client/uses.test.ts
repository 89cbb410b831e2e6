// src/client/uses.ts, which `directearn diff` grades by, is what src/client's code reads and sends:
// the TypeScript compiler reads the code, and any difference fails here (the list cannot drift).
import { describe, expect, it } from 'vitest';
import { CLIENT_USES } from '../../src/client/uses.js';
import { schemaPlaces } from '../../src/diff/schema-places.js';
import { loadSpec } from '../../src/openapi/index.js';
import { deriveClientUses } from '../support/client-uses.js';

const sorted = <T extends { use: string; field: string }>(list: readonly T[]) =>
  [...list].sort((a, b) => a.use.localeCompare(b.use) || a.field.localeCompare(b.field));

describe("the client's declared uses", () => {
  it('are exactly the spec properties src/client reads from answers and writes into requests', () => {
    const derived = deriveClientUses();
    expect(derived.some((u) => u.field === 'EarnResult.earnedId' && u.use === 'reads')).toBe(true);
    expect(sorted(CLIENT_USES)).toEqual(derived);
  }, 60_000);

  it('each name a property of the committed spec, reached from an answer (reads) or the request (sends)', () => {
    const places = schemaPlaces(loadSpec() as unknown as Record<string, unknown>);
    for (const use of CLIENT_USES) {
      const where = (places.get(use.field) ?? []).map((p) => p.where);
      expect(where.length, use.field).toBeGreaterThan(0);
      if (use.use === 'sends') expect(where, use.field).toEqual(['request']);
      else expect(where, use.field).not.toContain('request');
    }
  });
});

describe('schemaPlaces', () => {
  it('maps a schema property to every body place it lands on, per status', () => {
    const places = schemaPlaces(loadSpec() as unknown as Record<string, unknown>);
    expect(places.get('EarnResult.earnedId')).toEqual([{ where: '200', path: 'response[].result.earnedId' }]);
    expect(places.get('Message.code')).toEqual([
      { where: '200', path: 'response[].errors[].code' },
      { where: '200', path: 'response[].warnings[].code' },
    ]);
    const field = places.get('HttpError.errors[].field') ?? [];
    expect(field.map((p) => p.where)).toEqual(expect.arrayContaining(['400', '401', '413', '429']));
    expect(new Set(field.map((p) => p.path))).toEqual(new Set(['errors[].field']));
    expect(places.get('CustomerIdentifier.source')).toEqual([
      { where: 'request', path: 'customers[].source' },
    ]);
  });
});
