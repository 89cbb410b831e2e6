// Harmless variations of the provider: each changes only what a tolerant consumer must accept (other
// HTTP error bodies, unknown fields, key order, other IDs, extra headers, integer IDs, whitespace,
// a Content-Type without charset), which `verify` must pass.
import { everyResult, reverseKeys } from './edits.js';
import type { Variant } from './variant.js';

/** Variations `verify` must pass. */
export const BENIGN_VARIANTS: readonly Variant[] = [
  {
    name: 'other-http-error-bodies',
    kind: 'benign',
    summary:
      'every non-200 answer with a body of its own shape and words (the doc gives no HTTP error body): judged by status, a note unless --strict',
    response: (res) =>
      res.status === 200
        ? res
        : {
            ...res,
            headers: { ...res.headers, 'content-type': 'application/json' },
            body: JSON.stringify({
              status: { success: false, code: res.status, message: `request refused (${res.status})` },
            }),
          },
  },
  {
    name: 'unknown-fields',
    kind: 'benign',
    summary: 'extra fields in the answer, each result and each error',
    bulk: (b) => {
      b.requestId = 'r-1';
      for (const e of b.response) {
        if (e.result) e.result.extra = true;
        for (const x of [...e.errors, ...e.warnings]) x.hint = 'see doc';
      }
    },
  },
  {
    name: 'key-order',
    kind: 'benign',
    summary: 'every object with its keys in reverse order',
    response: (res) =>
      res.status === 200 ? { ...res, body: JSON.stringify(reverseKeys(JSON.parse(res.body))) } : res,
  },
  {
    name: 'other-generated-ids',
    kind: 'benign',
    summary: 'other (still unique) earnedIds and issualIds',
    bulk: everyResult((r) => {
      if (r.earnedId !== undefined) r.earnedId = String(Number(r.earnedId) + 7_000_000);
      if (r.issualId !== undefined) r.issualId = `9${String(r.issualId)}`;
    }),
  },
  {
    name: 'extra-headers',
    kind: 'benign',
    summary: 'extra response headers',
    response: (res) => ({
      ...res,
      headers: { ...res.headers, 'x-request-id': 'abc-123', 'cache-control': 'no-store', server: 'crm' },
    }),
  },
  {
    name: 'integer-ids',
    kind: 'benign',
    summary: "earnedId and issualId as integers (the doc's table says Integer, its examples strings)",
    bulk: everyResult((r) => {
      for (const k of ['earnedId', 'issualId']) if (r[k] !== undefined) r[k] = Number(r[k]);
    }),
  },
  {
    name: 'pretty-json',
    kind: 'benign',
    summary: 'the answer pretty-printed',
    response: (res) =>
      res.status === 200 ? { ...res, body: JSON.stringify(JSON.parse(res.body), null, 2) } : res,
  },
  {
    name: 'content-type-no-charset',
    kind: 'benign',
    summary: 'Content-Type application/json without a charset',
    response: (res) => ({ ...res, headers: { ...res.headers, 'content-type': 'application/json' } }),
  },
];
