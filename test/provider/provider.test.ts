// The reference provider in-process: every documented case and HTTP error, precedence, order and
// counts, auth, redirection, rate limit, hostile bodies, states, ledger and fixtures.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_BASIC_PASSWORD,
  DEFAULT_BASIC_USER,
  DEFAULT_BODY_LIMIT_BYTES,
  DEFAULT_READONLY_TOKEN,
  DEFAULT_TOKEN,
  LOAD_CUSTOMER_COUNT,
  LOAD_CUSTOMER_ID_FIRST,
  LOAD_PROGRAM_ID,
  LOAD_PROMOTION_ID,
  loadCustomerEmail,
  loadCustomerMobile,
} from '../../src/config/defaults.js';
import {
  ENDPOINT_PATH,
  example,
  exampleNames,
  messageFor,
  validateResponse,
} from '../../src/openapi/index.js';
import {
  createProvider,
  DEFAULT_FIXTURES,
  type Fixtures,
  FixturesError,
  handledStates,
  loadFixturesFile,
} from '../../src/provider/index.js';
import { STATE_NAMES, STATES } from '../../src/states/index.js';
import { type Answer, AUTH, codes, JSON_CT, post, request } from '../support/provider-helpers.js';

/** Which response example each request example of the spec produces. */
const EXPECTED: Record<string, string> = {
  'doc-request': 'doc-request-earned',
  'request-earned-one-customer': 'earned-one-customer',
  'request-earned-by-mobile': 'earned-one-customer',
  'request-earned-by-email': 'earned-one-customer',
  'request-known-and-unknown-customer': 'known-and-unknown-customer',
  'request-8892': 'error-8892',
  'request-8015': 'error-8015',
  'request-1101': 'error-1101',
  'request-8874': 'error-8874',
  'request-8874-promo-identifier': 'error-8874',
  'request-8899': 'error-8899',
  'request-8881-program-missing': 'error-8881-program-missing',
  'request-8881-promotion-missing': 'error-8881-promotion-missing',
  'request-mixed-earned-8890-promo-identifier': 'mixed-earned-8890-promo-identifier',
};

/** earnedIds differ from the doc's (a fresh sequence); the mixed example's third entry names another program. */
function comparable(body: Pick<Answer, 'response'>): unknown {
  return body.response.map((e) => ({
    ...e,
    result: e.result && {
      ...e.result,
      earnedId: e.result.earnedId === undefined ? undefined : 'N',
    },
  }));
}

