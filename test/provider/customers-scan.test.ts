// The customers scan (src/provider/customers-scan.ts): a canonical compact customers array is read
// from the body's bytes, anything else falls back to JSON.parse, and either way the provider answers
// byte for byte the same, with the same ledger and earn counts, as with JSON.parse alone.
import { isUtf8 } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LOAD_CUSTOMER_ID_FIRST, loadCustomerEmail, loadCustomerMobile } from '../../src/config/defaults.js';
import { EarnDesk, SCAN_FROM_BYTES } from '../../src/provider/answer.js';
import { CustomersScan, canonicalIdAt, SENTINEL } from '../../src/provider/customers-scan.js';
import { DEFAULT_FIXTURES } from '../../src/provider/index.js';
import { surelyValid, surelyValidCustomer, surelyValidHead } from '../../src/provider/request-validation.js';
import { canonicalId, LedgerRing, Model } from '../../src/provider/store.js';

const bytes = (text: string): Buffer => Buffer.from(text, 'utf8');
const HEAD =
  '{"type":"CUSTOMER","promotionDetails":{"programId":469,"promotionId":56799},"identifierName":"id",';
const CANONICAL = `${HEAD}"customers":[{"identifierValue":"500000000","source":"INSTORE"},{"identifierValue":"500000001"}]}`;

/** Bodies the scan must leave to JSON.parse, by why. */
const fallbacks: Record<string, string> = {
  'whitespace in the array': `${HEAD}"customers":[ {"identifierValue":"500000000"}]}`,
  'whitespace after the key': `${HEAD}"customers": [{"identifierValue":"500000000"}]}`,
  'an escape in a value': `${HEAD}"customers":[{"identifierValue":"\\u003500000000"}]}`,
  'non-ASCII in a value': `${HEAD}"customers":[{"identifierValue":"50000000é"}]}`,
  'a control character in a value': `${HEAD}"customers":[{"identifierValue":"5\t"}]}`,
  'keys in the other order': `${HEAD}"customers":[{"source":"INSTORE","identifierValue":"500000000"}]}`,
  'another key': `${HEAD}"customers":[{"identifierValue":"500000000","channel":"x"}]}`,
  'a number': `${HEAD}"customers":[{"identifierValue":500000000}]}`,
  'a null source': `${HEAD}"customers":[{"identifierValue":"500000000","source":null}]}`,
  'an empty source': `${HEAD}"customers":[{"identifierValue":"500000000","source":""}]}`,
  'an empty array': `${HEAD}"customers":[]}`,
  'a truncated body': `${HEAD}"customers":[{"identifierValue":"500000000"}`,
  'a trailing comma': `${HEAD}"customers":[{"identifierValue":"500000000"},]}`,
  'an earlier duplicate key': `${HEAD}"customers":[{"identifierValue":"1"}],"customers":[{"identifierValue":"2"}]}`,
  'a nested key first': `{"promotionDetails":{"customers":[{"identifierValue":"1"}],"programId":469,"promotionId":56799},"type":"CUSTOMER","identifierName":"id","customers":[{"identifierValue":"2"}]}`,
  'a nested key only': `{"type":"CUSTOMER","identifierName":"id","x":{"customers":[{"identifierValue":"2"}]}}`,
  'an own __proto__ key': `{"type":"CUSTOMER","identifierName":"id","__proto__":{"customers":[{"identifierValue":"2"}]}}`,
  'the sentinel as customers, the array nested': `{"customers":"${SENTINEL}","type":"CUSTOMER","identifierName":"id","x":{"customers":[{"identifierValue":"2"}]}}`,
  'the sentinel escaped, the array nested': `{"customers":"\\u0064irectearnCustomersReadFromBytes","type":"CUSTOMER","identifierName":"id","x":{"customers":[{"identifierValue":"2"}]}}`,
  'the sentinel elsewhere': `{"type":"CUSTOMER","identifierName":"id","customers":[{"identifierValue":"2"}],"note":"${SENTINEL}"}`,
  'an escape around the array': `{"type":"CUSTOMER","identifierName":"id","customers":[{"identifierValue":"2"}],"note":"\\n"}`,
  'the key inside a string': `{"type":"CUSTOMER","identifierName":"id","customers":"\\"customers\\":[{\\"identifierValue\\":\\"2\\"}]"}`,
  'not JSON after the array': `${HEAD}"customers":[{"identifierValue":"2"}]}}`,
  'a top-level array': '["customers":[{"identifierValue":"2"}]]',
};

