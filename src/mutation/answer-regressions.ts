// Regressions of the 200 bulk answer, each breaking one thing the public doc states about it: a
// catalogue code or message, a result field dropped, renamed or retyped, entries out of order or
// missing, counts that disagree, a warning lost or made an error, a lookup by identifier broken.
import { messageFor } from '../openapi/index.js';
import { codeOf, everyResult, failAll, lookupBroken, recode } from './edits.js';
import type { Variant } from './variant.js';

/** Regressions `verify` must catch in the body of a 200 answer. */
export const ANSWER_REGRESSIONS: readonly Variant[] = [
  {
    name: 'code-8892-changed',
    kind: 'regression',
    summary: 'inactive promotion answered with code 8893, not 8892',
    bulk: recode(8892, 8893),
  },
  {
    name: 'code-1101-changed',
    kind: 'regression',
    summary: 'unknown program answered with code 1100, not 1101',
    bulk: recode(1101, 1100),
  },
  {
    name: 'code-8881-changed',
    kind: 'regression',
    summary: 'missing parameters answered with code 8880, not 8881',
    bulk: recode(8881, 8880),
  },
  {
    name: 'message-8015-changed',
    kind: 'regression',
    summary: "8015's message in other words than the doc's",
    bulk: recode(8015, 8015, 'customer not found'),
  },
  {
    name: 'message-8899-changed',
    kind: 'regression',
    summary: "8899's message in other words than the doc's",
    bulk: recode(8899, 8899, 'Cannot issue to the user group'),
  },
  {
    name: 'message-8874-changed',
    kind: 'regression',
    summary: "8874's message in other words than the doc's",
    bulk: recode(8874, 8874, 'promotion identifier passed is invalid'),
  },
  {
    name: 'earnedId-dropped',
    kind: 'regression',
    summary: 'an earned result without earnedId',
    bulk: everyResult((r) => delete r.earnedId),
  },
  {
    name: 'issualId-renamed',
    kind: 'regression',
    summary: 'issualId answered as issuedId',
    bulk: everyResult((r) => {
      if (r.issualId !== undefined) {
        r.issuedId = r.issualId;
        delete r.issualId;
      }
    }),
  },
  {
    name: 'entityId-as-string',
    kind: 'regression',
    summary: 'entityId retyped from integer to string',
    bulk: everyResult((r) => {
      r.entityId = String(r.entityId);
    }),
  },
  {
    name: 'totalCount-as-string',
    kind: 'regression',
    summary: 'totalCount retyped from integer to string',
    bulk: (b) => {
      b.totalCount = String(b.totalCount);
    },
  },
  {
    name: 'programId-dropped',
    kind: 'regression',
    summary: 'results without programId',
    bulk: everyResult((r) => delete r.programId),
  },
  {
    name: 'promoIdentifier-as-promotionId',
    kind: 'regression',
    summary: 'a request by promoIdentifier answered with promotionId',
    bulk: everyResult((r) => {
      if (r.promoIdentifier !== undefined) {
        r.promotionId = 1;
        delete r.promoIdentifier;
      }
    }),
  },
  {
    name: 'entityId-row-number',
    kind: 'regression',
    summary: "entityId answered as the entry's row number, not the customer's id",
    bulk: everyResult((r, i) => {
      r.entityId = i + 1;
    }),
  },
  {
    name: 'earnedId-repeated',
    kind: 'regression',
    summary: 'the same earnedId twice in one answer',
    bulk: (b) => {
      const first = b.response.find((e) => e.result?.earnedId !== undefined)?.result?.earnedId;
      everyResult((r) => {
        if (r.earnedId !== undefined) r.earnedId = first;
      })(b);
    },
  },
  {
    name: 'warned-entry-issues',
    kind: 'regression',
    summary: 'an entry warned 8890 ("not issued") still carries issualId and earnedId',
    bulk: (b) => {
      for (const e of b.response)
        if (e.warnings.some((w) => codeOf(w) === 8890) && e.result)
          Object.assign(e.result, { issualId: '5', earnedId: '99999' });
    },
  },
  {
    name: 'entries-reversed',
    kind: 'regression',
    summary: 'entries not in request order',
    bulk: (b) => {
      b.response.reverse();
    },
  },
  {
    name: 'customer-dropped',
    kind: 'regression',
    summary: 'the last customer of a batch gets no entry',
    bulk: (b) => {
      if (b.response.length > 1) {
        b.response.pop();
        b.totalCount = b.response.length;
      }
    },
  },
  {
    name: 'failureCount-counts-warnings',
    kind: 'regression',
    summary: 'a warned entry counted in failureCount (the doc: 8890 is not a failure)',
    bulk: (b) => {
      b.failureCount = b.response.filter((e) => e.errors.length + e.warnings.length > 0).length;
    },
  },
  {
    name: 'totalCount-off-by-one',
    kind: 'regression',
    summary: 'totalCount one more than the entries',
    bulk: (b) => {
      b.totalCount = b.response.length + 1;
    },
  },
  {
    name: 'warning-dropped',
    kind: 'regression',
    summary: 'the 8890 warning left out',
    bulk: (b) => {
      for (const e of b.response) e.warnings = [];
    },
  },
  {
    name: 'warning-as-error',
    kind: 'regression',
    summary: '8890 answered as an error, counted as a failure',
    bulk: (b) => {
      for (const e of b.response) {
        e.errors.push(...e.warnings);
        e.warnings = [];
      }
      b.failureCount = b.response.filter((e) => e.errors.length > 0).length;
    },
  },
  {
    name: 'id-lookup-broken',
    kind: 'regression',
    summary: 'customers named by id are never found (8015)',
    bulk: lookupBroken('id'),
  },
  {
    name: 'mobile-lookup-broken',
    kind: 'regression',
    summary: 'customers named by mobile are never found (8015)',
    bulk: lookupBroken('mobile'),
  },
  {
    name: 'email-lookup-broken',
    kind: 'regression',
    summary: 'customers named by email are never found (8015)',
    bulk: lookupBroken('email'),
  },
  {
    name: 'error-poisons-batch',
    kind: 'regression',
    summary: 'one unknown customer fails the whole batch with 8015',
    bulk: (b) => {
      if (b.response.some((e) => e.errors.some((x) => codeOf(x) === 8015)))
        failAll(8015, messageFor(8015, 'error'))(b);
    },
  },
];
