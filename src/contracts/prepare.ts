// Turns a pact interaction into what the verifier replays against one target: the credential its
// auth kind names (or a skip saying which flag is missing), the real IDs of a states file or of the
// ID pool in place of the pact's example IDs, or the reason it cannot be verified there.
import { isSettingState, STATES } from '../states/index.js';
import { type Interaction, interactions as tableInteractions } from './interactions.js';
import type { PactInteraction } from './pacts.js';
import type { PoolCustomer, StatesMap } from './states-file.js';

/** Credentials for a real host, each sent only by the interactions of its auth kind. */
export interface Credentials {
  basic?: { user: string; password: string };
  /** Sent as `Authorization: Bearer` by the Bearer interaction, as X-CAP-API-OAUTH-TOKEN by the header-token one. */
  token?: string;
  /** Credentials WITHOUT write access to the customer group resource, for the 403 interaction. */
  readOnlyBasic?: { user: string; password: string };
}

/** One form a credential is sent in (Basic, Bearer, X-CAP-API-OAUTH-TOKEN), with its headers. */
export interface CredentialForm {
  form: string;
  headers: Record<string, string>;
}

/** A credential as the user gave it, named by its flag, with every form the interactions send it in. */
export interface GivenCredential {
  flag: string;
  forms: CredentialForm[];
}

/**
 * Every credential given, each in every form an interaction will send it (applyAuth below sends the
 * same headers): what the preflight tries before anything is sent. A new kind of credential is one
 * more entry here.
 */
export function credentialForms(c: Credentials | undefined): GivenCredential[] {
  const out: GivenCredential[] = [];
  if (c?.basic !== undefined)
    out.push({
      flag: '--basic',
      forms: [{ form: 'Basic', headers: { Authorization: basicValue(c.basic) } }],
    });
  if (c?.token !== undefined)
    out.push({
      flag: '--token',
      forms: [
        { form: 'Bearer', headers: { Authorization: `Bearer ${c.token}` } },
        { form: 'X-CAP-API-OAUTH-TOKEN', headers: { 'X-CAP-API-OAUTH-TOKEN': c.token } },
      ],
    });
  if (c?.readOnlyBasic !== undefined)
    out.push({
      flag: '--readonly-basic',
      forms: [{ form: 'Basic', headers: { Authorization: basicValue(c.readOnlyBasic) } }],
    });
  return out;
}

/** Why an interaction is not sent: skipped (a choice or a limit of the run), or not verified (missing data). */
export interface Withheld {
  status: 'skipped' | 'not-verified';
  message: string;
}

/** An interaction planned for one target, before IDs are mapped. */
export interface Planned {
  pi: PactInteraction;
  /** The table row it comes from (undefined for a pact interaction the table does not know). */
  row: Interaction | undefined;
  /** A clone of the pact interaction, rewritten for the target. */
  raw: Record<string, unknown>;
  withheld?: Withheld;
  /** The pact's customer ids that earn in this interaction (each needs a fresh pool customer). */
  earners: string[];
}

/** The run's settings that decide how an interaction is planned. */
export interface PlanOptions {
  /** No --target: the embedded reference provider with the pacts' own credentials and states. */
  embedded: boolean;
  /** States are set per interaction (embedded, or --state-change-url): no mapping needed. */
  canSetStates: boolean;
  credentials: Credentials | undefined;
  /** The states file's mappings (only where states cannot be set). */
  states: StatesMap | undefined;
  /** Whether an ID pool supplies the earning customers. */
  pool: boolean;
}

type Headers = Record<string, string[]>;

const basicValue = (c: { user: string; password: string }) =>
  `Basic ${Buffer.from(`${c.user}:${c.password}`).toString('base64')}`;

/**
 * Sets the credential of the interaction's auth kind, whatever other credentials were given; the
 * message names the flag when its credential is missing.
 */
function applyAuth(
  kind: Interaction['auth'] | undefined,
  headers: Headers,
  c: Credentials | undefined,
): Withheld | undefined {
  delete headers.Authorization;
  delete headers['X-CAP-API-OAUTH-TOKEN'];
  const skip = (what: string, flag: string): Withheld => ({
    status: 'skipped',
    message: `sends ${what}: give ${flag} to verify it`,
  });
  switch (kind) {
    case 'basic':
      if (c?.basic === undefined) return skip('Basic credentials', '--basic USER:PASS');
      headers.Authorization = [basicValue(c.basic)];
      return undefined;
    case 'basic-readonly':
      if (c?.readOnlyBasic === undefined)
        return skip(
          'credentials WITHOUT write access to the customer group resource',
          '--readonly-basic USER:PASS',
        );
      headers.Authorization = [basicValue(c.readOnlyBasic)];
      return undefined;
    case 'bearer':
      if (c?.token === undefined) return skip('Authorization: Bearer', '--token TOKEN');
      headers.Authorization = [`Bearer ${c.token}`];
      return undefined;
    case 'cap-oauth':
      if (c?.token === undefined) return skip('X-CAP-API-OAUTH-TOKEN', '--token TOKEN');
      headers['X-CAP-API-OAUTH-TOKEN'] = [c.token];
      return undefined;
    case 'none':
      return undefined;
    default:
      return { status: 'not-verified', message: 'not in the interactions table: its credential is unknown' };
  }
}

/** The pact customer ids whose entries earn (carry an earnedId) in the interaction's expected answer. */
function earnersOf(row: Interaction | undefined): string[] {
  if (row === undefined || row.status !== 200) return [];
  const body = row.responseBody as { response?: { result?: { entityId?: unknown; earnedId?: unknown } }[] };
  const ids = (body.response ?? [])
    .filter((e) => e.result?.earnedId !== undefined)
    .map((e) => String(e.result?.entityId));
  return [...new Set(ids)];
}