/** What JSON.parse of the whole body gives, rebuilt from a scan: the head with the array put back. */
function rebuilt(scan: CustomersScan, body: Buffer, head: Record<string, unknown>): string {
  const customers = JSON.parse(body.toString('utf8')).customers as unknown[];
  expect(customers.length).toBe(scan.count);
  for (let i = 0; i < scan.count; i++) {
    expect(surelyValidCustomer(customers[i])).toBe(true);
    expect(scan.valueAt(body, i)).toBe((customers[i] as { identifierValue: string }).identifierValue);
  }
  head.customers = customers; // an own key already: it keeps its place
  return JSON.stringify(head);
}

describe('CustomersScan.read', () => {
  it('reads a canonical array: the head from JSON.parse with the sentinel, the customers as offsets', () => {
    const scan = new CustomersScan();
    const body = bytes(CANONICAL);
    const head = scan.read(body);
    expect(head).toEqual({
      type: 'CUSTOMER',
      promotionDetails: { programId: 469, promotionId: 56799 },
      identifierName: 'id',
      customers: SENTINEL,
    });
    expect(scan.count).toBe(2);
    expect([scan.valueAt(body, 0), scan.valueAt(body, 1)]).toEqual(['500000000', '500000001']);
    expect(rebuilt(scan, body, head as Record<string, unknown>)).toBe(JSON.stringify(JSON.parse(CANONICAL)));
  });

  it('reads values holding JSON punctuation, an empty identifierValue and the key anywhere in the object', () => {
    const scan = new CustomersScan();
    const text =
      '{"customers":[{"identifierValue":"","source":"a,}]{[:"},{"identifierValue":"},{\\"x"}],"type":"CUSTOMER","identifierName":"email"}';
    // The second value holds a backslash: not canonical.
    expect(scan.read(bytes(text))).toBeUndefined();
    const plain =
      '{"customers":[{"identifierValue":"","source":"a,}]{[:"},{"identifierValue":"},{x"}],"type":"CUSTOMER","identifierName":"email"}';
    const head = scan.read(bytes(plain));
    expect(head).toBeDefined();
    expect(scan.count).toBe(2);
    expect(scan.valueAt(bytes(plain), 0)).toBe('');
    expect(scan.valueAt(bytes(plain), 1)).toBe('},{x');
  });

  it.each(Object.entries(fallbacks))('falls back on %s', (_, text) => {
    const scan = new CustomersScan();
    expect(scan.read(bytes(text))).toBeUndefined();
    expect(scan.count).toBe(0);
  });
});

describe('canonicalIdAt', () => {
  it("follows model.canonicalId's rules on the bytes of any ASCII value", () => {
    const digitsMostly = fc.string({
      unit: fc.constantFrom('0', '1', '5', '9', '0', '7', '/', ':', 'a', '-', '+', ' ', '.'),
      maxLength: 17,
    });
    fc.assert(
      fc.property(fc.oneof(digitsMostly, fc.string({ unit: 'binary-ascii', maxLength: 17 })), (value) => {
        const b = bytes(`x${value}y`);
        expect(canonicalIdAt(b, 1, 1 + value.length)).toBe(canonicalId(value));
      }),
      { seed: 7, numRuns: 2000 },
    );
    expect(canonicalIdAt(bytes('999999999999999'), 0, 15)).toBe(999_999_999_999_999);
    expect(canonicalIdAt(bytes('1000000000000000'), 0, 16)).toBe(-1);
  });
});

