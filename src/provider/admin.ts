// The /_admin routes (provider states, reset, paged ledger, stats), guarded so a web page cannot
// drive them: loopback peers only, a loopback Host (no DNS rebinding), no foreign Origin, JSON bodies
// only, and an optional admin token.

import { createHash, timingSafeEqual } from 'node:crypto';
import { isLoopbackHost } from '../input/loopback.js';
import type { StateParams } from '../states/index.js';
import { type Answer, isJson, JSON_HEADERS } from './answer.js';
import { header, isLoopback, type ProviderRequest, splitUrl } from './request.js';
import { describeStates, ProviderStateError } from './states.js';
import type { LedgerEntry } from './store.js';

export const ADMIN_PREFIX = '/_admin/';
/** The header carrying `--admin-token`. */
export const ADMIN_TOKEN_HEADER = 'x-directearn-admin-token';
export const LEDGER_DEFAULT_LIMIT = 1000;
export const LEDGER_MAX_LIMIT = 10_000;

/** What the admin routes act on (the provider). */
export interface AdminTarget {
  ledgerPage(after: bigint | undefined, limit: number): { entries: LedgerEntry[]; more: boolean };
  stats(): { earned: number; requests: number };
  reset(): void;
  setState(name: string, params: StateParams, action: 'setup' | 'teardown'): void;
}

const ROUTES: Readonly<Record<string, string>> = {
  '/_admin/ledger': 'GET',
  '/_admin/stats': 'GET',
  '/_admin/reset': 'POST',
  '/_admin/provider-states': 'GET, POST',
};

/**
 * Why a request may not reach the admin routes from where it came (a non-loopback peer, a
 * non-loopback Host: DNS rebinding, a foreign Origin, a cross-site fetch), or undefined. `serve`
 * and `proxy` (before it forwards anything to them) answer it 403.
 */
export function adminOriginRefusal(
  req: Pick<ProviderRequest, 'remoteAddress' | 'headers'>,
): string | undefined {
  if (!isLoopback(req.remoteAddress)) return 'the admin routes answer loopback callers only';
  const host = header(req.headers, 'host');
  if (host !== undefined && !isLoopbackHostHeader(host)) {
    return `the admin routes answer a loopback Host only (got Host ${JSON.stringify(host)})`;
  }
  const origin = header(req.headers, 'origin');
  if (
    origin !== undefined &&
    (host === undefined || origin.toLowerCase() !== `http://${host.toLowerCase()}`)
  ) {
    return `the admin routes refuse cross-origin calls (Origin ${JSON.stringify(origin)})`;
  }
  const site = header(req.headers, 'sec-fetch-site');
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    return `the admin routes refuse cross-site calls (Sec-Fetch-Site ${site})`;
  }
  return undefined;
}

/**
 * The refusal of an admin request decided from its head alone (peer, Host, Origin, token, method,
 * content type), or undefined when it may go on: the listener calls it before reading a body.
 */
export function adminGate(req: ProviderRequest, adminToken: string | undefined): Answer | undefined {
  const refused = adminOriginRefusal(req);
  if (refused !== undefined) return adminError(403, refused);
  if (adminToken !== undefined && !sameSecret(header(req.headers, ADMIN_TOKEN_HEADER), adminToken)) {
    return adminError(401, 'the admin routes need the --admin-token in header X-Directearn-Admin-Token');
  }
  const { path } = splitUrl(req.url);
  const allowed = ROUTES[path];
  if (allowed === undefined) return adminError(404, `no admin route ${path}`);
  if (!allowed.split(', ').includes(req.method)) {
    const res = adminError(405, `use ${allowed.replace(', ', ' or ')} on ${path}`);
    res.headers.allow = allowed;
    return res;
  }
  if (req.method === 'POST' && hasBody(req) && !isJson(header(req.headers, 'content-type'))) {
    return adminError(415, `${path} takes a JSON body (Content-Type: application/json)`);
  }
  return undefined;
}