/** Identifiers besides the id a customer state may carry (the request names the customer by them). */
const IDENTIFIERS = ['mobile', 'email'] as const;

const isPoolState = (s: { name: string; params?: Record<string, unknown> }, earners: readonly string[]) =>
  s.name === STATES.customerExists && earners.includes(String(s.params?.customerId));

/** Plans one interaction for the run: its credential, and whether it can be sent at all. */
export function plan(pi: PactInteraction, o: PlanOptions): Planned {
  const raw = structuredClone(pi.raw);
  const row = tableInteractions().find((t) => t.description === pi.description);
  const earners = earnersOf(row);
  const out: Planned = { pi, row, raw, earners };
  // A states file maps IDs of data that exists on the host; it cannot lower the host's rate or body
  // limit. Replaying such an interaction anyway would send a valid request that issues promotions.
  const setting = [...new Set(pi.states.filter((s) => isSettingState(s.name)).map((s) => `"${s.name}"`))];
  if (!o.canSetStates && setting.length > 0) {
    out.withheld = {
      status: 'skipped',
      message: `pins an inferred limit: state ${setting.join(', ')} sets the provider's own limit, which no states file can; give --state-change-url of a host that can set it (--strict fails on this)`,
    };
    return out;
  }
  const request = raw.request as { headers?: Headers };
  request.headers = request.headers ?? {};
  if (!o.embedded) {
    const auth = applyAuth(row?.auth, request.headers, o.credentials);
    if (auth !== undefined) {
      out.withheld = auth;
      return out;
    }
  }
  if (o.states !== undefined) {
    const states = o.states;
    const unmapped = pi.states
      .filter((s) => !Object.hasOwn(states, s.name) && !(o.pool && isPoolState(s, earners)))
      .map((s) => `"${s.name}"`);
    if (unmapped.length > 0) {
      out.withheld = {
        status: 'not-verified',
        message: `state ${[...new Set(unmapped)].join(', ')} is not mapped in the states file: add it with the IDs of your organisation`,
      };
      return out;
    }
    // A customer named by mobile or email needs that identifier mapped too, or the request would
    // send the pact's example value to the host.
    for (const s of pi.states) {
      const mapped = states[s.name];
      if (mapped === undefined || (o.pool && isPoolState(s, earners))) continue;
      const missing = IDENTIFIERS.filter((k) => s.params?.[k] !== undefined && mapped[k] === undefined);
      if (missing.length > 0) {
        out.withheld = {
          status: 'not-verified',
          message: `state "${s.name}" is mapped without ${missing.join(' and ')}, which this interaction names the customer by: add ${missing.join(' and ')} of that customer to its mapping`,
        };
        return out;
      }
    }
  }
  return out;
}

// Only these fields carry the IDs a states file maps; anything else (counts, codes) is left alone.
const ID_FIELDS = new Set(['programId', 'promotionId', 'promoIdentifier', 'identifierValue', 'entityId']);

/** Replaces IDs of the pact by mapped ones wherever an ID field holds a value a state named. */
function substitute(value: unknown, pairs: Map<string, string | number>, key?: string): unknown {
  if (Array.isArray(value)) return value.map((v) => substitute(v, pairs, key));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, pairs, k)]));
  }
  if (key !== undefined && ID_FIELDS.has(key) && (typeof value === 'string' || typeof value === 'number')) {
    const mapped = pairs.get(String(value));
    if (mapped !== undefined) {
      return typeof value === 'number' && /^\d+$/.test(String(mapped)) ? Number(mapped) : String(mapped);
    }
  }
  return value;
}

/**
 * Maps the interaction's states to real IDs (the states file's, or a drawn pool customer's for an
 * earning customer) and rewrites its request and expected body with them. Returns a reason when a
 * pool customer lacks an identifier the interaction names the customer by.
 */
export function mapIds(
  p: Planned,
  states: StatesMap,
  draws: ReadonlyMap<string, PoolCustomer>,
): Withheld | undefined {
  const pairs = new Map<string, string | number>();
  const sent = [];
  for (const s of p.pi.states) {
    let mapped: Record<string, string | number | boolean | null> = states[s.name] ?? {};
    const drawn = s.name === STATES.customerExists ? draws.get(String(s.params?.customerId)) : undefined;
    if (drawn !== undefined) {
      mapped = { customerId: drawn.customerId };
      for (const key of ['mobile', 'email'] as const) {
        if (s.params?.[key] === undefined) continue;
        const value = drawn[key];
        if (value === undefined) {
          return {
            status: 'not-verified',
            message: `pool customer ${drawn.customerId} has no ${key}, which this interaction names the customer by: add ${key} to the pool's customers`,
          };
        }
        mapped[key] = value;
      }
    }
    for (const [k, v] of Object.entries(s.params ?? {})) {
      const to = mapped[k];
      if (
        to !== undefined &&
        to !== null &&
        typeof to !== 'boolean' &&
        (typeof v === 'string' || typeof v === 'number')
      )
        pairs.set(String(v), to);
    }
    sent.push({ name: s.name, params: { ...(s.params ?? {}), ...mapped } });
  }
  p.raw.providerStates = sent;
  const req = p.raw.request as { body?: { content?: unknown } };
  const res = p.raw.response as { body?: { content?: unknown } };
  if (req.body?.content !== undefined) req.body.content = substitute(req.body.content, pairs);
  if (res.body?.content !== undefined) res.body.content = substitute(res.body.content, pairs);
  return undefined;
}