// ---- The provider's answers with and without the scan --------------------------------------------

const VALUE_CHARS = '0123456789abcXYZ@.+-_ ~:,{}[]';
/** A value the scan can read: printable ASCII, no quote or backslash (punctuation included). */
const plainValue = fc.string({ unit: fc.constantFrom(...VALUE_CHARS), maxLength: 12 });
const identifierValue = fc.oneof(
  fc.constantFrom('98662653', '387004879', '423815857', '919866265300', 'customer98662653@example.com'),
  fc.integer({ min: LOAD_CUSTOMER_ID_FIRST - 3, max: LOAD_CUSTOMER_ID_FIRST + 40 }).map(String),
  fc.integer({ min: LOAD_CUSTOMER_ID_FIRST, max: LOAD_CUSTOMER_ID_FIRST + 9 }).map(loadCustomerMobile),
  fc.integer({ min: LOAD_CUSTOMER_ID_FIRST, max: LOAD_CUSTOMER_ID_FIRST + 9 }).map(loadCustomerEmail),
  fc.constantFrom('', '0', '0500000001', '1000000000000000', SENTINEL),
  plainValue,
);
const source = fc.option(
  fc.oneof(
    fc.constantFrom('INSTORE', 'ONLINE'),
    plainValue.filter((s) => s !== ''),
  ),
  {
    nil: undefined,
  },
);
const customer = fc.record({ identifierValue, source });
const promotionDetails = fc.constantFrom(
  '{"programId":469,"promotionId":56799}',
  '{"programId":469,"promotionId":56800}',
  '{"programId":2607,"promoIdentifier":"Promo_testMay13"}',
  '{"programId":2844,"promotionId":200206}',
  '{"promotionId":200206,"programId":2844}',
  '{"programId":2750,"promotionId":201436}',
  '{"programId":2750,"promotionId":999}',
  '{"programId":1,"promotionId":1}',
  '{"programId":469}',
  undefined,
);
/** A request the scan must read: valid head, canonical array, keys in any order. */
const canonical = fc
  .record({
    type: fc.constantFrom('"CUSTOMER"', '"CUSTOMER"', '"USERGROUP2"'),
    promotionDetails,
    identifierName: fc.constantFrom('"id"', '"id"', '"mobile"', '"email"'),
    customers: fc.array(customer, { minLength: 1, maxLength: 8 }),
    extra: fc.option(fc.constantFrom('1', '"x"', '{"a":[1,2]}', 'null'), { nil: undefined }),
    order: fc.shuffledSubarray([0, 1, 2, 3, 4], { minLength: 5 }),
  })
  .map((r) => {
    const item = (c: { identifierValue: string; source: string | undefined }) =>
      `{"identifierValue":"${c.identifierValue}"${c.source === undefined ? '' : `,"source":"${c.source}"`}}`;
    const members = [
      `"type":${r.type}`,
      r.promotionDetails === undefined ? undefined : `"promotionDetails":${r.promotionDetails}`,
      `"identifierName":${r.identifierName}`,
      `"customers":[${r.customers.map(item).join(',')}]`,
      r.extra === undefined ? undefined : `"extra":${r.extra}`,
    ];
    return `{${r.order
      .map((i) => members[i])
      .filter((m) => m !== undefined)
      .join(',')}}`;
  });

