// Consumer-aware grading of `directearn diff`: what this consumer depends on (the committed pacts'
// requests and pinned answers, and what the client's code reads and sends), and which structural
// changes take it away, whatever level oasdiff gives them.
import { CLIENT_USES, type ClientUse } from '../client/uses.js';
import type { PactInteraction } from '../contracts/pacts.js';
import type { Dependents, Finding, Severity } from './diff-report.js';
import type { OasdiffChange } from './oasdiff.js';
import { isNode, type Node, schemaPlaces } from './schema-places.js';
import { fieldPath } from './structure.js';

/** What this consumer depends on, keyed by the places oasdiff's changes name. */
export interface ConsumerUses {
  /** `200 response[].result.earnedId` → who pins or reads it. */
  response: Map<string, Dependents>;
  /** `customers[].source` → who sends it. */
  request: Map<string, Dependents>;
  /** `identifierName=mobile` → who sends that value. */
  values: Map<string, Dependents>;
  /** `413` → the interactions that expect that status. */
  statuses: Map<string, Dependents>;
}

function depend(map: Map<string, Dependents>, key: string, who: { interaction?: string; client?: string }) {
  const d = map.get(key) ?? { interactions: [], client: [] };
  if (who.interaction !== undefined && !d.interactions.includes(who.interaction))
    d.interactions.push(who.interaction);
  if (who.client !== undefined && !d.client.includes(who.client)) d.client.push(who.client);
  map.set(key, d);
}

/** Every key path of a JSON value (`response[].result.earnedId`), with the scalar values found there. */
function bodyPaths(value: unknown, path: string, out: Map<string, Set<string>>): void {
  if (Array.isArray(value)) {
    for (const v of value) bodyPaths(v, `${path}[]`, out);
  } else if (isNode(value)) {
    for (const [k, v] of Object.entries(value)) {
      const p = path === '' ? k : `${path}.${k}`;
      if (!out.has(p)) out.set(p, new Set());
      bodyPaths(v, p, out);
    }
  } else if (path !== '' && value !== null) {
    out.get(path)?.add(String(value));
  }
}

/** A pact body: v4 keeps it under `content`, v2/v3 as is. */
function pactBody(part: unknown): unknown {
  if (!isNode(part)) return undefined;
  const body = part.body;
  return isNode(body) && 'content' in body && 'contentType' in body ? body.content : body;
}

/** How a report names an interaction: `8892: answers 8892 when the promotion is inactive`. */
export const interactionName = (i: Pick<PactInteraction, 'case' | 'description'>) =>
  `${i.case ?? '?'}: ${i.description}`;

/**
 * What the pacts and the client depend on, read against BASE: the places of BASE's bodies that each
 * interaction's request sends and its expected answer pins, and the places the client's declared
 * uses land on in BASE.
 */
export function consumerUses(
  base: Node,
  interactions: readonly PactInteraction[],
  client: readonly ClientUse[] = CLIENT_USES,
): ConsumerUses {
  const uses: ConsumerUses = {
    response: new Map(),
    request: new Map(),
    values: new Map(),
    statuses: new Map(),
  };
  for (const i of interactions) {
    const interaction = interactionName(i);
    const status = String(i.status ?? '');
    if (status !== '') depend(uses.statuses, status, { interaction });
    const pinned = new Map<string, Set<string>>();
    bodyPaths(pactBody(i.raw.response), '', pinned);
    for (const path of pinned.keys()) depend(uses.response, `${status} ${path}`, { interaction });
    const sent = new Map<string, Set<string>>();
    bodyPaths(pactBody(i.raw.request), '', sent);
    for (const [path, values] of sent) {
      depend(uses.request, path, { interaction });
      for (const v of values) depend(uses.values, `${path}=${v}`, { interaction });
    }
  }
  const places = schemaPlaces(base);
  for (const use of client) {
    for (const by of use.by) {
      for (const place of places.get(use.field) ?? []) {
        if (use.use === 'reads' && place.where !== 'request') {
          depend(uses.response, `${place.where} ${place.path}`, { client: by });
        } else if (use.use === 'sends' && place.where === 'request') {
          depend(uses.request, place.path, { client: by });
          for (const v of use.values ?? []) depend(uses.values, `${place.path}=${v}`, { client: by });
        }
      }
    }
  }
  return uses;
}

/** The place an oasdiff change names: side, status, field path (`response[].result.earnedId`), value. */
export interface ChangePlace {
  side: 'request' | 'response';
  status?: string;
  path?: string;
  value?: string;
}

