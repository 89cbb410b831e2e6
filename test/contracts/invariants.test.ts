// The doc's invariants on a bulk answer (src/contracts/invariants.ts): each one fails on the answer
// that breaks it with a finding naming the rule, the entry, the field, what was expected and what was
// received, holds on the spec's own examples, and renders as verify and the proxy print it. Every
// rule of INVARIANT_RULES is broken once here and counted by the proxy, so a new rule without a
// break, a rendering or a place in the proxy's report fails this file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/cli/command.js';
import { main } from '../../src/cli/main.js';
import {
  type Finding,
  INVARIANT_RULES,
  type InvariantRule,
  invariantLine,
  invariantMessage,
  RULE_TEXT,
} from '../../src/contracts/findings.js';
import { checkInvariants, checkRequestLevelCase } from '../../src/contracts/invariants.js';
import { serveVariants } from '../../src/mutation/variant-host.js';
import { type DirectEarnRequest, example } from '../../src/openapi/index.js';
import { RULES } from '../../src/proxy/judge-exchange.js';
import { ProxyTally } from '../../src/proxy/report.js';
import { STATES } from '../../src/states/index.js';
import { ALL_CREDENTIAL_FLAGS } from '../support/real-host.js';

type Answer = {
  response: { result?: Record<string, unknown>; errors: { code: number }[]; warnings: unknown[] }[];
} & Record<string, unknown>;
const docRequest = example('doc-request');
const docAnswer = () => example<Answer>('doc-request-earned');
const mixedRequest = example<DirectEarnRequest>('request-mixed-earned-8890-promo-identifier');
const mixedAnswer = () => example<Answer>('mixed-earned-8890-promo-identifier');
const lines = (findings: Finding[]) => findings.map(invariantLine);

describe('the doc invariants', () => {
  it("hold on the spec's examples", () => {
    expect(checkInvariants(docRequest, docAnswer())).toEqual([]);
    expect(checkInvariants(mixedRequest, mixedAnswer())).toEqual([]);
    expect(checkRequestLevelCase(mixedRequest, mixedAnswer())).toEqual([]);
    expect(
      checkInvariants(example('request-known-and-unknown-customer'), example('known-and-unknown-customer'), [
        { name: STATES.customerExists, params: { customerId: 98662653, mobile: '919866265300' } },
      ]),
    ).toEqual([]);
  });

  it('entityId must be the customer the entry answers, by id or through the state of a mobile', () => {
    const a = docAnswer();
    (a.response[1]?.result as Record<string, unknown>).entityId = 2;
    const found = checkInvariants(docRequest, a);
    expect(found).toEqual([
      {
        rule: 'entity-id-is-customer',
        entry: 1,
        field: '/response/1/result/entityId',
        expected: '98662632',
        received: 2,
        context: { identifier: 'id 98662632' },
      },
    ]);
    expect(lines(found)).toEqual([
      'invariant "entityId is the id of the customer the entry answers": entry 1 answers id 98662632 (customer 98662632) with entityId 2',
    ]);
    const byMobile = checkInvariants(example('request-earned-by-mobile'), example('earned-one-customer'), [
      { name: STATES.customerExists, params: { customerId: 1, mobile: '914239248120' } },
    ]);
    expect(lines(byMobile)[0]).toMatch(
      /entry 0 answers mobile 914239248120 \(customer 1\) with entityId 423924812/,
    );
  });

  it('earnedIds unique; a warned 8890 entry issues nothing; one entry per customer; counts agree', () => {
    const dup = docAnswer();
    (dup.response[1]?.result as Record<string, unknown>).earnedId = '1';
    expect(lines(checkInvariants(docRequest, dup))).toEqual([
      'invariant "earnedIds are unique within an answer": entries 0 and 1 both carry earnedId 1',
    ]);
    const issued = mixedAnswer();
    Object.assign(issued.response[2]?.result as object, { earnedId: '80' });
    const warned = checkInvariants(mixedRequest, issued);
    expect(warned).toMatchObject([
      { rule: 'warned-8890-issues-nothing', entry: 2, expected: null, received: { earnedId: '80' } },
    ]);
    expect(lines(warned)).toEqual([
      'invariant "an entry warned "not issued" carries no issualId/earnedId": entry 2 is warned 8890 yet carries earnedId',
    ]);
    const dropped = docAnswer();
    dropped.response.pop();
    const short = checkInvariants(docRequest, dropped);
    expect(short).toEqual([
      { rule: 'one-entry-per-customer', field: '/response', expected: 2, received: 1 },
      { rule: 'counts-agree', field: '/totalCount', expected: 1, received: 2 },
    ]);
    expect(lines(short)).toEqual([
      'invariant "one entry per customer, in request order": 2 customer(s) sent, 1 entries answered',
      'invariant "totalCount and failureCount agree with the entries": totalCount is 2 for 1 entries',
    ]);
    const counted = mixedAnswer();
    counted.failureCount = 1;
    expect(invariantMessage(checkInvariants(mixedRequest, counted)[0] as Finding)).toBe(
      '/failureCount: failureCount is 1 while 0 entries carry errors (warnings are not failures)',
    );
  });
});

