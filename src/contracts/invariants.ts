// What the doc says about every 200 answer that no Pact matcher can express, checked on the answers
// a verification actually received. Derived from the catalogue (which codes are warnings, which
// count as failures) and from the interaction's request and provider states (which customer each
// entry answers), in this one place for `verify`, in-process verification and `check`.
import { catalogue, ENDPOINT_PATH } from '../openapi/index.js';
import { STATES } from '../states/index.js';
import type { PactInteraction } from './pacts.js';
import { type Exchange, exchangeKey, pactRequestKey, parseJson } from './recording-proxy.js';

/** A state of an interaction as the verifier sent it (after a states file or pool mapped it). */
export interface SentState {
  name: string;
  params?: Record<string, unknown>;
}

/** The names of the invariants, as a report prints them. */
export const INVARIANTS = {
  oneEntryPerCustomer: 'one entry per customer, in request order',
  entityId: 'entityId is the id of the customer the entry answers',
  earnedIdsUnique: 'earnedIds are unique within an answer',
  warnedNotIssued: 'an entry warned "not issued" carries no issualId/earnedId',
  counts: 'totalCount and failureCount agree with the entries',
} as const;

interface Entry {
  result?: Record<string, unknown>;
  errors?: { code?: unknown }[];
  warnings?: { code?: unknown }[];
}

/** Catalogue facts the invariants need: warning codes that issue nothing, error codes that are not failures. */
function catalogueFacts(): { notIssued: Set<number>; notFailures: Set<number> } {
  const entries = catalogue();
  return {
    notIssued: new Set(entries.filter((c) => c.kind === 'warning').map((c) => c.code as number)),
    notFailures: new Set(
      entries
        .filter((c) => c.kind !== 'http' && c.failure === false && c.code !== null)
        .map((c) => c.code as number),
    ),
  };
}

/**
 * The customer id each identifier value names, from the interaction's "customer N exists" states
 * (their mobile/email params); for identifierName id the value is the id itself.
 */
function expectedCustomer(
  identifierName: string,
  value: string,
  states: readonly SentState[],
): string | undefined {
  if (identifierName === 'id') return value;
  for (const s of states) {
    if (s.name !== STATES.customerExists) continue;
    if (String(s.params?.[identifierName] ?? '') === value) return String(s.params?.customerId);
  }
  return undefined;
}

/**
 * Checks a 200 answer against the invariants; returns one line per violation, each naming the
 * invariant and the entry (empty when the answer holds them all or is not a bulk answer at all,
 * which the Pact matchers already report).
 */
export function checkInvariants(
  request: unknown,
  answer: unknown,
  states: readonly SentState[] = [],
): string[] {
  const req = request as { identifierName?: unknown; customers?: { identifierValue?: unknown }[] } | null;
  const body = answer as { response?: unknown; totalCount?: unknown; failureCount?: unknown } | null;
  if (req === null || typeof req !== 'object' || !Array.isArray(req.customers)) return [];
  if (body === null || typeof body !== 'object' || !Array.isArray(body.response)) return [];
  const entries = body.response as Entry[];
  const customers = req.customers;
  const problems: string[] = [];
  const say = (name: keyof typeof INVARIANTS, what: string) =>
    problems.push(`invariant "${INVARIANTS[name]}": ${what}`);
  const facts = catalogueFacts();

  if (entries.length !== customers.length)
    say('oneEntryPerCustomer', `${customers.length} customer(s) sent, ${entries.length} entries answered`);

  const identifierName = String(req.identifierName ?? 'id');
  entries.forEach((entry, i) => {
    const id = entry?.result?.entityId;
    const value = customers[i]?.identifierValue;
    if (id === undefined || value === undefined) return;
    const want = expectedCustomer(identifierName, String(value), states);
    if (want !== undefined && String(id) !== want)
      say(
        'entityId',
        `entry ${i} answers ${identifierName} ${String(value)} (customer ${want}) with entityId ${String(id)}`,
      );
  });

  const seen = new Map<string, number>();
  entries.forEach((entry, i) => {
    const earned = entry?.result?.earnedId;
    if (earned === undefined || earned === null) return;
    const key = String(earned);
    const first = seen.get(key);
    if (first !== undefined) say('earnedIdsUnique', `entries ${first} and ${i} both carry earnedId ${key}`);
    else seen.set(key, i);
  });

  entries.forEach((entry, i) => {
    const warned = (entry?.warnings ?? []).find((w) => facts.notIssued.has(Number(w?.code)));
    if (warned === undefined) return;
    const ids = ['issualId', 'earnedId'].filter(
      (k) => entry.result?.[k] !== undefined && entry.result?.[k] !== null,
    );
    if (ids.length > 0)
      say('warnedNotIssued', `entry ${i} is warned ${String(warned.code)} yet carries ${ids.join(' and ')}`);
  });

  const failures = entries.filter((e) =>
    (e?.errors ?? []).some((err) => !facts.notFailures.has(Number(err?.code))),
  ).length;
  if (body.totalCount !== entries.length)
    say('counts', `totalCount is ${JSON.stringify(body.totalCount)} for ${entries.length} entries`);
  if (body.failureCount !== failures)
    say(
      'counts',
      `failureCount is ${JSON.stringify(body.failureCount)} while ${failures} entries carry errors (warnings are not failures)`,
    );
  return problems;
}

/**
 * The invariants on recorded answers of pact interactions replayed as written (an in-process
 * verifier that sets the pacts' own states): per description, the problems found, for every 200
 * interaction whose exchange was recorded; `unmatched` lists the 200 ones with no exchange.
 */
export function invariantsOfExchanges(
  interactions: readonly PactInteraction[],
  exchanges: readonly Exchange[],
): { checked: Map<string, string[]>; unmatched: string[] } {
  const checked = new Map<string, string[]>();
  const unmatched: string[] = [];
  const used = new Set<Exchange>();
  const endpoint = exchanges.filter((x) => x.path.split('?')[0]?.endsWith(ENDPOINT_PATH));
  for (const pi of interactions.filter((i) => i.status === 200)) {
    const key = pactRequestKey(pi.raw);
    const x = endpoint.find((e) => !used.has(e) && exchangeKey(e) === key);
    if (x === undefined) {
      unmatched.push(pi.description);
      continue;
    }
    used.add(x);
    const req = (pi.raw.request as { body?: { content?: unknown } }).body?.content;
    checked.set(pi.description, checkInvariants(req, parseJson(x.responseBody), pi.states));
  }
  return { checked, unmatched };
}