/** Text edits that make a canonical body near-canonical, non-canonical, invalid or not JSON. */
const CUSTOMERS_KEY = '"customers":[';
type Edit = (text: string, at: number, pick: number) => string;
const insertAt = (text: string, at: number, s: string) => text.slice(0, at) + s + text.slice(at);
const arrayStart = (text: string) => text.indexOf(CUSTOMERS_KEY) + CUSTOMERS_KEY.length;
const EDITS: Record<string, Edit> = {
  whitespace: (t, at, pick) => insertAt(t, at % (t.length + 1), [' ', '\n', '\t', '\r'][pick % 4] as string),
  // An escaped digit or letter: the same string when inside one.
  escape: (t, at) => {
    const i = at % t.length;
    const c = t.charCodeAt(i);
    return /[0-9A-Za-z]/.test(t[i] as string)
      ? `${t.slice(0, i)}\\u${c.toString(16).padStart(4, '0')}${t.slice(i + 1)}`
      : t;
  },
  unicode: (t, at, pick) => insertAt(t, at % (t.length + 1), ['é', '€', '😀', '\u2028'][pick % 4] as string),
  truncate: (t, at) => t.slice(0, at % t.length),
  replace: (t, at, pick) => {
    const i = at % t.length;
    return t.slice(0, i) + ('"\\,}]{[:0x ' as string)[pick % 12] + t.slice(i + 1);
  },
  remove: (t, at) => {
    const i = at % t.length;
    return t.slice(0, i) + t.slice(i + 1);
  },
  reorder: (t) =>
    t.replace(/\{"identifierValue":("[^"]*"),"source":("[^"]*")\}/, '{"source":$2,"identifierValue":$1}'),
  extraKey: (t, _, pick) =>
    t.replace(
      '{"identifierValue":',
      ['{"x":1,"identifierValue":', '{"identifierValue":"1","identifierValue":'][pick % 2] as string,
    ),
  extraKeyAfter: (t) => t.replace(/("identifierValue":"[^"]*")/, '$1,"channel":"POS"'),
  number: (t) => t.replace(/"identifierValue":"(\d+)"/, '"identifierValue":$1'),
  nullValue: (t, _, pick) =>
    t.replace(/"(identifierValue|source)":"[^"]*"/, `"$1":${pick % 2 ? 'null' : 'true'}`),
  emptySource: (t) => t.replace(/"source":"[^"]*"/, '"source":""'),
  emptyArray: (t) => t.replace(/"customers":\[.*?\](?=[,}])/, '"customers":[]'),
  duplicateBefore: (t) => `{"customers":[{"identifierValue":"98662653"}],${t.slice(1)}`,
  duplicateAfter: (t) => `${t.slice(0, -1)},"customers":[{"identifierValue":"98662653","source":"X"}]}`,
  duplicateNotArray: (t, _, pick) =>
    `${t.slice(0, -1)},"customers":${['"98662653"', '{}', 'null'][pick % 3]}}`,
  nestedInPromotionDetails: (t) =>
    t.replace('"promotionDetails":{', '"promotionDetails":{"customers":[{"identifierValue":"387004879"}],'),
  nestedFirst: (t) => `{"x":{"customers":[{"identifierValue":"387004879"}]},${t.slice(1)}`,
  nestedInCustomer: (t) =>
    insertAt(t, arrayStart(t), '{"identifierValue":"1","customers":[{"identifierValue":"2"}]},'),
  proto: (t, _, pick) =>
    `{"__proto__":${['{"customers":[{"identifierValue":"98662653"}]}', '[]', '{"type":"USERGROUP2"}'][pick % 3]},${t.slice(1)}`,
  protoAfter: (t) => `${t.slice(0, -1)},"__proto__":{"identifierName":"mobile"}}`,
  sentinelPrefix: (t, _, pick) => `{"note":"${SENTINEL}${pick % 2 ? '' : 'x'}",${t.slice(1)}`,
  sentinelAsCustomers: (t) => `{"customers":"${SENTINEL}","x":${t}}`,
  sentinelEscaped: (t) =>
    `${t.slice(0, -1)},"customers":"\\u0064${SENTINEL.slice(1)}","y":{"customers":[{"identifierValue":"1"}]}}`,
  sentinelInValue: (t) => t.replace(/"identifierValue":"[^"]*"/, `"identifierValue":"${SENTINEL}"`),
  escapedPromoIdentifier: (t) =>
    t.replace(
      /"promotionDetails":\{[^}]*\}/,
      '"promotionDetails":{"programId":2607,"promoIdentifier":"\\u0050romo_testMay13"}',
    ),
  badHead: (t, _, pick) =>
    [
      t.replace('"type":"CUSTOMER"', '"type":"customer"'),
      t.replace(/"identifierName":"[a-z]+"/, '"identifierName":"phone"'),
      t.replace(/"programId":\d+/, '"programId":"469"'),
      t.replace(/"promotionId":\d+/, '"promotionId":9007199254740993'),
      t.replace(/"promoIdentifier":"[^"]*"/, '"promoIdentifier":""'),
      t.replace(/"promotionDetails":\{[^}]*\}/, '"promotionDetails":[]'),
    ][pick % 6] as string,
  longValue: (t) => t.replace(/"identifierValue":"[^"]*"/, `"identifierValue":"${'5'.repeat(5000)}"`),
};
const edit = fc.tuple(fc.constantFrom(...Object.keys(EDITS)), fc.nat(), fc.nat());
const body = fc.record({ text: canonical, edits: fc.array(edit, { maxLength: 2 }), latin1: fc.boolean() });