/** One answer (and request) breaking each rule once: a rule added without a line here fails below. */
const BREAKS: Record<InvariantRule, () => Finding[]> = {
  'one-entry-per-customer': () => {
    const a = mixedAnswer();
    a.response.pop();
    a.totalCount = 2;
    return checkInvariants(mixedRequest, a);
  },
  'counts-agree': () => checkInvariants(mixedRequest, { ...mixedAnswer(), totalCount: 9 }),
  'entity-id-is-customer': () => {
    const a = mixedAnswer();
    (a.response[0]?.result as Record<string, unknown>).entityId = 1;
    return checkInvariants(mixedRequest, a);
  },
  'earned-ids-unique': () => {
    const a = mixedAnswer();
    (a.response[1]?.result as Record<string, unknown>).earnedId = a.response[0]?.result?.earnedId;
    return checkInvariants(mixedRequest, a);
  },
  'warned-8890-issues-nothing': () => {
    const a = mixedAnswer();
    Object.assign(a.response[2]?.result as object, { issualId: 7, earnedId: '80' });
    return checkInvariants(mixedRequest, a);
  },
  'request-level-case': () =>
    checkRequestLevelCase({ ...mixedRequest, type: 'USERGROUP2' } as DirectEarnRequest, mixedAnswer()),
};

describe('every invariant rule', () => {
  it('has a break, a rendering for verify and the proxy, and a count in the proxy report', () => {
    expect(Object.keys(BREAKS).sort()).toEqual([...INVARIANT_RULES].sort());
    for (const rule of INVARIANT_RULES) {
      const found = BREAKS[rule]();
      expect(found.map((f) => f.rule)).toContain(rule);
      const f = found.find((x) => x.rule === rule) as Finding;
      expect(f.field).toMatch(/^\/(response|totalCount|failureCount)/);
      expect(invariantLine(f)).toBe(`invariant "${RULE_TEXT[rule].title}": ${RULE_TEXT[rule].detail(f)}`);
      expect(invariantMessage(f)).toContain(f.field);
      expect(RULES).toContain(rule);
      // The proxy's report counts it under its own name, not under another rule's.
      const tally = new ProxyTally('http://127.0.0.1:1');
      tally.add({
        seq: 1,
        method: 'POST',
        url: '/',
        checked: true,
        violations: [{ side: 'response', rule: f.rule, field: f.field, message: invariantMessage(f) }],
      });
      expect(tally.result().rules[rule]).toBe(1);
    }
  });

  it('says which fields a warned entry carries, and the code the request-level case lacks', () => {
    expect(invariantMessage(BREAKS['warned-8890-issues-nothing']()[0] as Finding)).toBe(
      '/response/2/result/issualId: entry 2 is warned 8890 yet carries issualId and earnedId',
    );
    expect(invariantMessage(BREAKS['request-level-case']()[0] as Finding)).toMatch(
      /^\/response\/0\/errors lacks 8899 \(".+"\), which the request itself calls for$/,
    );
  });
});

describe('verify --target prints a broken invariant as its rendered finding', () => {
  let host: Awaited<ReturnType<typeof serveVariants>>;
  beforeAll(async () => {
    host = await serveVariants();
  });
  afterAll(async () => {
    await host?.close();
  });

  it('fails the 200 interactions of a host whose totalCount is one more than its entries', async () => {
    const url = `${host.url}/_variant/totalCount-off-by-one`;
    const out: string[] = [];
    const io: CliIO = { out: (l) => out.push(l), err: (l) => out.push(l), color: false, env: {}, cwd: '/' };
    const args = [
      '--target',
      url,
      ...ALL_CREDENTIAL_FLAGS,
      '--state-change-url',
      `${url}/_admin/provider-states`,
    ];
    const code = await main(['verify', ...args], io);
    const text = out.join('\n');
    expect(code, text).toBe(1);
    const found = [
      ...text.matchAll(
        /^ +invariant "totalCount and failureCount agree with the entries": totalCount is (\d+) for (\d+) entries$/gm,
      ),
    ];
    expect(found.length, text).toBeGreaterThan(0);
    for (const [, total, entries] of found) expect(Number(total)).toBe(Number(entries) + 1);
  }, 60_000);
});
