// The doc's invariants on a bulk answer (src/contracts/invariants.ts): each one fails on the answer
// that breaks it, naming the invariant and the entry, and holds on the spec's own examples.
import { describe, expect, it } from 'vitest';
import { checkInvariants, INVARIANTS } from '../../src/contracts/invariants.js';
import { example } from '../../src/openapi/index.js';
import { STATES } from '../../src/states/index.js';

type Answer = {
  response: { result?: Record<string, unknown>; errors: unknown[]; warnings: unknown[] }[];
} & Record<string, unknown>;
const docRequest = example('doc-request');
const docAnswer = () => example<Answer>('doc-request-earned');
const mixedRequest = example('request-mixed-earned-8890-promo-identifier');
const mixedAnswer = () => example<Answer>('mixed-earned-8890-promo-identifier');

describe('the doc invariants', () => {
  it("hold on the spec's examples", () => {
    expect(checkInvariants(docRequest, docAnswer())).toEqual([]);
    expect(checkInvariants(mixedRequest, mixedAnswer())).toEqual([]);
    expect(
      checkInvariants(example('request-known-and-unknown-customer'), example('known-and-unknown-customer'), [
        { name: STATES.customerExists, params: { customerId: 98662653, mobile: '919866265300' } },
      ]),
    ).toEqual([]);
  });

  it('entityId must be the customer the entry answers, by id or through the state of a mobile', () => {
    const a = docAnswer();
    (a.response[1]?.result as Record<string, unknown>).entityId = 2;
    expect(checkInvariants(docRequest, a)).toEqual([
      `invariant "${INVARIANTS.entityId}": entry 1 answers id 98662632 (customer 98662632) with entityId 2`,
    ]);
    const byMobile = checkInvariants(example('request-earned-by-mobile'), example('earned-one-customer'), [
      { name: STATES.customerExists, params: { customerId: 1, mobile: '914239248120' } },
    ]);
    expect(byMobile[0]).toMatch(/entry 0 answers mobile 914239248120 \(customer 1\) with entityId 423924812/);
  });

  it('earnedIds unique; a warned 8890 entry issues nothing; one entry per customer; counts agree', () => {
    const dup = docAnswer();
    (dup.response[1]?.result as Record<string, unknown>).earnedId = '1';
    expect(checkInvariants(docRequest, dup)).toEqual([
      `invariant "${INVARIANTS.earnedIdsUnique}": entries 0 and 1 both carry earnedId 1`,
    ]);
    const issued = mixedAnswer();
    Object.assign(issued.response[2]?.result as object, { earnedId: '80' });
    expect(checkInvariants(mixedRequest, issued)).toEqual([
      `invariant "${INVARIANTS.warnedNotIssued}": entry 2 is warned 8890 yet carries earnedId`,
    ]);
    const dropped = docAnswer();
    dropped.response.pop();
    expect(checkInvariants(docRequest, dropped)).toEqual([
      `invariant "${INVARIANTS.oneEntryPerCustomer}": 2 customer(s) sent, 1 entries answered`,
      `invariant "${INVARIANTS.counts}": totalCount is 2 for 1 entries`,
    ]);
    const counted = mixedAnswer();
    counted.failureCount = 1;
    expect(checkInvariants(mixedRequest, counted)[0]).toMatch(
      /failureCount is 1 while 0 entries carry errors/,
    );
  });
});
