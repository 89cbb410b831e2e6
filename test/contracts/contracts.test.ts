// The contracts API: the interactions table pins every documented case, the committed pacts are
// what the table makes and agree with the spec, and verification reports each interaction honestly
// (failed when the provider differs, not-verified when a state is unmapped, never passed instead).
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_BASIC_PASSWORD,
  DEFAULT_BASIC_USER,
  DEFAULT_READONLY_BASIC_PASSWORD,
  DEFAULT_READONLY_BASIC_USER,
  DEFAULT_TOKEN,
} from '../../src/config/defaults.js';
import { BODY_LIMIT_413, coveredCases, interactions, NOT_PINNED } from '../../src/contracts/interactions.js';
import { pactFiles, pactInteractions } from '../../src/contracts/pacts.js';
import { checkPactsAgainstSpec } from '../../src/contracts/spec-check.js';
import type { StatesFile, StatesMap } from '../../src/contracts/states-file.js';
import { checkStatesMap } from '../../src/contracts/states-file.js';
import { verifyPacts } from '../../src/contracts/verification.js';
import { catalogue, example, messageFor } from '../../src/openapi/index.js';
import { DEFAULT_FIXTURES } from '../../src/provider/index.js';
import { startProvider } from '../../src/provider/server.js';
import { describeState, isStateName, placeholders, STATES } from '../../src/states/index.js';

/** A states map as verifyPacts takes it: a states file without a path or a pool. */
const fileOf = (states: StatesMap): StatesFile => ({ path: undefined, states, pool: undefined });

describe('the interactions table', () => {
  it('pins earned, every documented error and warning code, a 400, a 401, a 403, a 413 and a 429', () => {
    const wanted = catalogue()
      .filter((c) => c.kind !== 'http')
      .map((c) => c.case);
    expect(coveredCases()).toEqual(
      expect.arrayContaining([...wanted, 'http-400', 'http-401', 'http-403', 'http-413', 'http-429']),
    );
    expect(interactions().filter((i) => i.case === '8881')).toHaveLength(2);
  });

  it('pins every catalogue case or says in NOT_PINNED why it has no pact, never both', () => {
    const pinned = new Set(coveredCases());
    for (const c of catalogue()) {
      expect(pinned.has(c.case) !== (NOT_PINNED[c.case] !== undefined), c.case).toBe(true);
    }
    for (const name of Object.keys(NOT_PINNED)) expect(catalogue().map((c) => c.case)).toContain(name);
  });

  it('names each interaction once, each with states of src/states and all their parameters', () => {
    const descriptions = interactions().map((i) => i.description);
    expect(new Set(descriptions).size).toBe(descriptions.length);
    for (const i of interactions()) {
      expect(i.states.length, i.description).toBeGreaterThan(0);
      for (const s of i.states) {
        expect(isStateName(s.name), s.name).toBe(true);
        for (const p of placeholders(s.name)) expect(s.params[p], `${i.description}: ${p}`).toBeDefined();
        expect(describeState(s.name, s.params)).not.toMatch(/\{/);
      }
    }
  });

  it('takes bodies from the spec examples, adapting only the mixed example to one request', () => {
    const byCase = (c: string) => interactions().find((i) => i.case === c)!;
    expect(byCase('8892').responseBody).toEqual(example('error-8892'));
    const mixed = interactions().find((i) => i.request === 'request-mixed-earned-8890-promo-identifier')!
      .responseBody as { response: { result?: Record<string, unknown> }[] };
    const doc = example<{ response: { result?: Record<string, unknown> }[] }>(
      'mixed-earned-8890-promo-identifier',
    );
    expect(mixed.response.slice(0, 2)).toEqual(doc.response.slice(0, 2));
    expect(mixed.response[2]?.result).toEqual({
      entityType: 'CUSTOMER',
      entityId: doc.response[2]?.result?.entityId,
      promoIdentifier: 'Promo_testMay13',
      programId: 2607,
    });
    expect(JSON.stringify(mixed)).toContain(messageFor(8890, 'warning'));
    const bad = byCase('http-400').requestBody as Record<string, unknown>;
    expect(bad.identifierName).toBe('phone');
  });

  it("the 413 sends the doc's request with its customers repeated to just over the state's body limit", () => {
    const i = interactions().find((x) => x.case === 'http-413')!;
    expect(i.responseBody).toEqual(example('http-413'));
    expect(i.states[0]).toEqual({ name: STATES.bodyLimited, params: { bytes: BODY_LIMIT_413 } });
    const body = i.requestBody as { customers: unknown[] };
    const doc = example<{ customers: unknown[] }>('doc-request');
    expect(body).toEqual({ ...doc, customers: body.customers });
    expect(body.customers.slice(0, doc.customers.length)).toEqual(doc.customers);
    expect(new Set(body.customers.map((c) => JSON.stringify(c)))).toEqual(
      new Set(doc.customers.map((c) => JSON.stringify(c))),
    );
    const size = (b: unknown) => Buffer.byteLength(JSON.stringify(b));
    expect(size(body)).toBeGreaterThan(BODY_LIMIT_413);
    expect(size({ ...body, customers: body.customers.slice(0, -1) })).toBeLessThanOrEqual(BODY_LIMIT_413);
  });

  it('the 429 uses up the rate limit and pins an integer Retry-After', () => {
    const i = interactions().find((x) => x.case === 'http-429')!;
    expect(i.responseBody).toEqual(example('http-429'));
    expect(i.states[0]?.name).toBe(STATES.rateLimitUsedUp);
    const retryAfter = i.responseHeaders['Retry-After'];
    expect(retryAfter?.example).toMatch(new RegExp(retryAfter?.pattern ?? '^$'));
    expect('1.5').not.toMatch(new RegExp(retryAfter?.pattern ?? ''));
  });
});

describe('the committed pacts', () => {
  it('hold exactly the interactions of the table (run npm run pact:consumer after changing it)', () => {
    expect(pactFiles()).toHaveLength(1);
    expect(
      pactInteractions()
        .map((i) => i.description)
        .sort(),
    ).toEqual(
      interactions()
        .map((i) => i.description)
        .sort(),
    );
    for (const i of pactInteractions()) {
      expect(i.states.map((s) => s.name)).toEqual(
        interactions()
          .find((t) => t.description === i.description)
          ?.states.map((s) => s.name),
      );
    }
  });

  it('agree with openapi/directEarn.yaml (swagger-mock-validator)', async () => {
    const r = await checkPactsAgainstSpec();
    expect(r.problems).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.interactions).toHaveLength(pactInteractions().length);
  });

  it('a pact the spec does not allow fails the spec check, naming the interaction', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'directearn-bad-pact-'));
    const file = pactFiles()[0] as string;
    const pact = JSON.parse(await readFile(file, 'utf8'));
    const earned = pact.interactions.find((i: { description: string }) =>
      i.description.startsWith('answers 8892'),
    );
    earned.request.body.content.type = 'customer';
    delete earned.response.body.content.response[0].warnings;
    await writeFile(join(dir, 'bad.json'), JSON.stringify(pact));
    const r = await checkPactsAgainstSpec({ dir });
    expect(r.ok).toBe(false);
    const bad = r.interactions.find((i) => i.description === earned.description);
    expect(bad?.ok).toBe(false);
    expect(bad?.problems.join('\n')).toMatch(/request\.body\.incompatible/);
    expect(bad?.problems.join('\n')).toMatch(/warnings/);
    expect(r.interactions.filter((i) => !i.ok)).toHaveLength(1);
  });

  it('an empty pact folder is a failure, not a pass', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'directearn-no-pact-'));
    const r = await checkPactsAgainstSpec({ dir });
    expect(r.ok).toBe(false);
    expect(r.problems[0]).toMatch(/no pact files/);
  });
});