describe('default fixtures and the spec examples', () => {
  it('maps every request example of the spec to its documented answer', () => {
    const requests = exampleNames().filter((n) => n.startsWith('request-') || n === 'doc-request');
    expect(requests.sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const [requestName, responseName] of Object.entries(EXPECTED)) {
    it(`answers ${requestName} with ${responseName}, no provider state set`, async () => {
      const provider = createProvider();
      const { res, json } = await post(provider, example(requestName));
      expect(res.status).toBe(200);
      const want = example<Answer>(responseName);
      if (responseName === 'mixed-earned-8890-promo-identifier') {
        // One request cannot name two programs: the 8890 entry answers with the request's promotion.
        const third = want.response[2]?.result as Record<string, unknown>;
        delete third.promotionId;
        third.promoIdentifier = 'Promo_testMay13';
        third.programId = 2607;
      }
      expect(comparable(json)).toEqual(comparable(want));
      expect(json.totalCount).toBe(want.totalCount);
      expect(json.failureCount).toBe(want.failureCount);
    });
  }

  it('answers the doc request exactly as doc-request-earned on a fresh provider (earnedIds 1 and 2)', async () => {
    const { json } = await post(createProvider(), example('doc-request'));
    expect(json).toEqual(example('doc-request-earned'));
  });

  it('lets the doc request earn again and again (the load promotion is unlimited)', async () => {
    const provider = createProvider();
    for (let i = 0; i < 5; i++) await post(provider, example('doc-request'));
    const { json } = await post(provider, example('doc-request'));
    expect(json.response.map((e) => e.result?.earnedId)).toEqual(['11', '12']);
    expect(provider.stats()).toEqual({ earned: 12, requests: 6 });
  });

  it('holds the generated load range by the rules of src/config/defaults.ts', async () => {
    const provider = createProvider();
    const first = LOAD_CUSTOMER_ID_FIRST;
    const last = LOAD_CUSTOMER_ID_FIRST + LOAD_CUSTOMER_COUNT - 1;
    const byId = await post(
      provider,
      request(LOAD_PROGRAM_ID, LOAD_PROMOTION_ID, [first, last, last + 1, first - 1]),
    );
    expect(codes(byId.json)).toEqual([0, 0, 8015, 8015]);
    const byMobile = await post(
      provider,
      request(
        LOAD_PROGRAM_ID,
        LOAD_PROMOTION_ID,
        [loadCustomerMobile(first + 5), loadCustomerMobile(last + 1)],
        'mobile',
      ),
    );
    expect(codes(byMobile.json)).toEqual([0, 8015]);
    expect(byMobile.json.response[0]?.result?.entityId).toBe(first + 5);
    const byEmail = await post(
      provider,
      request(
        LOAD_PROGRAM_ID,
        LOAD_PROMOTION_ID,
        [loadCustomerEmail(last), `x${loadCustomerEmail(last)}`],
        'email',
      ),
    );
    expect(codes(byEmail.json)).toEqual([0, 8015]);
    expect(byEmail.json.response[0]?.result?.entityId).toBe(last);
  });

  it('finds the doc customers by mobile and email as well as by id', async () => {
    const provider = createProvider();
    const c = DEFAULT_FIXTURES.customers[0]!;
    const m = await post(provider, request(469, 56799, [c.mobile!], 'mobile'));
    const e = await post(provider, request(469, 56799, [c.email!], 'email'));
    expect([m.json.response[0]?.result?.entityId, e.json.response[0]?.result?.entityId]).toEqual([
      c.id,
      c.id,
    ]);
  });

  it('reads only canonical customer IDs (no sign, spaces or leading zeros)', async () => {
    const { json } = await post(
      createProvider(),
      request(469, 56799, ['098662653', ' 98662653', '+98662653', '98662653.0', '']),
    );
    expect(codes(json)).toEqual([8015, 8015, 8015, 8015, 8015]);
  });
});

describe('cases, precedence, order and counts', () => {
  it('checks the cases in the catalogue order: 8899 before 8881 before 1101 before 8874 before 8892 before 8015', async () => {
    const p = createProvider();
    const unknownCustomer = '1';
    const ug = { ...request(999999, 999999, [unknownCustomer]), type: 'USERGROUP2', promotionDetails: {} };
    expect(codes((await post(p, ug)).json)).toEqual([8899]);
    expect(
      codes(
        (await post(p, { ...request(1, 1, [unknownCustomer]), promotionDetails: { promotionId: 999999 } }))
          .json,
      ),
    ).toEqual([8881]);
    expect(codes((await post(p, request(999999, 999999, [unknownCustomer]))).json)).toEqual([1101]);
    expect(codes((await post(p, request(469, 999999, [unknownCustomer]))).json)).toEqual([8874]);
    expect(codes((await post(p, request(469, 56800, [unknownCustomer]))).json)).toEqual([8892]);
    expect(
      codes((await post(p, request(2607, 'Promo_testMay13', [unknownCustomer, 423815857]))).json),
    ).toEqual([8015, 8890]);
  });

  it('answers 8881 without promotionDetails at all', async () => {
    const body = request(469, 56799, ['98662653']);
    delete body.promotionDetails;
    expect(codes((await post(createProvider(), body)).json)).toEqual([8881]);
  });

  it('uses promotionId when both promotionId and promoIdentifier are given', async () => {
    const body = {
      ...request(469, 56799, ['98662653']),
      promotionDetails: { programId: 469, promotionId: 56799, promoIdentifier: 'NO_SUCH' },
    };
    const { json } = await post(createProvider(), body);
    expect(json.response[0]?.result).toMatchObject({ promotionId: 56799 });
    expect(json.response[0]?.result).not.toHaveProperty('promoIdentifier');
  });

  it('answers every customer of a request-level error, with totalCount = failureCount = customers', async () => {
    const { json } = await post(createProvider(), request(469, 56800, ['98662653', '1', '98662632']));
    expect(codes(json)).toEqual([8892, 8892, 8892]);
    expect([json.totalCount, json.failureCount]).toEqual([3, 3]);
  });

  it('answers one entry per customer in request order; warnings are not failures', async () => {
    const p = createProvider();
    const ids = ['387004879', '1', '423815857', '387004879', '2'];
    const { json } = await post(p, request(2607, 'Promo_testMay13', ids));
    expect(codes(json)).toEqual([0, 8015, 8890, 0, 8015]);
    expect(json.response.map((e) => e.result?.entityId)).toEqual([
      387004879,
      undefined,
      423815857,
      387004879,
      undefined,
    ]);
    expect([json.totalCount, json.failureCount]).toEqual([5, 2]);
  });

  it('gives every earn a new, increasing numeric-string earnedId, one ledger entry each', async () => {
    const p = createProvider();
    const ids = Array.from({ length: 50 }, (_, i) => LOAD_CUSTOMER_ID_FIRST + (i % 7));
    const a = await post(p, request(469, 56799, ids));
    const b = await post(p, request(2750, 201436, ['423924812', '423924812']));
    const earned = [...a.json.response, ...b.json.response].map((e) => e.result?.earnedId as string);
    expect(earned.every((id) => /^\d+$/.test(id))).toBe(true);
    const numbers = earned.map(Number);
    expect(numbers).toEqual([...numbers].sort((x, y) => x - y));
    expect(new Set(numbers).size).toBe(52);
    expect(p.ledger().map((e) => e.earnedId)).toEqual(earned);
    expect(p.ledger()[50]).toEqual({
      earnedId: earned[50],
      issualId: '811',
      programId: 2750,
      promotionId: 201436,
      customerId: 423924812,
    });
  });

  it('stops a customer at the earn limit (8890 with the result but no ids) and a limit of 0 never issues', async () => {
    const fixtures: Fixtures = {
      programs: [
        {
          id: 1,
          promotions: [
            { id: 10, active: true, earnLimitPerCustomer: 2 },
            { id: 11, active: true, earnLimitPerCustomer: 0 },
          ],
        },
      ],
      customers: [{ id: 5 }],
    };
    const p = createProvider({ fixtures });
    const { json } = await post(p, request(1, 10, [5, 5, 5]));
    expect(codes(json)).toEqual([0, 0, 8890]);
    expect(json.response[2]?.result).toEqual({
      entityType: 'CUSTOMER',
      entityId: 5,
      promotionId: 10,
      programId: 1,
    });
    expect(json.response[2]?.warnings).toEqual([{ status: false, code: 8890, message: messageFor(8890) }]);
    expect(codes((await post(p, request(1, 11, [5]))).json)).toEqual([8890]);
    expect(p.stats().earned).toBe(2);
  });

  it('answers promotionName when the fixture has one, and echoes promoIdentifier', async () => {
    const p = createProvider({ fixtures: 'fixtures/example.yaml' });
    const { json } = await post(p, request(1001, 'SUMMER_BONUS', [11111111]));
    expect(json.response[0]?.result).toEqual({
      entityType: 'CUSTOMER',
      entityId: 11111111,
      promoIdentifier: 'SUMMER_BONUS',
      promotionName: 'Summer bonus',
      programId: 1001,
      issualId: '42',
      earnedId: '1000',
    });
    expect(codes((await post(p, request(1001, 7001, [22222222]))).json)).toEqual([8890]);
  });
});

describe('HTTP errors', () => {
  const p = createProvider();

  it('answers 400 naming the field, with the message the spec example shows', async () => {
    const body = { ...(example('doc-request') as object), identifierName: 'phone' };
    const { res, json } = await post(p, body);
    expect(res.status).toBe(400);
    expect(json).toEqual(example('http-400'));
  });

  it('answers 400 for a body that is not JSON, an empty customers list, a wrong type and "customer"', async () => {
    for (const [body, field] of [
      ['{"type":', undefined],
      [{ ...request(469, 56799, []) }, '/customers'],
      [
        { ...request(469, 56799, ['1']), promotionDetails: { programId: '469', promotionId: 56799 } },
        '/promotionDetails/programId',
      ],
      [{ ...request(469, 56799, ['1']), type: 'customer' }, '/type'],
      [
        { ...request(469, 56799, ['1']), customers: [{ identifierValue: 98662653 }] },
        '/customers/0/identifierValue',
      ],
      ['[]', undefined],
      ['null', undefined],
    ] as const) {
      const { res, json } = await post(p, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(json.errors[0]?.code).toBe(400);
      expect(json.errors.map((e) => e.field)).toContain(field);
    }
  });

  it('answers 401 without credentials or with wrong ones, and accepts Basic, Bearer and X-CAP-API-OAUTH-TOKEN', async () => {
    const basic = (u: string) => `Basic ${Buffer.from(u).toString('base64')}`;
    const body = example('doc-request');
    const status = async (h: Record<string, string>) =>
      (await post(p, body, { ...JSON_CT, ...h })).res.status;
    expect(await status({})).toBe(401);
    expect(await status({ authorization: basic(`${DEFAULT_BASIC_USER}:wrong`) })).toBe(401);
    expect(await status({ authorization: 'Bearer nope' })).toBe(401);
    expect(await status({ 'x-cap-api-oauth-token': 'nope' })).toBe(401);
    expect(await status({ authorization: 'Digest abc' })).toBe(401);
    expect(await status({ authorization: basic(`${DEFAULT_BASIC_USER}:${DEFAULT_BASIC_PASSWORD}`) })).toBe(
      200,
    );
    expect(await status({ authorization: `bearer ${DEFAULT_TOKEN}` })).toBe(200);
    expect(await status({ 'X-CAP-API-OAUTH-TOKEN': DEFAULT_TOKEN })).toBe(200);
    // Every credential presented must hold: a wrong one next to a right one is refused, not ignored.
    expect(await status({ authorization: 'Bearer nope', 'x-cap-api-oauth-token': DEFAULT_TOKEN })).toBe(401);
    expect(await status({ authorization: `Bearer ${DEFAULT_TOKEN}`, 'x-cap-api-oauth-token': 'nope' })).toBe(
      401,
    );
    expect(
      await status({ authorization: `Bearer ${DEFAULT_TOKEN}`, 'x-cap-api-oauth-token': DEFAULT_TOKEN }),
    ).toBe(200);
    expect(await status({ authorization: '', 'x-cap-api-oauth-token': DEFAULT_TOKEN })).toBe(401);
    // A read-only credential next to a write one gives the weaker access.
    expect(
      await status({
        authorization: `Bearer ${DEFAULT_TOKEN}`,
        'x-cap-api-oauth-token': DEFAULT_READONLY_TOKEN,
      }),
    ).toBe(403);
    // Strict base64: junk appended, missing padding or whitespace inside is not a credential.
    const good = basic(`${DEFAULT_BASIC_USER}:${DEFAULT_BASIC_PASSWORD}`);
    expect(await status({ authorization: `${good}junk` })).toBe(401);
    expect(await status({ authorization: `${good}!!` })).toBe(401);
    expect(await status({ authorization: good.replace(/=+$/, '') })).toBe(good.endsWith('=') ? 401 : 200);
    expect(
      await status({ authorization: `Basic ${Buffer.from('directearn:directearnX').toString('base64')}` }),
    ).toBe(401);
    const res = await post(p, body, JSON_CT);
    expect(res.json).toEqual(example('http-401'));
    expect(res.res.headers['www-authenticate']).toMatch(
      /^Basic realm="directearn".*Bearer realm="directearn"$/,
    );
  });

  it('takes the accepted credentials from options (the defaults then no longer work)', async () => {
    const q = createProvider({ basic: ['ann:secret'], tokens: ['t1', 't2'] });
    const body = example('doc-request');
    const status = async (h: Record<string, string>) =>
      (await post(q, body, { ...JSON_CT, ...h })).res.status;
    expect(await status({ authorization: `Basic ${Buffer.from('ann:secret').toString('base64')}` })).toBe(
      200,
    );
    expect(await status({ authorization: 'Bearer t2' })).toBe(200);
    expect(await status({ authorization: `Bearer ${DEFAULT_TOKEN}` })).toBe(401);
  });

  it('answers 403 to credentials without write access', async () => {
    const { res, json } = await post(p, example('doc-request'), {
      ...JSON_CT,
      authorization: `Bearer ${DEFAULT_READONLY_TOKEN}`,
    });
    expect(res.status).toBe(403);
    expect(json).toEqual(example('http-403'));
  });

  it('answers 415 for a non-JSON or missing content type', async () => {
    for (const ct of [
      { 'content-type': 'text/plain' } as Record<string, string>,
      { 'content-type': 'application/x-www-form-urlencoded' },
      {},
    ]) {
      const { res, json } = await post(p, example('doc-request'), { ...AUTH, ...ct });
      expect(res.status).toBe(415);
      expect(json).toEqual(example('http-415'));
    }
    expect(
      (await post(p, example('doc-request'), { ...AUTH, 'content-type': 'application/json; charset=utf-8' }))
        .res.status,
    ).toBe(200);
  });

  it('answers 413 over the body limit', async () => {
    const small = createProvider({ bodyLimit: 100 });
    const { res, json } = await post(small, request(469, 56799, ['98662653', '98662632', '98662653']));
    expect(res.status).toBe(413);
    expect(json).toEqual(example('http-413'));
    expect(small.stats().earned).toBe(0);
  });

  it('answers 405 with Allow: POST for other methods, 404 for other paths', async () => {
    for (const method of ['GET', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS']) {
      const res = await p.handle({ method, url: ENDPOINT_PATH, headers: { ...AUTH } });
      expect(res.status).toBe(405);
      expect(res.headers.allow).toBe('POST');
      expect(JSON.parse(res.body).errors[0]).toEqual({
        status: false,
        code: 405,
        message: messageFor(405, 'http'),
      });
    }
    for (const url of ['/', '/v2/promotion/bulk/directearn', `${ENDPOINT_PATH}/`, '/_admin/ledger']) {
      const res = await p.handle({ method: 'POST', url, headers: { ...AUTH, ...JSON_CT }, body: '{}' });
      expect(res.status, url).toBe(404);
      expect(JSON.parse(res.body).errors[0].message).toBe(messageFor(404, 'http'));
    }
    expect((await post(p, example('doc-request'))).res.status).toBe(200);
  });

  it('accepts a query string on the endpoint path', async () => {
    const res = await p.handle({
      method: 'POST',
      url: `${ENDPOINT_PATH}?x=1`,
      headers: { ...AUTH, ...JSON_CT },
      body: JSON.stringify(example('doc-request')),
    });
    expect(res.status).toBe(200);
  });
});

describe('hostile bodies get a 4xx and the provider keeps serving', () => {
  it('refuses deep nesting, __proto__ keys, invalid UTF-8 and huge arrays', async () => {
    const p = createProvider({ bodyLimit: 64 * 1024 * 1024 });
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const deepInField = `{"type":"CUSTOMER","identifierName":"id","customers":[{"identifierValue":${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}}]}`;
    const proto =
      '{"__proto__":{"type":"CUSTOMER","identifierName":"id","customers":[{"identifierValue":"98662653"}]}}';
    const protoInside = `{"type":"CUSTOMER","promotionDetails":{"__proto__":{"programId":469,"promotionId":56799}},"identifierName":"id","customers":[{"identifierValue":"98662653","__proto__":{"x":1}}]}`;
    const invalidUtf8 = Buffer.concat([
      Buffer.from('{"type":"CUSTOMER","identifierName":"id","customers":[{"identifierValue":"'),
      Buffer.from([0xc3, 0x28, 0xff]),
      Buffer.from('"}]}'),
    ]);
    const hugeWrong = `{"type":"CUSTOMER","identifierName":"id","customers":[${new Array(200_000).fill('1').join(',')}]}`;
    for (const body of [deep, deepInField, proto, invalidUtf8, hugeWrong, '\u0000', '']) {
      const { res, json } = await post(p, body);
      expect(res.status).toBe(400);
      expect(json.errors.length).toBeGreaterThan(0);
      expect(json.errors.length).toBeLessThanOrEqual(20);
      expect(res.body).not.toMatch(/at .*\.(ts|js):\d+/);
    }
    const inside = await post(p, protoInside);
    expect(codes(inside.json)).toEqual([8881]);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    expect((await post(p, example('doc-request'))).res.status).toBe(200);
  });

  it('answers a 100 000-customer request under the limit, one entry each', async () => {
    const p = createProvider({ bodyLimit: 16 * 1024 * 1024 });
    const ids = Array.from({ length: 100_000 }, (_, i) => LOAD_CUSTOMER_ID_FIRST + i);
    const { json } = await post(p, request(LOAD_PROGRAM_ID, LOAD_PROMOTION_ID, ids));
    expect([json.totalCount, json.failureCount, json.response.length]).toEqual([100_000, 0, 100_000]);
  });
});

describe('redirection (BULK_API_REDIRECTION_ENABLED)', () => {
  it('refuses more customers than the batch size (default 10) with 400 naming the limit', async () => {
    const p = createProvider({ redirection: { enabled: true } });
    const ids = Array.from({ length: 11 }, (_, i) => LOAD_CUSTOMER_ID_FIRST + i);
    const over = await post(p, request(469, 56799, ids));
    expect(over.res.status).toBe(400);
    expect(over.json.errors[0]?.field).toBe('/customers');
    expect(over.json.errors[0]?.message).toMatch(/at most 10 .*BULK_API_REDIRECTION_ENABLED.*11/);
    expect((await post(p, request(469, 56799, ids.slice(0, 10)))).res.status).toBe(200);
  });

  it('uses the configured batch size, and no limit when disabled', async () => {
    const ids = Array.from({ length: 1000 }, (_, i) => LOAD_CUSTOMER_ID_FIRST + i);
    const three = createProvider({ redirection: { enabled: true, batchSize: 3 } });
    expect((await post(three, request(469, 56799, ids.slice(0, 4)))).res.status).toBe(400);
    expect((await post(three, request(469, 56799, ids.slice(0, 3)))).res.status).toBe(200);
    const off = createProvider({ redirection: { enabled: false, batchSize: 3 } });
    expect((await post(off, request(469, 56799, ids))).json.totalCount).toBe(1000);
  });
});

describe('rate limit, latency and faults', () => {
  it('answers 429 with Retry-After and X-RateLimit-* beyond the configured rate, then recovers', async () => {
    let now = 1_000_000;
    const p = createProvider({ rateLimit: 2, now: () => now });
    const a = await post(p, example('doc-request'));
    expect(a.res.headers).toMatchObject({ 'x-ratelimit-limit': '2', 'x-ratelimit-remaining': '1' });
    expect((await post(p, example('doc-request'))).res.status).toBe(200);
    const limited = await post(p, example('doc-request'));
    expect(limited.res.status).toBe(429);
    expect(limited.json).toEqual(example('http-429'));
    expect(limited.res.headers).toMatchObject({
      'retry-after': '1',
      'x-ratelimit-limit': '2',
      'x-ratelimit-remaining': '0',
    });
    expect(Number(limited.res.headers['x-ratelimit-reset'])).toBeGreaterThanOrEqual(1);
    now += 500;
    expect((await post(p, example('doc-request'))).res.status).toBe(200);
    expect((await post(p, example('doc-request'))).res.status).toBe(429);
    expect(p.stats().earned).toBe(6);
  });

  it('sends no rate-limit headers when no rate limit is configured', async () => {
    const { res } = await post(createProvider(), example('doc-request'));
    expect(Object.keys(res.headers).some((h) => h.startsWith('x-ratelimit') || h === 'retry-after')).toBe(
      false,
    );
  });

  it('injects 500s at the fault rate, before anything is earned', async () => {
    const always = createProvider({ faultRate: 1 });
    const { res, json } = await post(always, example('doc-request'));
    expect(res.status).toBe(500);
    expect(json.errors[0]).toEqual({ status: false, code: 500, message: messageFor(500, 'http') });
    expect(always.stats().earned).toBe(0);
    let i = 0;
    const seq = [0.1, 0.9, 0.2, 0.8];
    const half = createProvider({ faultRate: 0.5, random: () => seq[i++ % seq.length] as number });
    const statuses = [];
    for (let k = 0; k < 4; k++) statuses.push((await post(half, example('doc-request'))).res.status);
    expect(statuses).toEqual([500, 200, 500, 200]);
  });

  it('delays answers by the injected latency', async () => {
    const p = createProvider({ latencyMs: 40, jitterMs: 10 });
    const t0 = performance.now();
    await post(p, example('doc-request'));
    expect(performance.now() - t0).toBeGreaterThanOrEqual(39);
  });

  it('refuses nonsensical options, naming them', () => {
    expect(() => createProvider({ faultRate: 2 })).toThrow(/faultRate/);
    expect(() => createProvider({ rateLimit: -1 })).toThrow(/rateLimit/);
    expect(() => createProvider({ basic: ['nocolon'] })).toThrow(/basic must be USER:PASSWORD/);
  });
});

describe('provider states', () => {
  it('has a handler for every state of src/states', () => {
    expect(handledStates()).toEqual([...STATE_NAMES]);
  });

  it('refuses an unknown state, naming it, and a missing parameter, naming it', () => {
    const p = createProvider();
    expect(() => p.setState('the moon is made of cheese')).toThrow(
      /unknown provider state "the moon is made of cheese"/,
    );
    expect(() => p.setState(STATES.promotionInactive, { programId: 469 })).toThrow(/promotionId/);
  });

  it('produces every documented case with any IDs', async () => {
    const p = createProvider({ fixtures: { programs: [], customers: [] } });
    p.setState(STATES.customerExists, { customerId: 77, mobile: '9177', email: 'a@b.c' });
    p.setState(STATES.promotionActive, {
      programId: 5,
      promotionId: 50,
      promoIdentifier: 'P50',
      earnLimitPerCustomer: 1,
    });
    expect(codes((await post(p, request(5, 50, [77]))).json)).toEqual([0]);
    expect(codes((await post(p, request(5, 'P50', ['9177'], 'mobile'))).json)).toEqual([8890]);
    p.setState(STATES.promotionInactive, { programId: 5, promotionId: 51 });
    expect(codes((await post(p, request(5, 51, [77]))).json)).toEqual([8892]);
    p.setState(STATES.promotionNeverIssued, { programId: 5, promotionId: 52 });
    expect(codes((await post(p, request(5, 52, [77]))).json)).toEqual([8890]);
    p.setState(STATES.promotionMissing, { programId: 5, promotion: 'P50' });
    expect(codes((await post(p, request(5, 'P50', [77]))).json)).toEqual([8874]);
    expect(codes((await post(p, request(5, 50, [77]))).json)).toEqual([8874]);
    p.setState(STATES.programMissing, { programId: 5 });
    expect(codes((await post(p, request(5, 51, [77]))).json)).toEqual([1101]);
    p.setState(STATES.promotionActive, { programId: 6, promotionId: 60 });
    p.setState(STATES.customerMissing, { identifierName: 'email', identifierValue: 'a@b.c' });
    expect(codes((await post(p, request(6, 60, ['a@b.c', '9177'], 'email'))).json)).toEqual([8015, 8015]);
    expect(codes((await post(p, request(6, 60, ['9177'], 'mobile'))).json)).toEqual([0]);
    p.setState(STATES.customerExhausted, { customerId: 77, programId: 6, promotion: 60 });
    expect(codes((await post(p, request(6, 60, [77]))).json)).toEqual([8890]);
    p.setState(STATES.customerMissing, { identifierName: 'id', identifierValue: '77' });
    expect(codes((await post(p, request(6, 60, [77]))).json)).toEqual([8015]);
  });

  // Issue 21: the state put a limit of 1 on the promotion, so every other customer earned once only.
  it('exhausts the named customer only: the others keep earning a promotion without a limit', async () => {
    const p = createProvider({ fixtures: { programs: [], customers: [{ id: 78 }] } });
    p.setState(STATES.customerExhausted, { customerId: 77, programId: 6, promotion: 'P60' });
    expect(codes((await post(p, request(6, 'P60', [78, 77, 78, 78]))).json)).toEqual([0, 8890, 0, 0]);
    expect(codes((await post(p, request(6, 'P60', [78, 77]))).json)).toEqual([0, 8890]);
    // With a limit, the named customer is at it and the others count up to it from zero.
    p.setState(STATES.promotionActive, { programId: 6, promotionId: 61, earnLimitPerCustomer: 2 });
    p.setState(STATES.customerExhausted, { customerId: 77, programId: 6, promotion: 61 });
    expect(codes((await post(p, request(6, 61, [77, 78, 78, 78]))).json)).toEqual([8890, 0, 0, 8890]);
    p.reset();
    p.setState(STATES.customerExists, { customerId: 77 });
    p.setState(STATES.promotionActive, { programId: 6, promotionId: 62 });
    expect(codes((await post(p, request(6, 62, [77, 77]))).json)).toEqual([0, 0]);
    expect(() =>
      p.setState(STATES.customerExhausted, {
        customerId: 77,
        programId: 6,
        promotion: 62,
        earnLimitPerCustomer: 0,
      }),
    ).toThrow(/earnLimitPerCustomer between 1/);
  });

  it('takes a sentence with its values written in, and string params as a Pact verifier sends them', async () => {
    const p = createProvider();
    p.setState('promotion 56799 of program 469 is inactive');
    expect(codes((await post(p, example('doc-request'))).json)).toEqual([8892, 8892]);
    p.setState(STATES.promotionActive, { programId: '469', promotionId: '56799' });
    expect(codes((await post(p, example('doc-request'))).json)).toEqual([0, 0]);
  });

  it('removes generated customers too, and teardown restores the fixtures but keeps earnedIds unique', async () => {
    const p = createProvider();
    p.setState(STATES.customerMissing, {
      identifierName: 'id',
      identifierValue: String(LOAD_CUSTOMER_ID_FIRST),
    });
    const first = await post(p, request(469, 56799, [LOAD_CUSTOMER_ID_FIRST, LOAD_CUSTOMER_ID_FIRST + 1]));
    expect(codes(first.json)).toEqual([8015, 0]);
    p.setState(
      STATES.customerMissing,
      { identifierName: 'id', identifierValue: String(LOAD_CUSTOMER_ID_FIRST) },
      'teardown',
    );
    const second = await post(p, request(469, 56799, [LOAD_CUSTOMER_ID_FIRST]));
    expect(codes(second.json)).toEqual([0]);
    expect(second.json.response[0]?.result?.earnedId).toBe('2');
  });

  it('the rate-limit state answers the next request 429 with Retry-After; teardown and reset restore no limit', async () => {
    let now = 5_000_000;
    const p = createProvider({ now: () => now });
    p.setState(STATES.rateLimitUsedUp, { requestsPerSecond: '10' });
    expect(p.options.rateLimit).toBe(10);
    const limited = await post(p, example('doc-request'));
    expect(limited.res.status).toBe(429);
    expect(limited.json).toEqual(example('http-429'));
    expect(limited.res.headers).toMatchObject({
      'retry-after': '1',
      'x-ratelimit-limit': '10',
      'x-ratelimit-remaining': '0',
    });
    now += 100; // one request's worth of the 10/s refill
    expect((await post(p, example('doc-request'))).res.status).toBe(200);
    expect((await post(p, example('doc-request'))).res.status).toBe(429);
    p.setState(STATES.rateLimitUsedUp, { requestsPerSecond: 10 }, 'teardown');
    expect(p.options.rateLimit).toBe(0);
    for (let k = 0; k < 3; k++) {
      const { res } = await post(p, example('doc-request'));
      expect(res.status).toBe(200);
      expect(res.headers['x-ratelimit-limit']).toBeUndefined();
    }
    p.setState('the rate limit of 2 requests per second is used up');
    expect((await post(p, example('doc-request'))).res.status).toBe(429);
    p.reset();
    expect((await post(p, example('doc-request'))).res.status).toBe(200);
    expect(() => p.setState(STATES.rateLimitUsedUp, { requestsPerSecond: 0 })).toThrow(
      /requestsPerSecond between 1 and 1000000/,
    );
  });

  it('teardown of the rate-limit state restores a configured limit with a full bucket', async () => {
    const now = 7_000_000;
    const p = createProvider({ rateLimit: 3, now: () => now });
    p.setState(STATES.rateLimitUsedUp, { requestsPerSecond: 1 });
    expect((await post(p, example('doc-request'))).res.status).toBe(429);
    p.setState(STATES.rateLimitUsedUp, { requestsPerSecond: 1 }, 'teardown');
    expect(p.options.rateLimit).toBe(3);
    const statuses = [];
    for (let k = 0; k < 4; k++) statuses.push((await post(p, example('doc-request'))).res.status);
    expect(statuses).toEqual([200, 200, 200, 429]);
  });

  it('the body-limit state answers a larger body 413 before processing; teardown restores the limit', async () => {
    const p = createProvider();
    const body = request(
      469,
      56799,
      Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? 98662653 : 98662632)),
    );
    const size = Buffer.byteLength(JSON.stringify(body));
    p.setState(STATES.bodyLimited, { bytes: size - 1 });
    expect(p.options.bodyLimit).toBe(size - 1);
    const refused = await post(p, body);
    expect(refused.res.status).toBe(413);
    expect(refused.json).toEqual(example('http-413'));
    expect(p.stats().earned).toBe(0);
    p.setState(`request bodies are limited to ${size} bytes`);
    expect((await post(p, body)).res.status).toBe(200);
    p.setState(STATES.bodyLimited, { bytes: 10 });
    p.setState(STATES.bodyLimited, { bytes: 10 }, 'teardown');
    expect(p.options.bodyLimit).toBe(DEFAULT_BODY_LIMIT_BYTES);
    expect((await post(p, body)).res.status).toBe(200);
    expect(() => p.setState(STATES.bodyLimited, { bytes: 'lots' })).toThrow(/bytes as a whole number/);
  });

  it('keeps the default fixtures true to the states the spec examples imply', async () => {
    const p = createProvider();
    // The same sentences a consumer test would use for the doc's IDs are no-ops on the defaults.
    p.setState(STATES.promotionActive, { programId: 469, promotionId: 56799 });
    p.setState(STATES.promotionInactive, { programId: 469, promotionId: 56800 });
    p.setState(STATES.customerExists, { customerId: 98662653 });
    p.setState(STATES.customerExhausted, {
      customerId: 423815857,
      programId: 2607,
      promotion: 'Promo_testMay13',
    });
    for (const [req, res] of Object.entries(EXPECTED)) {
      // Earning examples answer fresh earnedIds, not the doc's.
      if (example<Answer>(res).response.some((e) => e.result?.earnedId !== undefined)) continue;
      expect((await post(p, example(req))).json, req).toEqual(example(res));
    }
  });
});

describe('admin routes', () => {
  const admin = (
    p: ReturnType<typeof createProvider>,
    method: string,
    url: string,
    body?: unknown,
    remoteAddress = '127.0.0.1',
  ) =>
    p.handle({
      method,
      url,
      headers: JSON_CT,
      body: body === undefined ? undefined : JSON.stringify(body),
      remoteAddress,
    });

  it('sets states in the Pact state-change format, resets, and lists the ledger', async () => {
    const p = createProvider({ admin: true });
    const set = await admin(p, 'POST', '/_admin/provider-states', {
      state: STATES.promotionInactive,
      params: { programId: 469, promotionId: 56799 },
      action: 'setup',
    });
    expect(set.status).toBe(200);
    expect(JSON.parse(set.body)).toEqual({ programId: 469, promotionId: 56799 });
    expect(codes((await post(p, example('doc-request'))).json)).toEqual([8892, 8892]);
    expect(
      (
        await admin(p, 'POST', '/_admin/provider-states', {
          state: STATES.promotionInactive,
          params: { programId: 469, promotionId: 56799 },
          action: 'teardown',
        })
      ).status,
    ).toBe(200);
    await post(p, example('doc-request'));
    const ledger = JSON.parse((await admin(p, 'GET', '/_admin/ledger')).body);
    expect(ledger.entries.map((e: { customerId: number }) => e.customerId)).toEqual([98662653, 98662632]);
    expect((await admin(p, 'POST', '/_admin/reset')).status).toBe(200);
    expect(JSON.parse((await admin(p, 'GET', '/_admin/ledger')).body)).toEqual({ entries: [], next: null });
  });

  it('answers 400 naming an unknown state or a bad body', async () => {
    const p = createProvider({ admin: true });
    const bad = await admin(p, 'POST', '/_admin/provider-states', { state: 'no such state' });
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('no such state');
    expect((await admin(p, 'POST', '/_admin/provider-states', { nope: 1 })).status).toBe(400);
    expect(
      (
        await p.handle({
          method: 'POST',
          url: '/_admin/provider-states',
          headers: { 'content-type': 'application/json' },
          body: 'x',
          remoteAddress: '::1',
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await admin(p, 'POST', '/_admin/provider-states', {
          state: STATES.programMissing,
          params: { programId: 1 },
          action: 'both',
        })
      ).status,
    ).toBe(400);
  });

  it('answers loopback callers only, and only when enabled', async () => {
    const on = createProvider({ admin: true });
    expect((await admin(on, 'GET', '/_admin/ledger', undefined, '10.1.2.3')).status).toBe(403);
    expect((await admin(on, 'GET', '/_admin/ledger', undefined, '::ffff:127.0.0.1')).status).toBe(200);
    expect((await admin(createProvider(), 'GET', '/_admin/ledger')).status).toBe(404);
  });
});

describe('ledger and counters', () => {
  it('keeps a bounded window of recent earns while the counters stay exact', async () => {
    const p = createProvider({ ledgerWindow: 5 });
    const ids = Array.from({ length: 12 }, (_, i) => LOAD_CUSTOMER_ID_FIRST + i);
    await post(p, request(469, 56799, ids));
    expect(p.ledger().map((e) => e.earnedId)).toEqual(['8', '9', '10', '11', '12']);
    expect(p.stats()).toEqual({ earned: 12, requests: 1 });
    p.reset();
    expect(p.ledger()).toEqual([]);
    expect(p.stats()).toEqual({ earned: 0, requests: 0 });
    // earnedIds are unique for the provider's lifetime: reset does not rewind them.
    const again = await post(p, request(469, 56799, ids.slice(0, 1)));
    expect(again.json.response[0]?.result?.earnedId).toBe('13');
  });

  it('keeps per-customer counts only for promotions with a limit, and reset restores exhausted customers', async () => {
    const p = createProvider();
    expect(codes((await post(p, request(2844, 200206, [423815857, 98662653, 98662653]))).json)).toEqual([
      8890, 0, 8890,
    ]);
    p.reset();
    expect(codes((await post(p, request(2844, 200206, [98662653]))).json)).toEqual([0]);
  });
});

describe('fixtures', () => {
  const dir = mkdtempSync(join(tmpdir(), 'directearn-fixtures-'));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('reads the example YAML file and the same data as JSON', () => {
    const yaml = loadFixturesFile('fixtures/example.yaml');
    expect(yaml.programs[0]?.promotions[0]).toMatchObject({
      id: 7001,
      identifier: 'SUMMER_BONUS',
      earnLimitPerCustomer: 2,
    });
    const json = loadFixturesFile(file('f.json', JSON.stringify(yaml)));
    expect(json).toEqual(yaml);
  });

  it('refuses a bad file naming the path and the field at fault', () => {
    const cases: [string, string, RegExp][] = [
      [
        'a.yaml',
        'programs:\n  - id: x\n',
        /a\.yaml: programs\[0\]\.id must be a positive whole number \(got "x"\)/,
      ],
      [
        'b.yaml',
        'programs: []\ncustomers:\n  - id: 1\n  - id: 1\n',
        /b\.yaml: customers\[1\]\.id repeats a customer ID/,
      ],
      [
        'c.yaml',
        'programs:\n  - id: 1\n    promotions:\n      - id: 2\n        active: "yes"\n',
        /c\.yaml: programs\[0\]\.promotions\[0\]\.active must be true or false/,
      ],
      ['d.json', '{"programs": [', /d\.json: not valid JSON/],
      ['e.yaml', 'programs: [\n', /e\.yaml: not valid YAML/],
      ['f.yaml', '- 1\n', /f\.yaml: the top level must be an object/],
      [
        'g.yaml',
        'programs:\n  - id: 1\n    promotions:\n      - id: 2\n        earnLimitPerCustomer: -1\n',
        /promotions\[0\]\.earnLimitPerCustomer must be a whole number >= 0/,
      ],
      [
        'h.yaml',
        'programs:\n  - id: 1\n    promotions: [{id: 2}]\nearnCounts:\n  - {customerId: 1, programId: 1, promotionId: 2, count: 1}\n',
        /earnCounts\[0\]\.promotionId names a promotion without earnLimitPerCustomer/,
      ],
      [
        'i.yaml',
        'programs: []\ncustomers:\n  - {id: 1, mobile: "91"}\n  - {id: 2, mobile: "91"}\n',
        /i\.yaml: customers\[1\]\.mobile repeats a mobile of another customer \(got "91"\)/,
      ],
      [
        'j.yaml',
        'programs: []\ncustomers:\n  - {id: 1, email: a@b}\n  - {id: 2, mobile: "92", email: a@b}\n',
        /j\.yaml: customers\[1\]\.email repeats an email of another customer \(got "a@b"\)/,
      ],
      [
        'k.yaml',
        'programs:\n  - id: 1\n    promotions: [{id: 2, identifier: P}, {id: 3, identifier: P}]\n',
        /k\.yaml: programs\[0\]\.promotions\[1\]\.identifier repeats a promotion identifier of this program/,
      ],
      [
        'l.yaml',
        'programs: []\ngeneratedCustomers: {first: 9, count: 2, step: 1}\n',
        /l\.yaml: generatedCustomers\.step is not a fixtures field \(generatedCustomers takes first, count\)/,
      ],
    ];
    for (const [name, text, want] of cases) {
      const path = file(name, text);
      expect(() => createProvider({ fixtures: path }), name).toThrow(FixturesError);
      expect(() => createProvider({ fixtures: path }), name).toThrow(want);
      expect(() => createProvider({ fixtures: path }), name).toThrow(path);
    }
    expect(() => createProvider({ fixtures: join(dir, 'missing.yaml') })).toThrow(
      /missing\.yaml: cannot read the fixtures file \(ENOENT\)/,
    );
  });

  it('validates the built-in default fixtures like any file', () => {
    expect(() => createProvider({ fixtures: DEFAULT_FIXTURES })).not.toThrow();
    expect(validateResponse(200, { response: [], totalCount: 0, failureCount: 0 }).ok).toBe(true);
  });
});
