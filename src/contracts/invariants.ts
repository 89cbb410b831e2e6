// What the doc says about every 200 answer that no Pact matcher can express, checked on the answers
// a verification actually received, each broken one returned as a finding (src/contracts/findings.ts
// renders them). Derived from the catalogue (which codes are warnings, which count as failures) and
// from the interaction's request and provider states (which customer each entry answers), in this
// one place for `verify`, in-process verification, `check` and the proxy.
import { catalogue } from '../openapi/index.js';
import type { DirectEarnRequest } from '../openapi/types.js';
import { STATES } from '../states/index.js';
import { matchExchanges, parseJson } from './exchange-match.js';
import type { Finding, InvariantRule } from './findings.js';
import type { PactInteraction } from './pacts.js';
import type { Exchange } from './recording-proxy.js';

/** A state of an interaction as the verifier sent it (after a states file or pool mapped it). */
export interface SentState {
  name: string;
  params?: Record<string, unknown>;
}

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

/** One finding per broken invariant, in the order `checkInvariants` checks them. */
type Found = (rule: InvariantRule, f: Omit<Finding, 'rule'>) => void;

/** entityId names the customer each entry answers (by id, or through a "customer N exists" state). */
function checkEntityIds(
  identifierName: string,
  customers: { identifierValue?: unknown }[],
  entries: Entry[],
  states: readonly SentState[],
  found: Found,
): void {
  entries.forEach((entry, i) => {
    const id = entry?.result?.entityId;
    const value = customers[i]?.identifierValue;
    if (id === undefined || value === undefined) return;
    const want = expectedCustomer(identifierName, String(value), states);
    if (want !== undefined && String(id) !== want)
      found('entity-id-is-customer', {
        entry: i,
        field: `/response/${i}/result/entityId`,
        expected: want,
        received: id,
        context: { identifier: `${identifierName} ${String(value)}` },
      });
  });
}

/** No two entries carry one earnedId; an entry warned "not issued" carries no issualId/earnedId. */
function checkIssued(entries: Entry[], notIssued: Set<number>, found: Found): void {
  const seen = new Map<string, number>();
  entries.forEach((entry, i) => {
    const earned = entry?.result?.earnedId;
    if (earned === undefined || earned === null) return;
    const key = String(earned);
    const first = seen.get(key);
    if (first !== undefined)
      found('earned-ids-unique', {
        entry: i,
        field: `/response/${i}/result/earnedId`,
        expected: 'an earnedId no other entry carries',
        received: key,
        context: { sameAs: first },
      });
    else seen.set(key, i);
  });
  entries.forEach((entry, i) => {
    const warned = (entry?.warnings ?? []).find((w) => notIssued.has(Number(w?.code)));
    if (warned === undefined) return;
    const ids = ['issualId', 'earnedId'].filter(
      (k) => entry.result?.[k] !== undefined && entry.result?.[k] !== null,
    );
    if (ids.length > 0)
      found('warned-8890-issues-nothing', {
        entry: i,
        field: `/response/${i}/result/${ids[0]}`,
        expected: null,
        received: Object.fromEntries(ids.map((k) => [k, entry.result?.[k]])),
        context: { warning: String(warned.code) },
      });
  });
}

/**
 * Checks a 200 answer against the invariants; returns one finding per violation, each naming the
 * rule, the entry and the field (none when the answer holds them all or is not a bulk answer at
 * all, which the Pact matchers already report). Rendered by invariantLine (src/contracts/findings.ts).
 */
export function checkInvariants(
  request: unknown,
  answer: unknown,
  states: readonly SentState[] = [],
): Finding[] {
  const req = request as { identifierName?: unknown; customers?: { identifierValue?: unknown }[] } | null;
  const body = answer as { response?: unknown; totalCount?: unknown; failureCount?: unknown } | null;
  if (req === null || typeof req !== 'object' || !Array.isArray(req.customers)) return [];
  if (body === null || typeof body !== 'object' || !Array.isArray(body.response)) return [];
  const entries = body.response as Entry[];
  const customers = req.customers;
  const findings: Finding[] = [];
  const found: Found = (rule, f) => findings.push({ rule, ...f });
  const facts = catalogueFacts();

  if (entries.length !== customers.length)
    found('one-entry-per-customer', {
      field: '/response',
      expected: customers.length,
      received: entries.length,
    });
  checkEntityIds(String(req.identifierName ?? 'id'), customers, entries, states, found);
  checkIssued(entries, facts.notIssued, found);

  const failures = entries.filter((e) =>
    (e?.errors ?? []).some((err) => !facts.notFailures.has(Number(err?.code))),
  ).length;
  if (body.totalCount !== entries.length)
    found('counts-agree', { field: '/totalCount', expected: entries.length, received: body.totalCount });
  if (body.failureCount !== failures)
    found('counts-agree', { field: '/failureCount', expected: failures, received: body.failureCount });
  return findings;
}

/** The code every entry must carry when the request alone decides it (8899, 8881), else undefined. */
function requestLevelCode(request: DirectEarnRequest): number | undefined {
  if ((request.type as string) === 'USERGROUP2') return 8899;
  const details = (request as { promotionDetails?: Record<string, unknown> }).promotionDetails;
  const hasPromotion = details?.promotionId !== undefined || details?.promoIdentifier !== undefined;
  if (details?.programId === undefined || !hasPromotion) return 8881;
  return undefined;
}

/**
 * The request-level cases (8899, 8881) on a schema-valid request and its schema-valid 200 answer:
 * every entry lacking the error the request alone calls for. The proxy checks it; verify's pacts
 * pin those answers whole.
 */
export function checkRequestLevelCase(
  request: DirectEarnRequest,
  answer: { response: { errors: { code: number }[] }[] },
): Finding[] {
  const forced = requestLevelCode(request);
  if (forced === undefined) return [];
  return answer.response.flatMap((entry, i) =>
    entry.errors.some((x) => x.code === forced)
      ? []
      : [
          {
            rule: 'request-level-case' as const,
            entry: i,
            field: `/response/${i}/errors`,
            expected: forced,
            received: entry.errors.map((x) => x.code),
          },
        ],
  );
}

/**
 * The invariants on recorded answers of pact interactions replayed as written (an in-process
 * verifier that sets the pacts' own states): per description, the findings, for every 200
 * interaction whose exchange was recorded; `unmatched` lists the 200 ones with no exchange.
 */
export function invariantsOfExchanges(
  interactions: readonly PactInteraction[],
  exchanges: readonly Exchange[],
): { checked: Map<string, Finding[]>; unmatched: string[] } {
  const checked = new Map<string, Finding[]>();
  const unmatched: string[] = [];
  const ok = interactions.filter((i) => i.status === 200);
  const matched = matchExchanges(ok, (pi) => pi.raw, exchanges);
  for (const pi of ok) {
    const x = matched.get(pi);
    if (x === undefined) {
      unmatched.push(pi.description);
      continue;
    }
    const req = (pi.raw.request as { body?: { content?: unknown } }).body?.content;
    checked.set(pi.description, checkInvariants(req, parseJson(x.responseBody), pi.states));
  }
  return { checked, unmatched };
}
