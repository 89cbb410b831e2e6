// The provider read against the spec: its check order is the catalogue's precedence, fixtures are
// strict about their fields, and numbers past 2^53 are found as sent.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { entityCasesByPrecedence } from '../../src/openapi/index.js';
import { CUSTOMER_CHECK_ORDER, createProvider, REQUEST_CHECK_ORDER } from '../../src/provider/index.js';
import { rawNumberAt } from '../../src/provider/json-numbers.js';
import { LedgerRing } from '../../src/provider/store.js';

describe('the order of the entity checks', () => {
  it("is the catalogue's precedence: request-scoped cases first, then the per-customer loop", () => {
    const byPrecedence = entityCasesByPrecedence();
    expect(REQUEST_CHECK_ORDER).toEqual(byPrecedence.filter((c) => c.scope === 'request').map((c) => c.case));
    expect(CUSTOMER_CHECK_ORDER).toEqual(
      byPrecedence.filter((c) => c.scope === 'customer').map((c) => c.case),
    );
    expect([...REQUEST_CHECK_ORDER, ...CUSTOMER_CHECK_ORDER]).toEqual(byPrecedence.map((c) => c.case));
  });
});

describe('fixtures fields', () => {
  const dir = mkdtempSync(join(tmpdir(), 'directearn-fixtures-strict-'));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('refuses an unknown field at start, naming the file and its JSON path', () => {
    const yaml = file(
      'typo.yaml',
      'programs:\n  - id: 1\n    promotions:\n      - id: 2\n        active: true\n        earnLimit: 1\ncustomers: []\n',
    );
    expect(() => createProvider({ fixtures: yaml })).toThrow(
      new RegExp(
        `^${yaml.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: programs\\[0\\]\\.promotions\\[0\\]\\.earnLimit is not a fixtures field`,
      ),
    );
    const json = file('top.json', JSON.stringify({ programs: [], customers: [], firstEarnId: 5 }));
    expect(() => createProvider({ fixtures: json })).toThrow(
      /top\.json: firstEarnId is not a fixtures field/,
    );
    for (const [fixtures, path] of [
      [{ programs: [{ id: 1, promotions: [], name: 'x' }], customers: [] }, 'programs[0].name'],
      [{ programs: [], customers: [{ id: 1, phone: '1' }] }, 'customers[0].phone'],
      [
        { programs: [], customers: [], generatedCustomers: { first: 1, count: 1, step: 2 } },
        'generatedCustomers.step',
      ],
    ] as const) {
      expect(() => createProvider({ fixtures: fixtures as never })).toThrow(
        `${path} is not a fixtures field`,
      );
    }
  });
});

describe('numbers as sent', () => {
  it('finds the literal of a number by JSON pointer, the last of duplicate keys winning', () => {
    const text =
      '{"a": [1, {"b": 9007199254740993, "s": "x\\"}"}], "c": 1e400, "a2": {"k": 1, "k": 12345678901234567890}}';
    expect(rawNumberAt(text, '/a/1/b')).toBe('9007199254740993');
    expect(rawNumberAt(text, '/c')).toBe('1e400');
    expect(rawNumberAt(text, '/a2/k')).toBe('12345678901234567890');
    expect(rawNumberAt(text, '/a/1/s')).toBeUndefined();
    expect(rawNumberAt(text, '/nope')).toBeUndefined();
  });
});

describe('the ledger window', () => {
  it('pages by earnedId across the ring wrap, bounded by limit, oldest first', () => {
    const ring = new LedgerRing(100_000);
    for (let i = 1; i <= 250_000; i++) ring.push(BigInt(i), 1, 2, 3, i);
    expect(ring.length).toBe(100_000);
    const first = ring.page(undefined, 3);
    expect(first.entries.map((e) => e.earnedId)).toEqual(['150001', '150002', '150003']);
    expect(first.more).toBe(true);
    // An `after` older than the window starts at the window's oldest entry.
    expect(ring.page(5n, 1).entries[0]?.earnedId).toBe('150001');
    const last = ring.page(249_998n, 10);
    expect(last.entries.map((e) => e.earnedId)).toEqual(['249999', '250000']);
    expect(last.more).toBe(false);
    expect(ring.page(250_000n, 10)).toEqual({ entries: [], more: false });
  });
});
