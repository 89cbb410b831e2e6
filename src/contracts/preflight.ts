// A few seconds' check that a --target answers at all and accepts at least one credential given,
// before any interaction is replayed: one harmless request per credential (a POST whose body breaks
// the schema, so nothing can be issued), failing with one line naming the URL and the cause.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { UnreachableError } from '../errors.js';
import { ENDPOINT_PATH } from '../spec/index.js';
import type { Credentials } from './prepare.js';

/** How long the whole preflight may take per request, by default. */
export const PREFLIGHT_TIMEOUT_MS = 5_000;

const basicHeader = (c: { user: string; password: string }) =>
  `Basic ${Buffer.from(`${c.user}:${c.password}`).toString('base64')}`;

/** The credentials to try, each named as the user gave it. */
function attempts(credentials: Credentials | undefined): { name: string; headers: Record<string, string> }[] {
  const out: { name: string; headers: Record<string, string> }[] = [];
  if (credentials?.basic !== undefined)
    out.push({ name: '--basic', headers: { Authorization: basicHeader(credentials.basic) } });
  if (credentials?.token !== undefined) {
    out.push({ name: '--token as Bearer', headers: { Authorization: `Bearer ${credentials.token}` } });
    out.push({
      name: '--token as X-CAP-API-OAUTH-TOKEN',
      headers: { 'X-CAP-API-OAUTH-TOKEN': credentials.token },
    });
  }
  if (credentials?.readOnlyBasic !== undefined)
    out.push({
      name: '--readonly-basic',
      headers: { Authorization: basicHeader(credentials.readOnlyBasic) },
    });
  if (out.length === 0) out.push({ name: 'no credentials', headers: {} });
  return out;
}

/** Plain words for why a request never got an answer. */
export function describeNetworkError(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; message?: string; code?: string };
  const code = e?.code ?? '';
  if (code === 'TIMEOUT') return `timed out after ${timeoutMs} ms`;
  if (code === 'ECONNREFUSED') return 'connection refused (ECONNREFUSED)';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `DNS: host not found (${code})`;
  if (code === 'ECONNRESET') return 'connection reset (ECONNRESET)';
  if (code === 'ETIMEDOUT' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH')
    return `no route or no answer (${code})`;
  if (/CERT|TLS|SSL|EPROTO/i.test(code) || /certificate|ssl|tls/i.test(e?.message ?? ''))
    return `TLS: ${e?.message ?? code}`;
  return `${code ? `${code}: ` : ''}${e?.message ?? String(error)}`;
}

/** One POST, resolving with the status; rejects with the socket error or a TIMEOUT-coded one. */
function post(url: URL, headers: Record<string, string>, timeoutMs: number): Promise<number> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, { method: 'POST', headers: { ...headers, 'Content-Length': '2' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    const timer = setTimeout(() => {
      req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' }));
    }, timeoutMs);
    req.on('error', reject);
    req.on('close', () => clearTimeout(timer));
    req.end('{}');
  });
}

/**
 * Throws UnreachableError (exit 3) when `target` cannot be reached, answers 404 at the endpoint, or
 * answers 401 to every credential given; returns the statuses seen otherwise.
 */
export async function preflight(
  target: string,
  credentials: Credentials | undefined,
  timeoutMs = PREFLIGHT_TIMEOUT_MS,
): Promise<Record<string, number>> {
  const url = `${target.replace(/\/+$/, '')}${ENDPOINT_PATH}`;
  const statuses: Record<string, number> = {};
  for (const a of attempts(credentials)) {
    let status: number;
    try {
      status = await post(new URL(url), { 'Content-Type': 'application/json', ...a.headers }, timeoutMs);
    } catch (e) {
      throw new UnreachableError(`target ${target} is unreachable: ${describeNetworkError(e, timeoutMs)}`);
    }
    statuses[a.name] = status;
  }
  if (Object.values(statuses).every((s) => s === 404)) {
    throw new UnreachableError(
      `target ${target} has no directEarn endpoint: 404 at ${url} (check the base path)`,
    );
  }
  const given = Object.keys(statuses).filter((n) => n !== 'no credentials');
  if (given.length > 0 && given.every((n) => statuses[n] === 401)) {
    throw new UnreachableError(
      `target ${target} refused every credential given (401 to ${given.join(', ')})`,
    );
  }
  return statuses;
}