/** Answers an admin request that passed `adminGate`. */
export function adminRoute(req: ProviderRequest, target: AdminTarget): Answer {
  const { path, query } = splitUrl(req.url);
  if (req.bodyOverLimit === true) return adminError(413, `the body of ${path} is too large`);
  if (path === '/_admin/ledger') return ledger(query, target);
  if (path === '/_admin/stats') return adminJson(200, target.stats());
  if (path === '/_admin/reset') {
    target.reset();
    return adminJson(200, { reset: true });
  }
  if (req.method === 'GET') return adminJson(200, { states: describeStates() });
  return changeState(req, target);
}

function ledger(query: string, target: AdminTarget): Answer {
  const params = new URLSearchParams(query);
  let after: bigint | undefined;
  let limit = LEDGER_DEFAULT_LIMIT;
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key);
    const value = values[0] as string;
    if (values.length > 1) return adminError(400, `query parameter ${key} is given more than once`);
    if (key === 'after') {
      if (!/^\d{1,19}$/.test(value) || BigInt(value) > 2n ** 63n - 1n)
        return adminError(
          400,
          `query parameter after must be an earnedId (digits), got ${JSON.stringify(value)}`,
        );
      after = BigInt(value);
    } else if (key === 'limit') {
      if (!/^\d{1,6}$/.test(value) || Number(value) < 1 || Number(value) > LEDGER_MAX_LIMIT)
        return adminError(
          400,
          `query parameter limit must be a whole number from 1 to ${LEDGER_MAX_LIMIT}, got ${JSON.stringify(value)}`,
        );
      limit = Number(value);
    } else return adminError(400, `unknown query parameter ${key} (the ledger takes after and limit)`);
  }
  const page = target.ledgerPage(after, limit);
  const last = page.entries[page.entries.length - 1];
  return adminJson(200, {
    entries: page.entries,
    next: page.more && last !== undefined ? last.earnedId : null,
  });
}

function changeState(req: ProviderRequest, target: AdminTarget): Answer {
  const raw = req.body ?? '';
  let body: unknown;
  try {
    body = JSON.parse(typeof raw === 'string' ? raw : Buffer.from(raw).toString('utf8'));
  } catch {
    return adminError(
      400,
      'the body must be JSON: {"state": "...", "params": {...}, "action": "setup"|"teardown"}',
    );
  }
  if (body === null || typeof body !== 'object' || typeof (body as { state?: unknown }).state !== 'string') {
    return adminError(400, 'the body must name a "state" (a string)');
  }
  const { state, params, action } = body as { state: string; params?: unknown; action?: unknown };
  if (action !== undefined && action !== 'setup' && action !== 'teardown') {
    return adminError(400, `"action" must be "setup" or "teardown", got ${JSON.stringify(action)}`);
  }
  if (params !== undefined && params !== null && (typeof params !== 'object' || Array.isArray(params))) {
    return adminError(400, '"params" must be an object');
  }
  for (const [key, value] of Object.entries(params ?? {})) {
    if (value !== null && typeof value === 'object')
      return adminError(400, `parameter ${key} must be a string, number or boolean`);
  }
  try {
    target.setState(state, (params ?? {}) as StateParams, action ?? 'setup');
  } catch (e) {
    if (e instanceof ProviderStateError) return adminError(400, e.message);
    throw e;
  }
  return adminJson(200, params ?? {});
}

/** Whether the request carries a body (a declared non-zero length, chunked, or one in hand). */
function hasBody(req: ProviderRequest): boolean {
  if (req.body !== undefined && (typeof req.body === 'string' ? req.body.length : req.body.byteLength) > 0)
    return true;
  const length = header(req.headers, 'content-length');
  return (
    (length !== undefined && length.trim() !== '0') || header(req.headers, 'transfer-encoding') !== undefined
  );
}

/** A Host header naming this machine (src/input/loopback.ts decides), with an optional port. */
function isLoopbackHostHeader(host: string): boolean {
  const m = /^(\[[^\]]+\]|[^:]+)(?::\d{1,5})?$/.exec(host.trim().toLowerCase());
  return m !== null && isLoopbackHost(m[1] as string);
}

function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function adminJson(status: number, value: unknown): Answer {
  return { status, headers: { ...JSON_HEADERS }, body: JSON.stringify(value) };
}

function adminError(status: number, message: string): Answer {
  return adminJson(status, { errors: [{ status: false, code: status, message }] });
}
