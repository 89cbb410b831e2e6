// The smoke's cases for a --target: the spec's request examples name the embedded provider's IDs,
// which a real host does not have. Each example is mapped, as `verify` maps a pact, through the
// provider states of its interaction onto the states file's IDs (fresh pool customers for the
// customers that earn) or the identity flags; an example that cannot be mapped is skipped, saying
// which state to add. HTTP error bodies are inferred: judged by status only unless strict.
import { interactions } from '../contracts/interactions.js';
import type { PactInteraction } from '../contracts/pacts.js';
import { PoolDraw } from '../contracts/pool.js';
import { mapIds, plan } from '../contracts/prepare.js';
import type { PoolCustomer, StatesFile, StatesMap } from '../contracts/states-file.js';
import { STATES } from '../states/index.js';
import type { SkippedCase, SmokeCase } from './cases.js';
import type { LoadIdentity } from './identity.js';

export interface TargetMapping {
  /** The states file (--states), with its pool when it has one; without it nor identity flags the examples' IDs are sent. */
  states?: StatesFile;
  /** The program and promotion flags, when given: they map "program P has active promotion Q". */
  identity?: LoadIdentity;
  /** Compare inferred HTTP error bodies word for word (--strict). */
  strict: boolean;
}

/** The states a run can map: the file's, and the active promotion from the identity flags. */
function statesOf(m: TargetMapping): StatesMap {
  const states: StatesMap = { ...(m.states?.states ?? {}) };
  if (m.identity !== undefined && states[STATES.promotionActive] === undefined) {
    states[STATES.promotionActive] = {
      programId: m.identity.programId,
      ...(m.identity.promotionId !== undefined ? { promotionId: m.identity.promotionId } : {}),
      ...(m.identity.promoIdentifier !== undefined ? { promoIdentifier: m.identity.promoIdentifier } : {}),
    };
  }
  return states;
}

/** The interaction of the table that sends this request example and expects a 200. */
function interactionOf(c: SmokeCase): PactInteraction | undefined {
  const row = interactions().find((i) => i.request === c.name && i.status === 200);
  if (row === undefined) return undefined;
  return {
    file: '',
    description: row.description,
    case: row.case,
    states: row.states.map((s) => ({ name: s.name, params: { ...s.params } })),
    status: 200,
    raw: {
      request: { headers: {}, body: { content: structuredClone(c.request) } },
      response: { body: { content: structuredClone(row.responseBody) } },
    },
  };
}

/**
 * The smoke cases with the target's IDs in place of the examples', and the cases that cannot be
 * sent there (with why). The pool customers of earning customers are reserved (recorded as used,
 * under the record's lock) before this returns, so before any request that issues them is sent.
 */
export async function mapSmokeCases(
  derived: { cases: SmokeCase[]; skipped: SkippedCase[] },
  m: TargetMapping,
): Promise<{ cases: SmokeCase[]; skipped: SkippedCase[]; reserved: PoolCustomer[] }> {
  const states = statesOf(m);
  const pool = m.states?.pool === undefined ? undefined : new PoolDraw(m.states.pool, m.states.path);
  const skipped: SkippedCase[] = [...derived.skipped];
  const skip = (c: SmokeCase, reason: string) =>
    skipped.push({ case: c.case, reason: `${c.name}: ${reason}` });
  const ready: { c: SmokeCase; planned: ReturnType<typeof plan> }[] = [];
  const cases: SmokeCase[] = [];
  for (const c of derived.cases) {
    if (c.entries === undefined) {
      cases.push(m.strict ? c : lenient(c));
      continue;
    }
    // Nothing to map with: the examples go as they are (a host seeded like the reference provider).
    if (m.states === undefined && m.identity === undefined) {
      cases.push(c);
      continue;
    }
    const pi = interactionOf(c);
    if (pi === undefined) {
      skip(c, 'no provider states are known for this example, so its IDs cannot be mapped');
      continue;
    }
    const planned = plan(pi, {
      embedded: true,
      canSetStates: false,
      credentials: undefined,
      states,
      pool: pool !== undefined,
    });
    if (planned.withheld !== undefined) skip(c, planned.withheld.message);
    else ready.push({ c, planned });
  }
  const needed = pool === undefined ? 0 : ready.reduce((n, r) => n + r.planned.earners.length, 0);
  const reserved = pool === undefined || needed === 0 ? [] : await pool.reserve(needed);
  const left = [...(reserved ?? [])];
  for (const { c, planned } of ready) {
    if (pool !== undefined && planned.earners.length > 0 && reserved === undefined) {
      skip(c, `the ID pool of the states file is used up: this smoke needs ${needed} fresh customer(s)`);
      continue;
    }
    const draws = new Map<string, PoolCustomer>();
    for (const id of planned.earners) {
      const next = left.shift();
      if (next !== undefined) draws.set(id, next);
    }
    const why = mapIds(planned, states, draws);
    if (why !== undefined) {
      skip(c, why.message);
      continue;
    }
    cases.push({ ...c, request: (planned.raw.request as { body: { content: unknown } }).body.content });
  }
  return { cases, skipped, reserved: reserved ?? [] };
}

/**
 * An HTTP-level probe judged as `verify` judges inferred cases on a real host: by status only (the
 * doc gives no HTTP error body), with the body compared only under --strict.
 */
function lenient(c: SmokeCase): SmokeCase {
  const { expectedCode: _code, expectedMessage: _message, ...rest } = c;
  return { ...rest, name: `${c.name} (inferred: judged by status only; --strict compares its body)` };
}