const ALL_CREDENTIALS = {
  basic: { user: DEFAULT_BASIC_USER, password: DEFAULT_BASIC_PASSWORD },
  token: DEFAULT_TOKEN,
  readOnlyBasic: { user: DEFAULT_READONLY_BASIC_USER, password: DEFAULT_READONLY_BASIC_PASSWORD },
};

// Every test verifies against its own provider with its own pact-verifier process, so they run side
// by side; the longer timeout is for a busy machine, where side-by-side runs share the cores.
describe.concurrent('verifyPacts', { timeout: 120_000 }, () => {
  it('verifies every interaction against the embedded reference provider', async () => {
    const r = await verifyPacts();
    expect(r.embedded).toBe(true);
    expect(r.counts).toEqual({
      total: pactInteractions().length,
      passed: pactInteractions().length,
      failed: 0,
      skipped: 0,
      notVerified: 0,
      noted: 0,
    });
    expect(r.ok).toBe(true);
    expect(r.interactions.every((i) => i.case !== '?')).toBe(true);
  });

  it('fails only the interaction whose expectation the provider does not meet, saying where', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'directearn-wrong-'));
    const pact = JSON.parse(await readFile(pactFiles()[0] as string, 'utf8'));
    const i8015 = pact.interactions.find((i: { description: string }) =>
      i.description.startsWith('answers 8015'),
    );
    i8015.response.body.content.failureCount = 0;
    await writeFile(join(dir, 'wrong.json'), JSON.stringify(pact));
    const r = await verifyPacts({ dir });
    expect(r.ok).toBe(false);
    const failed = r.interactions.filter((i) => i.status === 'failed');
    expect(failed.map((i) => i.case)).toEqual(['8015']);
    expect(failed[0]?.message).toMatch(/failureCount/);
    expect(r.counts.passed).toBe(r.counts.total - 1);
  });

  it('with a states map, uses the mapped IDs, and reports interactions with an unmapped state as not verified', async () => {
    // Other IDs than the pacts': the reference provider's states create them, the requests name them.
    const states: StatesMap = {
      [STATES.promotionActive]: { programId: 7001, promotionId: 7002 },
      [STATES.customerExists]: { customerId: 7003, mobile: '917000000003', email: 'c7003@example.com' },
      [STATES.promotionInactive]: { programId: 7001, promotionId: 7004 },
    };
    const r = await verifyPacts({ states: fileOf(states) });
    const byDescription = new Map(r.interactions.map((i) => [i.description, i]));
    expect(byDescription.get('answers 8892 when the promotion is inactive')?.status).toBe('passed');
    expect(byDescription.get("answers earned for both customers of the doc's request")?.status).toBe(
      'passed',
    );
    const unmapped = r.interactions.filter((i) => i.status === 'not-verified');
    expect(unmapped.map((i) => i.case).sort()).toEqual(
      ['1101', '8015', '8015', '8874', '8874', '8890', '8890', 'http-413', 'http-429'].sort(),
    );
    expect(unmapped[0]?.message).toMatch(/state "[^"]+" is not mapped in the states file/);
    expect(byDescription.get('answers earned when the customer is named by mobile')?.status).toBe('passed');
    expect(r.counts.failed).toBe(0);
    expect(r.ok).toBe(false);
  });

  it("on a real host, the 413/429 interactions are skipped even when mapped, and the run passes: a states file cannot set the host's limits", async () => {
    // The target is a reference provider without state-change URL, as a real host is: its data is
    // the doc's, so every data state maps to the pacts' own IDs (one customer with all identifiers).
    // ...plus a promotion that can never be issued (limit 0), as a real CRM would be prepared.
    const target = await startProvider({
      host: '127.0.0.1',
      port: 0,
      admin: true,
      fixtures: {
        ...DEFAULT_FIXTURES,
        programs: [
          ...DEFAULT_FIXTURES.programs,
          { id: 5000, promotions: [{ id: 5001, active: true, earnLimitPerCustomer: 0 }] },
        ],
      },
    });
    try {
      const states: StatesMap = {};
      for (const i of interactions()) for (const s of i.states) states[s.name] ??= s.params;
      states[STATES.promotionNeverIssued] = { programId: 5000, promotionId: 5001 };
      states[STATES.customerExists] = {
        customerId: 423924812,
        mobile: '914239248120',
        email: 'customer423924812@example.com',
      };
      expect(Object.keys(states)).toEqual(
        expect.arrayContaining([STATES.rateLimitUsedUp, STATES.bodyLimited]),
      );
      const r = await verifyPacts({
        providerBaseUrl: target.url,
        states: fileOf(states),
        credentials: ALL_CREDENTIALS,
      });
      const skipped = r.interactions.filter((i) => i.status === 'skipped');
      expect(skipped.map((i) => i.case).sort()).toEqual(['http-413', 'http-429']);
      for (const i of skipped) expect(i.message).toMatch(/inferred limit.*--state-change-url/);
      expect(r.counts).toMatchObject({ failed: 0, skipped: 2, notVerified: 0, passed: r.counts.total - 2 });
      expect(r.ok).toBe(true);
      expect(
        (
          await verifyPacts({
            providerBaseUrl: target.url,
            states: fileOf(states),
            credentials: ALL_CREDENTIALS,
            strict: true,
          })
        ).ok,
      ).toBe(false);
      // Neither was sent: the host (whose limits are its own 4 MiB and none) would have issued to
      // their customers. The ledger holds exactly the earns of the interactions that passed, twice.
      const earnsOfPassed = interactions()
        .filter((i) => i.status === 200)
        .flatMap((i) => (i.responseBody as { response: { result?: { earnedId?: unknown } }[] }).response)
        .filter((e) => e.result?.earnedId !== undefined).length;
      expect(target.provider.ledger()).toHaveLength(2 * earnsOfPassed);
      // With the host's state-change URL the same states file verifies them.
      const withUrl = await verifyPacts({
        providerBaseUrl: target.url,
        states: fileOf(states),
        credentials: ALL_CREDENTIALS,
        stateChangeUrl: `${target.url}/_admin/provider-states`,
      });
      expect(withUrl.interactions.filter((i) => i.status !== 'passed')).toEqual([]);
    } finally {
      await target.close();
    }
  });

  it('refuses a states file that names an unknown state or misses a parameter', () => {
    expect(() => checkStatesMap({ 'program 1 is great': {} })).toThrow(
      /unknown provider state "program 1 is great"/,
    );
    expect(() => checkStatesMap({ [STATES.customerExists]: {} })).toThrow(/needs parameter customerId/);
    expect(() => checkStatesMap(['x'])).toThrow(/got a list/);
  });
});

// runConsumerContracts (the consumer tests into an emptied folder, one test per interaction, the
// committed pact written again) is asserted in test/check/check.test.ts on the run `directearn check`
// makes anyway: a second consumer run here cost about 5 s of CPU and proved nothing more.
