// Serves the variants of src/mutation/regressions.ts: one around a provider (`withVariant`, for
// `directearn serve --simulate-regression NAME`), or all of them on one loopback host under
// /_variant/NAME (`serveVariants`, for the mutation test).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ENDPOINT_PATH } from '../openapi/index.js';
import {
  createProvider,
  type Provider,
  type ProviderOptions,
  type ProviderRequest,
  type ProviderResponse,
} from '../provider/index.js';
import {
  type Bulk,
  type SentRequest,
  type StateChange,
  VARIANTS,
  type Variant,
  variant,
} from './regressions.js';

function parseBody(body: ProviderRequest['body']): unknown {
  if (body === undefined) return undefined;
  try {
    return JSON.parse(typeof body === 'string' ? body : Buffer.from(body).toString('utf8'));
  } catch {
    return undefined;
  }
}

/** The provider states set on each provider since its last teardown (what its data now says). */
const statesSet = new WeakMap<Provider, Set<string>>();

/** Answers one request through the variant around `provider.handle`. */
async function handleThrough(
  provider: Provider,
  v: Variant,
  req: ProviderRequest,
): Promise<ProviderResponse> {
  const path = req.url.split('?')[0] ?? '';
  const states = statesSet.get(provider) ?? new Set<string>();
  statesSet.set(provider, states);
  if (path.endsWith('/_admin/provider-states')) {
    const change = parseBody(req.body) as StateChange | undefined;
    if (change?.action === 'teardown') states.clear();
    else if (change?.state !== undefined) states.add(change.state);
    if (change?.state !== undefined && v.state !== undefined)
      req = { ...req, body: JSON.stringify(v.state(change)) };
    return provider.handle(req);
  }
  if (path !== ENDPOINT_PATH) return provider.handle(req);
  const sent = parseBody(req.body) as SentRequest | undefined;
  const changed = v.request?.(req, sent) ?? req;
  if ('status' in changed) return changed;
  let res = await provider.handle(changed);
  if (v.bulk !== undefined && res.status === 200) {
    const body = JSON.parse(res.body) as Bulk;
    if (Array.isArray(body.response)) {
      v.bulk(body, sent, states);
      res = { ...res, body: JSON.stringify(body) };
    }
  }
  return v.response?.(res) ?? res;
}

/** The provider with a variant around its `handle`; everything else is the provider's own. */
export function withVariant(provider: Provider, name: string): Provider {
  const v = variant(name);
  if (v === undefined)
    throw new RangeError(`unknown regression "${name}"; known: ${VARIANTS.map((x) => x.name).join(', ')}`);
  return new Proxy(provider, {
    get(target, prop) {
      // The listener calls `respond`, in-process callers `handle`: both go through the variant.
      if (prop === 'handle' || prop === 'respond')
        return (req: ProviderRequest) => handleThrough(target, v, req);
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/**
 * One loopback HTTP host serving every variant under /_variant/NAME (its own fresh provider each,
 * admin routes on), so a mutation test needs one process, not one per variant.
 */
export async function serveVariants(
  options: ProviderOptions = {},
): Promise<{ url: string; close(): Promise<void> }> {
  const providers = new Map<string, Provider>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const m = /^\/_variant\/([\w-]+)(\/.*)?$/.exec(req.url ?? '');
      const name = m?.[1] ?? '';
      const v = variant(name);
      if (m === null || v === undefined) {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end(`no variant ${name}`);
        return;
      }
      let provider = providers.get(name);
      if (provider === undefined) {
        provider = createProvider({ ...options, admin: true });
        providers.set(name, provider);
      }
      handleThrough(provider, v, {
        method: req.method ?? 'GET',
        url: m[2] ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks),
        remoteAddress: req.socket.remoteAddress ?? '',
      }).then(
        (answer) => {
          res.writeHead(answer.status, answer.headers);
          res.end(answer.body);
        },
        () => {
          res.writeHead(500);
          res.end();
        },
      );
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}