/** The bytes of a generated body, edited: now and then not UTF-8 (é in latin1). */
function sentBytes({
  text,
  edits,
  latin1,
}: {
  text: string;
  edits: [string, number, number][];
  latin1: boolean;
}) {
  let sent = text;
  for (const [name, at, pick] of edits) sent = (EDITS[name] as Edit)(sent, at, pick);
  return latin1 && edits.length > 0 ? Buffer.from(sent, 'latin1') : bytes(sent);
}

describe('CustomersScan.read on generated bodies', () => {
  it('gives, whenever it reads, what JSON.parse of the whole body gives, and the same surely-valid verdict', () => {
    const scan = new CustomersScan();
    let read = 0;
    let readEdited = 0;
    fc.assert(
      fc.property(body, (b) => {
        const raw = sentBytes(b);
        const head = isUtf8(raw) ? scan.read(raw) : undefined;
        if (head === undefined) return;
        read++;
        if (b.edits.length > 0) readEdited++;
        const whole = JSON.parse(raw.toString('utf8')) as unknown;
        expect(surelyValidHead(head)).toBe(surelyValid(whole));
        expect(rebuilt(scan, raw, head)).toBe(JSON.stringify(whole));
      }),
      { seed: 4242, numRuns: 1000 },
    );
    expect(read).toBeGreaterThan(300);
    expect(readEdited).toBeGreaterThan(20);
  });
});

/** Two desks over two models built alike, one with the scan and one without. */
function twoDesks(redirection: { enabled: boolean; batchSize: number }) {
  const make = (scanCustomers: boolean) => {
    const model = new Model(DEFAULT_FIXTURES);
    const ring = new LedgerRing(64);
    return { desk: new EarnDesk(model, ring, () => redirection, { scanCustomers, scanFromBytes: 0 }), ring };
  };
  return { fast: make(true), slow: make(false) };
}

