// A few seconds' check that a --target answers at all and takes every credential given, before any
// interaction is replayed or any pool customer drawn: one harmless request per credential and form
// it will be sent in (a POST whose body breaks the schema, so nothing can be issued), failing with
// one line naming the URL and how each credential was taken.
import { UnreachableError, UserFacingError } from '../errors.js';
import { ENDPOINT_PATH } from '../openapi/index.js';
import { BoundedExchangeError, boundedExchange, exchangeDeadlineMs } from '../util/bounded-http.js';
import { type Credentials, credentialForms } from './prepare.js';

/** How long each preflight request may take, whole, by default (DIRECTEARN_EXCHANGE_DEADLINE_MS sets it). */
export const PREFLIGHT_TIMEOUT_MS = 5_000;

/** How the host took one credential, form by form. */
export interface CredentialVerdict {
  flag: string;
  accepted: string[];
  refused: { form: string; status: number }[];
}

/** What the preflight found: the status per attempt and how each credential was taken. */
export interface PreflightResult {
  statuses: Record<string, number>;
  credentials: CredentialVerdict[];
  /**
   * Host regressions seen before anything was sent: a credential accepted in one form and refused in
   * another (the doc: Basic or OAuth; the token as Bearer or X-CAP-API-OAUTH-TOKEN). They fail the run.
   */
  regressions: string[];
}

/** `--basic refused (401); --token accepted as Bearer and X-CAP-API-OAUTH-TOKEN` */
export function describeCredentials(verdicts: readonly CredentialVerdict[]): string {
  return verdicts
    .map((v) => {
      const one = v.accepted.length + v.refused.length === 1;
      const refused = v.refused.map((r) => `${r.form} (${r.status})`).join(' and ');
      if (v.accepted.length === 0)
        return `${v.flag} refused ${one ? `(${v.refused[0]?.status})` : `as ${refused}`}`;
      const ok = one ? 'accepted' : `accepted as ${v.accepted.join(' and ')}`;
      return v.refused.length === 0 ? `${v.flag} ${ok}` : `${v.flag} ${ok} but refused as ${refused}`;
    })
    .join('; ');
}

/** Plain words for why a request never got an answer. */
export function describeNetworkError(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; message?: string; code?: string; kind?: string };
  const code = e?.code ?? '';
  if (code === 'TIMEOUT' || e?.kind === 'deadline') return `timed out after ${timeoutMs} ms`;
  if (code === 'ECONNREFUSED') return 'connection refused (ECONNREFUSED)';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `DNS: host not found (${code})`;
  if (code === 'ECONNRESET') return 'connection reset (ECONNRESET)';
  if (code === 'ETIMEDOUT' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH')
    return `no route or no answer (${code})`;
  if (/CERT|TLS|SSL|EPROTO/i.test(code) || /certificate|ssl|tls/i.test(e?.message ?? ''))
    return `TLS: ${e?.message ?? code}`;
  return `${code ? `${code}: ` : ''}${e?.message ?? String(error)}`;
}

/** One bounded POST (no redirect followed, answer capped, whole exchange within `timeoutMs`): its status. */
async function post(url: URL, headers: Record<string, string>, timeoutMs: number): Promise<number> {
  const x = boundedExchange(url, {
    method: 'POST',
    headers: { ...headers, 'Content-Length': '2' },
    body: '{}',
    deadlineMs: timeoutMs,
  });
  return (await x.answer).status;
}

/**
 * Tries every credential given in every form it will be sent, before anything is sent. Throws
 * UnreachableError (exit 3) when `target` cannot be reached, answers 404 at the endpoint, or
 * refuses a credential in every form (401), naming each credential and how it was taken; a
 * credential accepted in one form and refused in another comes back as a regression (exit 1).
 */
export async function preflight(
  target: string,
  credentials: Credentials | undefined,
  timeoutMs = exchangeDeadlineMs(process.env, PREFLIGHT_TIMEOUT_MS),
): Promise<PreflightResult> {
  const url = `${target.replace(/\/+$/, '')}${ENDPOINT_PATH}`;
  const given = credentialForms(credentials);
  const attempts = given.flatMap((g) =>
    g.forms.map((f) => ({
      name: g.forms.length > 1 ? `${g.flag} as ${f.form}` : g.flag,
      headers: f.headers,
    })),
  );
  if (attempts.length === 0) attempts.push({ name: 'no credentials', headers: {} });
  const statuses: Record<string, number> = {};
  for (const a of attempts) {
    let status: number;
    try {
      status = await post(new URL(url), { 'Content-Type': 'application/json', ...a.headers }, timeoutMs);
    } catch (e) {
      // A redirect or an oversized answer came from a host that answers: it is wrong, not away.
      if (e instanceof BoundedExchangeError && (e.kind === 'redirect' || e.kind === 'too-big'))
        throw new UserFacingError(
          `target ${target} ${e.kind === 'redirect' ? '' : 'sent an '}${e.message} (preflight POST ${url})`,
        );
      throw new UnreachableError(`target ${target} is unreachable: ${describeNetworkError(e, timeoutMs)}`);
    }
    statuses[a.name] = status;
  }
  if (Object.values(statuses).every((s) => s === 404)) {
    throw new UnreachableError(
      `target ${target} has no directEarn endpoint: 404 at ${url} (check the base path)`,
    );
  }
  const verdicts: CredentialVerdict[] = given.map((g) => {
    const seen = g.forms.map((f) => ({
      form: f.form,
      status: statuses[g.forms.length > 1 ? `${g.flag} as ${f.form}` : g.flag] ?? 0,
    }));
    return {
      flag: g.flag,
      accepted: seen.filter((s) => s.status !== 401).map((s) => s.form),
      refused: seen.filter((s) => s.status === 401),
    };
  });
  if (verdicts.some((v) => v.accepted.length === 0)) {
    throw new UnreachableError(`target ${target} refused a credential: ${describeCredentials(verdicts)}`);
  }
  const regressions = verdicts
    .filter((v) => v.refused.length > 0)
    .map(
      (v) =>
        `preflight: ${describeCredentials([v])}: the host takes this credential in one form and not the other`,
    );
  return { statuses, credentials: verdicts, regressions };
}
