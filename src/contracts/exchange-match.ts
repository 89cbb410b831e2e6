// Which recorded exchange replayed which pact interaction: the one matcher `verify` (judging each
// interaction) and the in-process verification (checking the invariants of its answers) share. An
// interaction and its exchange have the same key: the request body as JSON, and the credentials.
import { ENDPOINT_PATH } from '../openapi/index.js';
import type { Exchange } from './recording-proxy.js';

/** Sorted-key JSON, so a recorded body and a pact body compare equal whatever the key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

/** JSON.parse, or undefined for text that is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * What tells one replayed request from another: its body and credential headers. The key of a
 * pact interaction (as it will be sent) equals the key of the exchange that replayed it.
 */
function pactRequestKey(raw: Record<string, unknown>): string {
  const req = raw.request as { body?: { content?: unknown }; headers?: Record<string, string | string[]> };
  const h = req.headers ?? {};
  const one = (v: string | string[] | undefined) => (Array.isArray(v) ? (v[0] ?? '') : (v ?? ''));
  return `${canonical(req.body?.content ?? null)}|${one(h.Authorization)}|${one(h['X-CAP-API-OAUTH-TOKEN'])}`;
}

/** The key of a recorded exchange (see pactRequestKey). */
function exchangeKey(x: Exchange): string {
  const one = (v: string | string[] | undefined) => (Array.isArray(v) ? (v[0] ?? '') : (v ?? ''));
  const body = x.requestBody === '' ? null : parseJson(x.requestBody);
  return `${canonical(body ?? null)}|${one(x.requestHeaders.authorization)}|${one(x.requestHeaders['x-cap-api-oauth-token'])}`;
}

/**
 * Pairs each item (a pact interaction as written, `rawOf` gives it) with the first exchange of the
 * endpoint not yet paired whose key equals its own, in the items' order: the verifier replays them
 * in that order, so two interactions sending the same request get their own answers. An item with
 * no such exchange is absent from the map.
 */
export function matchExchanges<T>(
  items: readonly T[],
  rawOf: (item: T) => Record<string, unknown>,
  exchanges: readonly Exchange[],
): Map<T, Exchange> {
  const endpoint = exchanges.filter((x) => x.path.split('?')[0]?.endsWith(ENDPOINT_PATH));
  const used = new Set<Exchange>();
  const out = new Map<T, Exchange>();
  for (const item of items) {
    const key = pactRequestKey(rawOf(item));
    const x = endpoint.find((e) => !used.has(e) && exchangeKey(e) === key);
    if (x === undefined) continue;
    used.add(x);
    out.set(item, x);
  }
  return out;
}
