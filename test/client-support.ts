// A fetch that answers from the reference provider in-process (no socket), for client tests.
import type { Provider } from '../src/provider/index.js';

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
