// Every auth mode is really sent: a recording proxy (written here, independent of the suite's own)
// sits between `verify --target` and a reference provider and records which credential header each
// interaction carried, for several combinations of --basic, --token and --readonly-basic.
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_BASIC_PASSWORD,
  DEFAULT_BASIC_USER,
  DEFAULT_READONLY_BASIC_PASSWORD,
  DEFAULT_READONLY_BASIC_USER,
  DEFAULT_TOKEN,
} from '../../src/config/defaults.js';
import { type AuthKind, interactions } from '../../src/contracts/interactions.js';
import { pactInteractions } from '../../src/contracts/pacts.js';
import { type Credentials, verifyPacts } from '../../src/contracts/verification.js';
import { ENDPOINT_PATH } from '../../src/openapi/index.js';
import { startProvider } from '../../src/provider/server.js';

interface Sent {
  body: string;
  auth: string;
}

/** A loopback proxy to `target` that records the credential header of every endpoint request. */
async function recordingProxy(target: string): Promise<{ url: string; sent: Sent[]; close(): void }> {
  const sent: Sent[] = [];
  const to = new URL(target);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (req.url === ENDPOINT_PATH) {
        const h = req.headers;
        const kinds = [
          h.authorization?.startsWith('Basic ')
            ? `basic:${Buffer.from(h.authorization.slice(6), 'base64').toString().split(':')[0]}`
            : undefined,
          h.authorization?.startsWith('Bearer ') ? `bearer:${h.authorization.slice(7)}` : undefined,
          h['x-cap-api-oauth-token'] === undefined ? undefined : `cap:${h['x-cap-api-oauth-token']}`,
        ].filter((k) => k !== undefined);
        sent.push({ body: canonical(body.toString()), auth: kinds.length === 0 ? 'none' : kinds.join('+') });
      }
      const up = request(
        {
          host: to.hostname,
          port: to.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: to.host },
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      up.end(body);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, sent, close: () => server.close() };
}

function canonical(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    return text;
  }
}

const BASIC = { user: DEFAULT_BASIC_USER, password: DEFAULT_BASIC_PASSWORD };
const READONLY = { user: DEFAULT_READONLY_BASIC_USER, password: DEFAULT_READONLY_BASIC_PASSWORD };

/** The header an interaction of this kind must carry with these credentials; undefined = skipped. */
function expectedAuth(kind: AuthKind, c: Credentials): string | undefined {
  switch (kind) {
    case 'basic':
      return c.basic && `basic:${c.basic.user}`;
    case 'basic-readonly':
      return c.readOnlyBasic && `basic:${c.readOnlyBasic.user}`;
    case 'bearer':
      return c.token && `bearer:${c.token}`;
    case 'cap-oauth':
      return c.token && `cap:${c.token}`;
    case 'none':
      return 'none';
  }
}

describe('verify --target sends each interaction its own credential, whatever flags are given', () => {
  let provider: Awaited<ReturnType<typeof startProvider>>;
  beforeAll(async () => {
    provider = await startProvider({ host: '127.0.0.1', port: 0, admin: true });
  });
  afterAll(async () => {
    await provider.close();
  });

  it.each<[string, Credentials]>([
    ['--basic --token --readonly-basic', { basic: BASIC, token: DEFAULT_TOKEN, readOnlyBasic: READONLY }],
    ['--basic --token', { basic: BASIC, token: DEFAULT_TOKEN }],
    ['--basic', { basic: BASIC }],
    ['--token', { token: DEFAULT_TOKEN }],
  ])('with %s', async (_flags, credentials) => {
    const proxy = await recordingProxy(provider.url);
    try {
      const r = await verifyPacts({
        providerBaseUrl: proxy.url,
        credentials,
        stateChangeUrl: `${provider.url}/_admin/provider-states`,
      });
      const table = new Map(interactions().map((i) => [i.description, i]));
      const expected: Sent[] = [];
      for (const pi of pactInteractions()) {
        const auth = expectedAuth(table.get(pi.description)?.auth ?? 'none', credentials);
        const outcome = r.interactions.find((i) => i.description === pi.description);
        if (auth === undefined) {
          expect(outcome?.status, pi.description).toBe('skipped');
          expect(outcome?.message, pi.description).toMatch(/give --(token|basic|readonly-basic)/);
          continue;
        }
        expect(outcome?.status, `${pi.description}: ${outcome?.message}`).toBe('passed');
        const body = (pi.raw.request as { body?: { content?: unknown } }).body?.content;
        expected.push({ body: JSON.stringify(body), auth });
      }
      // The preflight's harmless POST {} is not an interaction.
      const replayed = proxy.sent.filter((s) => s.body !== '{}');
      const key = (s: Sent) => `${s.auth} ${s.body}`;
      expect(replayed.map(key).sort()).toEqual(expected.map(key).sort());
      expect(replayed.some((s) => s.auth.startsWith('bearer:'))).toBe(credentials.token !== undefined);
    } finally {
      proxy.close();
    }
  });
});
