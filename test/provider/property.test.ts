// Property: whatever request comes (valid, nearly valid or garbage), the reference provider answers
// something the spec allows, never a 5xx without an injected fault, and one entry per customer.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LOAD_CUSTOMER_ID_FIRST } from '../../src/config/defaults.js';
import { ENDPOINT_PATH, formatIssues, validateRequest, validateResponse } from '../../src/openapi/index.js';
import { createProvider } from '../../src/provider/index.js';
import { checkRequest, surelyValid } from '../../src/provider/request-validation.js';
import { type Answer, AUTH, JSON_CT } from '../support/provider-helpers.js';

const knownCustomer = fc.constantFrom('98662653', '98662632', '423924812', '387004879', '423815857');
const identifierValue = fc.oneof(
  knownCustomer,
  fc.integer({ min: LOAD_CUSTOMER_ID_FIRST - 5, max: LOAD_CUSTOMER_ID_FIRST + 5 }).map(String),
  fc.string({ maxLength: 12 }),
  fc.constantFrom('919866265300', 'customer98662653@example.com', `91${LOAD_CUSTOMER_ID_FIRST}`),
);
const promotionDetails = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      { programId: 2607, promoIdentifier: 'Promo_testMay13' },
      { programId: 2844, promotionId: 200206 },
      { programId: 469, promotionId: 56799 },
      { programId: 469, promotionId: 56800 },
      { programId: 2750, promotionId: 201436 },
    ),
  },
  {
    weight: 2,
    arbitrary: fc.record(
      {
        programId: fc.constantFrom(469, 2750, 2607, 2844, 999999, 0),
        promotionId: fc.constantFrom(56799, 56800, 201436, 200205, 200206, 999999),
        promoIdentifier: fc.constantFrom('Promo_testMay13', 'NO_SUCH_PROMOTION'),
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: fc.constant(undefined) },
);
const validRequest = fc.record(
  {
    type: fc.constantFrom('CUSTOMER', 'CUSTOMER', 'CUSTOMER', 'USERGROUP2'),
    promotionDetails,
    identifierName: fc.constantFrom('id', 'mobile', 'email'),
    customers: fc.array(
      fc.record(
        { identifierValue, source: fc.constantFrom('INSTORE', 'ONLINE') },
        { requiredKeys: ['identifierValue'] },
      ),
      { minLength: 1, maxLength: 8 },
    ),
  },
  { requiredKeys: ['type', 'identifierName', 'customers'] },
);
/** A valid request with one field replaced by anything: the nearly valid bodies a buggy client sends. */
const brokenRequest = fc
  .tuple(
    validRequest,
    fc.constantFrom('type', 'promotionDetails', 'identifierName', 'customers', 'extra'),
    fc.jsonValue(),
  )
  .map(([req, key, value]) => ({ ...req, [key]: value }));
const body = fc.oneof(
  { weight: 4, arbitrary: validRequest.map((v) => JSON.stringify(v)) },
  { weight: 3, arbitrary: brokenRequest.map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v) ?? '') },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
);

