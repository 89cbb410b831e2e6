// The request a provider answers (from its listener or an in-process caller) and header access.

export interface ProviderRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body?: Uint8Array | string;
  remoteAddress?: string;
  /** Set by a listener that stopped reading a body over the limit (the body is then incomplete). */
  bodyOverLimit?: boolean;
}

/** A header by lower-case name; in-process callers may spell it in any case. */
export function header(headers: ProviderRequest['headers'], name: string): string | undefined {
  let v = headers[name];
  if (v === undefined) {
    for (const key of Object.keys(headers)) {
      if (key.toLowerCase() === name) {
        v = headers[key];
        break;
      }
    }
  }
  return Array.isArray(v) ? v[0] : v;
}

/** The path and query of a request URL ("/a?b=1" → "/a", "b=1"). */
export function splitUrl(url: string): { path: string; query: string } {
  const q = url.indexOf('?');
  return q < 0 ? { path: url, query: '' } : { path: url.slice(0, q), query: url.slice(q + 1) };
}

/** Whether a peer address is this machine; undefined = in-process (the caller is this process). */
export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return true;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}