describe('the provider with the customers scan', () => {
  it('answers every body, canonical or not, exactly as JSON.parse alone does, and scans every canonical one', () => {
    const redirection = { enabled: false, batchSize: 10 };
    const { fast, slow } = twoDesks(redirection);
    let canonicalBodies = 0;
    let scannedEdited = 0;
    const statuses = new Set<string>();
    fc.assert(
      fc.property(body, fc.option(fc.integer({ min: 1, max: 6 })), ({ text, edits, latin1 }, batch) => {
        redirection.enabled = batch !== null;
        redirection.batchSize = batch ?? 10;
        const raw = sentBytes({ text, edits, latin1 });
        const scannedBefore = fast.desk.scanned;
        const a = fast.desk.respond(raw);
        const b = slow.desk.respond(raw);
        expect(a).toEqual(b);
        expect(fast.ring.entries()).toEqual(slow.ring.entries());
        expect(fast.desk.earned).toBe(slow.desk.earned);
        expect(slow.desk.scanned).toBe(0);
        const scanned = fast.desk.scanned - scannedBefore;
        if (edits.length === 0) {
          canonicalBodies++;
          // Every canonical body is read by the scan: it cannot silently fall back.
          expect(scanned).toBe(1);
        } else scannedEdited += scanned;
        statuses.add(String(a.status));
        if (a.status === 200)
          for (const e of JSON.parse(a.body).response)
            statuses.add(String(e.errors[0]?.code ?? e.warnings[0]?.code ?? 'ok'));
      }),
      { seed: 20260517, numRuns: 1500 },
    );
    expect(canonicalBodies).toBeGreaterThan(100);
    // Some edits keep a body canonical (whitespace or an escape outside the array, another duplicate
    // after the array...), some do not: both kinds came up.
    expect(scannedEdited).toBeGreaterThan(0);
    for (const s of ['400', 'ok', '8015', '8890', '8874', '8892', '8899', '8881', '1101'])
      expect(statuses).toContain(s);
  });

  it('answers a string body (always JSON.parse) and its bytes (scanned) alike', () => {
    const { fast, slow } = twoDesks({ enabled: false, batchSize: 10 });
    for (const text of [CANONICAL, ...Object.values(fallbacks)]) {
      expect(fast.desk.respond(bytes(text))).toEqual(slow.desk.respond(text));
      expect(fast.ring.entries()).toEqual(slow.ring.entries());
    }
    expect(fast.desk.scanned).toBe(1);
  });

  it('answers a long canonical body of fresh customers alike, earning each once', () => {
    const { fast, slow } = twoDesks({ enabled: false, batchSize: 10 });
    const ids = Array.from({ length: 5000 }, (_, i) => LOAD_CUSTOMER_ID_FIRST + 999_000 + i * 3);
    ids.push(LOAD_CUSTOMER_ID_FIRST + 1_000_000, 98662653);
    const text = `${HEAD}"customers":[${ids.map((id) => `{"identifierValue":"${id}","source":"INSTORE"}`).join(',')}]}`;
    const a = fast.desk.respond(bytes(text));
    expect(a).toEqual(slow.desk.respond(bytes(text)));
    expect(fast.desk.scanned).toBe(1);
    const json = JSON.parse(a.body);
    expect(json.totalCount).toBe(ids.length);
    // Past the generated range (1_000_000 customers from LOAD_CUSTOMER_ID_FIRST): 8015.
    expect(json.failureCount).toBe(ids.filter((id) => id >= LOAD_CUSTOMER_ID_FIRST + 1_000_000).length);
    expect(fast.desk.earned).toBe(slow.desk.earned);
    expect(fast.ring.entries()).toEqual(slow.ring.entries());
  });

  it('by default scans bodies from SCAN_FROM_BYTES on, and leaves shorter ones to JSON.parse', () => {
    const desk = new EarnDesk(new Model(DEFAULT_FIXTURES), new LedgerRing(64), () => ({
      enabled: false,
      batchSize: 10,
    }));
    const ofLength = (length: number) => {
      const text = `${HEAD}"customers":[{"identifierValue":"500000000","source":"INSTORE"}]}`;
      const source = 'I'.repeat(length - text.length + 'INSTORE'.length);
      return bytes(text.replace('INSTORE', source));
    };
    expect(desk.respond(ofLength(SCAN_FROM_BYTES - 1)).status).toBe(200);
    expect(desk.scanned).toBe(0);
    expect(desk.respond(ofLength(SCAN_FROM_BYTES)).status).toBe(200);
    expect(desk.scanned).toBe(1);
    expect(desk.earned).toBe(2);
  });

  it('refuses an array over the redirection batch size the same way, scanned or not', () => {
    const redirection = { enabled: true, batchSize: 1 };
    const { fast, slow } = twoDesks(redirection);
    const a = fast.desk.respond(bytes(CANONICAL));
    expect(a).toEqual(slow.desk.respond(bytes(CANONICAL)));
    expect(a.status).toBe(400);
    expect(JSON.parse(a.body).errors[0].message).toContain('received an array of 2');
    expect(fast.desk.scanned).toBe(1);
    expect(fast.desk.earned).toBe(0);
  });
});