describe('every answer of the reference provider', () => {
  it('validates against the spec for its status, with one entry per customer on 200', async () => {
    const provider = createProvider();
    const seen = new Set<string>();
    await fc.assert(
      // Bytes, as the listener passes them (a canonical customers array is then scanned, not
      // JSON.parsed), or a string.
      fc.asyncProperty(body, fc.boolean(), async (text, asBytes) => {
        const res = await provider.handle({
          method: 'POST',
          url: ENDPOINT_PATH,
          headers: { ...AUTH, ...JSON_CT },
          body: asBytes ? Buffer.from(text) : text,
        });
        expect([200, 400]).toContain(res.status);
        const json = JSON.parse(res.body) as Answer;
        seen.add(String(res.status));
        for (const e of json.response ?? [])
          seen.add(String(e.errors[0]?.code ?? e.warnings[0]?.code ?? 'earned'));
        const checked = validateResponse(res.status, json);
        expect(checked.ok, checked.ok ? '' : formatIssues(checked.issues)).toBe(true);
        if (res.status === 200) {
          const sent = JSON.parse(text) as { customers: unknown[] };
          expect(json.totalCount).toBe(sent.customers.length);
          expect(json.response.length).toBe(sent.customers.length);
          expect(json.failureCount).toBe(json.response.filter((e) => e.errors.length > 0).length);
        } else {
          expect(json.errors[0]?.code).toBe(400);
        }
      }),
      { numRuns: 400 },
    );
    // The generators reach every case, so the property covers them all.
    expect([...seen].sort()).toEqual([
      '1101',
      '200',
      '400',
      '8015',
      '8874',
      '8881',
      '8890',
      '8892',
      '8899',
      'earned',
    ]);
  });

  it('validates under every option: auth failures, rate limit, faults, redirection and body limit', async () => {
    // A fixed seed, a seeded fault dice and a clock that advances 10 ms per reading make the run
    // the same every time, so the coverage assertion below cannot flake (with the wall clock, 300
    // fast requests could drain the bucket before any 200 came out). The rate is low enough for the
    // requests that pass auth and content type (the only ones taking a token) to drain it.
    let seed = 20261125;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    let clock = 0;
    const provider = createProvider({
      rateLimit: 20,
      faultRate: 0.2,
      redirection: { enabled: true, batchSize: 3 },
      bodyLimit: 300,
      random,
      now: () => {
        clock += 10;
        return clock;
      },
    });
    const headers = fc.constantFrom<Record<string, string>>(
      { ...AUTH, ...JSON_CT },
      { ...AUTH, 'content-type': 'text/plain' },
      JSON_CT,
      { ...JSON_CT, authorization: 'Bearer directearn-readonly-token' },
    );
    const statuses = new Set<number>();
    await fc.assert(
      fc.asyncProperty(body, headers, async (text, h) => {
        const res = await provider.handle({ method: 'POST', url: ENDPOINT_PATH, headers: h, body: text });
        statuses.add(res.status);
        const checked = validateResponse(res.status, JSON.parse(res.body));
        expect(checked.ok, checked.ok ? '' : formatIssues(checked.issues)).toBe(true);
        if (res.status === 429) expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      }),
      { numRuns: 300, seed: 20261125 },
    );
    expect([...statuses].sort()).toEqual([200, 400, 401, 403, 413, 415, 429, 500]);
  });
});

describe("the provider's fast request check", () => {
  it("accepts only what the spec's validator accepts, and agrees with it on verdicts", () => {
    const anyBody = fc.oneof(validRequest, brokenRequest, fc.jsonValue());
    let accepted = 0;
    fc.assert(
      fc.property(anyBody, (value) => {
        // Through JSON, as a body arrives (no undefined values).
        const v = JSON.parse(JSON.stringify(value) ?? 'null');
        const spec = validateRequest(v).ok;
        if (surelyValid(v)) {
          accepted++;
          expect(spec).toBe(true);
        }
        expect(checkRequest(v).ok).toBe(spec);
      }),
      { numRuns: 1000 },
    );
    expect(accepted).toBeGreaterThan(100);
  });

  it('names the first bad customer of a long request at its real index', () => {
    const customers = Array.from({ length: 100_000 }, (_, i) => ({ identifierValue: String(i) }));
    customers[76_543] = { identifierValue: 7 as unknown as string };
    const body = { type: 'CUSTOMER', identifierName: 'phone', customers };
    const checked = checkRequest(body);
    expect(checked.ok).toBe(false);
    const issues = checked.ok ? [] : checked.issues;
    expect(issues.map((i) => i.path)).toEqual(['/identifierName', '/customers/76543/identifierValue']);
    expect(issues[1]?.message).toBe('/customers/76543/identifierValue must be of type string (received 7)');
  });
});
