// A stand-in Pact Broker for tests (no real broker can be installed here): it speaks the broker's
// documented HAL for what `verify --broker-url` uses (the index, "pacts for verification", a pact,
// branch versions and verification results) and records every request it was sent. It selects
// nothing itself: a test gives it the pacts to answer, each with its pending/WIP status.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A pact the stand-in offers for verification. */
export interface OfferedPact {
  consumer: string;
  /** The pact document (its interactions are what gets verified). */
  json: Record<string, unknown>;
  pending?: boolean;
  wip?: boolean;
}

/** One request the stand-in received. */
export interface BrokerRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export interface StandInBroker {
  url: string;
  requests: BrokerRequest[];
  /** The bodies POSTed to verification-results links, by consumer. */
  results(): { consumer: string; body: Record<string, unknown> }[];
  close(): Promise<void>;
}

/** Starts the stand-in on loopback; `auth` is the Authorization header it demands, if any. */
export async function startStandInBroker(offered: OfferedPact[], auth?: string): Promise<StandInBroker> {
  const requests: BrokerRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = text === '' ? undefined : JSON.parse(text);
      } catch {
        body = text;
      }
      const path = req.url ?? '/';
      requests.push({ method: req.method ?? 'GET', path, headers: req.headers, body });
      const base = `http://${req.headers.host}`;
      const send = (status: number, doc?: unknown) => {
        res.writeHead(status, { 'content-type': 'application/hal+json' });
        res.end(doc === undefined ? '' : JSON.stringify(doc));
      };
      if (auth !== undefined && req.headers.authorization !== auth)
        return send(401, { error: 'unauthorized' });
      if (req.method === 'GET' && path === '/')
        return send(200, {
          _links: {
            'pb:provider-pacts-for-verification': {
              href: `${base}/pacts/provider/{provider}/for-verification`,
              templated: true,
            },
          },
        });
      const fv = /^\/pacts\/provider\/([^/]+)\/for-verification$/.exec(path);
      if (req.method === 'POST' && fv !== null)
        return send(200, {
          _embedded: {
            pacts: offered.map((p, i) => ({
              shortDescription: `latest pact of ${p.consumer}${p.pending ? ' (pending)' : ''}`,
              verificationProperties: {
                pending: p.pending === true,
                ...(p.wip ? { wip: true } : {}),
                notices: [{ when: 'before_verification', text: `pact ${i} of ${p.consumer}` }],
              },
              _links: {
                self: { href: `${base}/pacts/provider/${fv[1]}/consumer/${p.consumer}/pact-version/${i}` },
              },
            })),
          },
          _links: { self: { href: `${base}${path}` } },
        });
      const pact =
        /^\/pacts\/provider\/([^/]+)\/consumer\/([^/]+)\/pact-version\/(\d+)(\/verification-results)?$/.exec(
          path,
        );
      const offer = pact === null ? undefined : offered[Number(pact[3])];
      if (pact !== null && offer !== undefined && req.method === 'GET' && pact[4] === undefined)
        return send(200, {
          ...offer.json,
          _links: {
            self: { href: `${base}${path}` },
            'pb:publish-verification-results': { href: `${base}${path}/verification-results` },
          },
        });
      if (pact !== null && offer !== undefined && req.method === 'POST' && pact[4] !== undefined)
        return send(201, { ...(body as object), _links: { self: { href: `${base}${path}/1` } } });
      if (req.method === 'PUT' && /^\/pacticipants\/[^/]+\/branches\/[^/]+\/versions\/[^/]+$/.test(path))
        return send(200, {});
      return send(404, { error: `no route ${req.method} ${path}` });
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    results: () =>
      requests
        .filter((r) => r.method === 'POST' && r.path.endsWith('/verification-results'))
        .map((r) => ({
          consumer: /\/consumer\/([^/]+)\//.exec(r.path)?.[1] ?? '',
          body: r.body as Record<string, unknown>,
        })),
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}