/** Reads the place out of oasdiff's sentence, e.g. "removed the optional property `a/b` from the response with the `200` status". */
export function changePlace(change: OasdiffChange): ChangePlace {
  const side = change.id.startsWith('request') || change.id.includes('-request-') ? 'request' : 'response';
  const property = /propert(?:y|ies) `([^`]+)`/.exec(change.text)?.[1];
  const status = /status `([^`]+)`/.exec(change.text)?.[1] ?? /the `([^`]+)` status/.exec(change.text)?.[1];
  const value = /enum value `([^`]+)`/.exec(change.text)?.[1];
  return {
    side,
    ...(status === undefined ? {} : { status }),
    ...(property === undefined ? {} : { path: fieldPath(property) }),
    ...(value === undefined ? {} : { value }),
  };
}

/** Response changes that take a field away from whoever reads it or pins it (oasdiff: info or warning). */
const RESPONSE_LOSS = new Set([
  'response-optional-property-removed',
  'response-optional-property-became-write-only',
  'response-required-property-removed-with-deprecation',
]);

/** Request changes that take away a field a consumer sends (oasdiff: info or warning). */
const REQUEST_LOSS = new Set([
  'request-property-removed',
  'request-property-removed-with-deprecation',
  'request-optional-property-became-read-only',
  'request-required-property-became-read-only',
]);

/** A status an interaction expects, gone from the spec (oasdiff: info for the non-success ones). */
const STATUS_LOSS = new Set(['response-non-success-status-removed', 'response-success-status-removed']);

/** Who depends on what a change touches, when the change can take it from them. */
export function dependentsOf(
  change: OasdiffChange,
  level: Severity,
  uses: ConsumerUses,
): Dependents | undefined {
  const place = changePlace(change);
  if (STATUS_LOSS.has(change.id)) {
    return place.status === undefined ? undefined : uses.statuses.get(place.status);
  }
  if (place.path === undefined) return undefined;
  if (place.side === 'response') {
    if (place.status === undefined || !(RESPONSE_LOSS.has(change.id) || level === 'breaking'))
      return undefined;
    return uses.response.get(`${place.status} ${place.path}`);
  }
  if (place.value !== undefined) {
    // An enum value: only who sends that very value breaks when it goes.
    return level === 'breaking' ? uses.values.get(`${place.path}=${place.value}`) : undefined;
  }
  if (!(REQUEST_LOSS.has(change.id) || level === 'breaking')) return undefined;
  // A field narrowed (type, pattern, length) breaks who sends it; one made required, who does not.
  if (/became-required|required-property-added/.test(change.id)) return undefined;
  return uses.request.get(place.path);
}

const OASDIFF_LEVELS: Record<number, Severity> = { 3: 'breaking', 2: 'warning', 1: 'info' };

const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

/** The sentence added to a finding: who depends on it. */
export function dependentsText(d: Dependents): string {
  const parts: string[] = [];
  if (d.interactions.length > 0)
    parts.push(`${count(d.interactions.length, 'committed pact interaction')} depend on it`);
  if (d.client.length > 0) parts.push(`the client uses it (${d.client.join(', ')})`);
  return parts.join(' and ');
}

/**
 * Regrades oasdiff's findings for this consumer: a change that takes away something the pacts or the
 * client depend on is breaking, with its dependents named; oasdiff's own level is kept beside it.
 * A change both removing and adding a property under the same parent is named as a possible rename.
 */
export function gradeForConsumer(
  changes: readonly OasdiffChange[],
  findings: readonly Finding[],
  uses: ConsumerUses,
): Finding[] {
  const places = changes.map(changePlace);
  return findings.map((f, i) => {
    const change = changes[i];
    if (change === undefined) return f;
    const d = dependentsOf(change, f.severity, uses);
    if (d === undefined || (d.interactions.length === 0 && d.client.length === 0)) return f;
    const place = places[i] as ChangePlace;
    const renamed = /-removed$/.test(change.id) ? renameOf(place, changes, places) : undefined;
    const rename = renamed === undefined ? '' : ` (renamed? NEW adds ${renamed} beside it)`;
    const upgraded = f.severity !== 'breaking';
    const oasdiffLevel = OASDIFF_LEVELS[change.level] ?? 'info';
    return {
      ...f,
      severity: 'breaking',
      text: `${f.text}${rename}; ${upgraded ? `oasdiff grades it ${oasdiffLevel}, but ` : ''}${dependentsText(d)}`,
      dependents: {
        interactions: [...d.interactions].sort(),
        client: [...d.client].sort(),
      },
      ...(upgraded ? { oasdiffLevel } : {}),
    };
  });
}

/** A property added under the same parent (and status) as a removed one: the name it may have now. */
function renameOf(
  removed: ChangePlace,
  changes: readonly OasdiffChange[],
  places: readonly ChangePlace[],
): string | undefined {
  const parent = (p: string) => p.replace(/(\[\])?\.?[^.[\]]+$/, '');
  if (removed.path === undefined) return undefined;
  for (const [i, c] of changes.entries()) {
    const p = places[i] as ChangePlace;
    if (!/added|new-/.test(c.id) || p.path === undefined || p.side !== removed.side) continue;
    if (p.status !== removed.status || parent(p.path) !== parent(removed.path) || p.path === removed.path)
      continue;
    return p.path;
  }
  return undefined;
}
