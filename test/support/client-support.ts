// A fetch that answers from the reference provider in-process (no socket), for client tests.
import type { Provider } from '../../src/provider/index.js';

export function providerFetch(provider: Provider, seen?: { headers: Headers; body: string }[]): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(String(input));
    const headers = new Headers(init?.headers);
    const body = String(init?.body ?? '');
    seen?.push({ headers, body });
    const r = await provider.handle({
      method: init?.method ?? 'GET',
      url: url.pathname + url.search,
      headers: Object.fromEntries(headers.entries()),
      body,
      remoteAddress: '127.0.0.1',
    });
    return new Response(r.body, { status: r.status, headers: r.headers });
  }) as typeof fetch;
}

/** A fetch that answers a fixed status, body and headers, counting calls. */
export function fixedFetch(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): typeof fetch & { calls: number } {
  const f = (async () => {
    f.calls++;
    return new Response(typeof body === 'string' ? body : JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json', ...headers },
    });
  }) as unknown as typeof fetch & { calls: number };
  f.calls = 0;
  return f;
}

/** One earn as GET /_admin/ledger lists it (the fields the client tests read). */
export interface LedgerRow {
  earnedId: string;
  customerId: number;
}

/**
 * Reads the whole ledger of a provider served with `admin: true`, over HTTP. Handles both shapes of
 * the route: `{"entries":[...]}` (one page) and the paged `{"entries":[...],"next":earnedId|null}`,
 * following `?after=next` until `next` is null or absent.
 */
export async function readLedger(baseUrl: string, pageLimit = 1000): Promise<LedgerRow[]> {
  const rows: LedgerRow[] = [];
  let after: string | undefined;
  // Bounded: a provider that never ends its pages fails the test instead of hanging it.
  for (let page = 0; page < 10_000; page++) {
    const query = after === undefined ? '' : `?after=${encodeURIComponent(after)}&limit=${pageLimit}`;
    const res = await fetch(`${baseUrl}/_admin/ledger${query}`);
    if (res.status !== 200)
      throw new Error(`GET /_admin/ledger${query} answered ${res.status}: ${await res.text()}`);
    const body = (await res.json()) as { entries?: unknown; next?: unknown };
    if (!Array.isArray(body.entries)) throw new Error('GET /_admin/ledger answered without an entries array');
    for (const e of body.entries as { earnedId: unknown; customerId: unknown }[]) {
      rows.push({ earnedId: String(e.earnedId), customerId: Number(e.customerId) });
    }
    if (body.next === undefined || body.next === null) return rows;
    after = String(body.next);
  }
  throw new Error('GET /_admin/ledger kept answering a next page');
}

/** Empties the ledger and the earn counts of a provider served with `admin: true`. */
export async function resetProvider(baseUrl: string): Promise<void> {
  const res = await fetch(`${baseUrl}/_admin/reset`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  if (res.status !== 200) throw new Error(`POST /_admin/reset answered ${res.status}: ${await res.text()}`);
}
