// `directearn proxy`: every request example of the spec crosses it with zero violations and unchanged
// bytes; a request with a wrong `type` and an answer with a changed message are reported with the
// field named; each doc invariant catches its own break; a non-loopback or dead upstream is refused.

import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { DEFAULT_TOKEN } from '../../src/config/defaults.js';
import type { UndocumentedRecord } from '../../src/contracts/undocumented.js';
import { serveVariants } from '../../src/mutation/variant-host.js';
import {
  type DirectEarnRequest,
  type DirectEarnResponse,
  ENDPOINT_PATH,
  example,
  exampleNames,
  validateResponse,
} from '../../src/openapi/index.js';
import { createProvider } from '../../src/provider/index.js';
import { startProvider } from '../../src/provider/server.js';
import { checkResponse, RULES } from '../../src/proxy/judge-exchange.js';
import type { ProxyReport } from '../../src/proxy/report.js';
import { captureIO } from '../support/cli-io.js';

const HEADERS = { 'content-type': 'application/json', authorization: `Bearer ${DEFAULT_TOKEN}` };
const work = mkdtempSync(join(tmpdir(), 'directearn-proxy-'));

/** Runs `directearn proxy` in-process until `send` has sent its traffic and `--max-requests` is reached. */
async function throughProxy(
  upstream: string,
  requests: number,
  send: (proxyUrl: string) => Promise<void>,
  extra: string[] = [],
): Promise<{ code: number; stdout: string[]; report: ProxyReport }> {
  const io = captureIO({ cwd: work });
  const json = join(work, `report-${Math.random().toString(36).slice(2)}.json`);
  const done = main(
    [
      'proxy',
      '--upstream',
      upstream,
      '--port',
      '0',
      '--max-requests',
      String(requests),
      '--json',
      json,
      ...extra,
    ],
    io,
  );
  let url: string | undefined;
  for (let i = 0; i < 200 && url === undefined; i++) {
    url = io.stdout.map((l) => /^directearn proxy listening on (\S+)/.exec(l)?.[1]).find(Boolean);
    if (url === undefined) await new Promise((r) => setTimeout(r, 25));
  }
  if (url === undefined) throw new Error(`the proxy did not start: ${io.stderr.join('\n')}`);
  await send(url);
  const code = await done;
  return { code, stdout: io.stdout, report: JSON.parse(readFileSync(json, 'utf8')) as ProxyReport };
}

const post = (url: string, body: unknown) =>
  fetch(`${url}${ENDPOINT_PATH}`, { method: 'POST', headers: HEADERS, body: JSON.stringify(body) });

const requestExamples = exampleNames().filter((n) => n.startsWith('request-') || n === 'doc-request');

describe('directearn proxy in front of the reference provider', () => {
  let upstream: Awaited<ReturnType<typeof startProvider>>;
  beforeAll(async () => {
    upstream = await startProvider({ port: 0 });
  });
  afterAll(async () => upstream?.close());

  it('passes every request example of the spec through with zero violations and the same bytes', async () => {
    const direct = createProvider();
    const { code, report } = await throughProxy(upstream.url, requestExamples.length, async (url) => {
      for (const name of requestExamples) {
        const res = await post(url, example(name));
        const same = await direct.handle({
          method: 'POST',
          url: ENDPOINT_PATH,
          headers: HEADERS,
          body: JSON.stringify(example(name)),
        });
        expect(res.status, name).toBe(same.status);
        expect(await res.text(), name).toBe(same.body);
      }
    });
    expect(report.violations).toEqual([]);
    // The reference provider answers only what the catalogue documents.
    expect(report.undocumented).toEqual([]);
    expect(report.checked).toBe(requestExamples.length);
    expect(code).toBe(0);
  });

  it('reports a request whose type is wrong, naming /type, and exits 1', async () => {
    const { code, stdout, report } = await throughProxy(upstream.url, 1, async (url) => {
      const res = await post(url, { ...example<object>('doc-request'), type: 'customer' });
      expect(res.status).toBe(400);
    });
    expect(code).toBe(1);
    expect(report.violations.map((v) => [v.side, v.field, v.rule])).toEqual([
      ['request', '/type', 'request-schema'],
    ]);
    expect(stdout.some((l) => /^VIOLATION #1 request \/type \[request-schema\]/.test(l))).toBe(true);
  });

  it('writes JUnit with one case per rule, the broken rule failed with its violation', async () => {
    const junit = join(work, 'proxy.xml');
    await throughProxy(
      upstream.url,
      1,
      async (url) => {
        await post(url, { ...example<object>('doc-request'), identifierName: 'phone' });
      },
      ['--junit', junit],
    );
    const xml = readFileSync(junit, 'utf8');
    expect(xml.match(/<testcase /g)).toHaveLength(RULES.length);
    expect(xml).toMatch(
      /<testcase classname="directearn.proxy" name="request-schema">\s*<failure message="1 violation\(s\)">#1 POST \/v2\/promotion\/bulk\/directEarn \(request\) \/identifierName:/,
    );
    expect(xml.match(/<failure /g)).toHaveLength(1);
  });

  it('answers 502 in the spec error shape when the upstream goes away, and exits 3', async () => {
    const gone = await startProvider({ port: 0 });
    const { code, report } = await throughProxy(gone.url, 1, async (url) => {
      await gone.close();
      const res = await post(url, example('doc-request'));
      expect(res.status).toBe(502);
      expect(validateResponse(502, await res.json()).ok).toBe(true);
    });
    expect(report.upstreamFailures).toHaveLength(1);
    expect(report.violations).toEqual([]);
    expect(code).toBe(3);
  });

  it('refuses a non-loopback upstream without --allow-real-issue (exit 2) and a dead one (exit 3)', async () => {
    const io = captureIO();
    expect(await main(['proxy', '--upstream', 'https://crm.example.com'], io)).toBe(2);
    expect(io.stderr.join('\n')).toMatch(/--allow-real-issue/);
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const port = (dead.address() as AddressInfo).port;
    await new Promise((r) => dead.close(r));
    const io2 = captureIO();
    expect(await main(['proxy', '--upstream', `http://127.0.0.1:${port}`, '--port', '0'], io2)).toBe(3);
    expect(io2.stderr.join('\n')).toMatch(/cannot be reached \(ECONNREFUSED\)/);
  });
});

describe('directearn proxy in front of an upstream that changes a message', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    const provider = createProvider();
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const answer = await provider.handle({
          method: req.method ?? 'GET',
          url: req.url ?? '/',
          headers: req.headers,
          body: Buffer.concat(chunks),
        });
        res.writeHead(answer.status, answer.headers);
        res.end(answer.body.replace('promotion is inactive', 'Promotion is inactive'));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  it('reports the message with its field and the exact text expected', async () => {
    const { code, report } = await throughProxy(url, 1, async (proxyUrl) => {
      const res = await post(proxyUrl, example('request-8892'));
      expect(await res.text()).toContain('Promotion is inactive');
    });
    expect(code).toBe(1);
    expect(report.violations).toHaveLength(1);
    expect(report.violations[0]).toMatchObject({
      side: 'response',
      rule: 'catalogue-message',
      field: '/response/0/errors/0/message',
    });
    expect(report.violations[0]?.message).toContain('must be "promotion is inactive"');
    // Structured too: what the catalogue calls for and what the upstream sent, for a report reader.
    expect(report.violations[0]).toMatchObject({
      entry: 0,
      expected: 'promotion is inactive',
      received: 'Promotion is inactive',
    });
  });
});

describe('the doc invariants the proxy checks on every answer', () => {
  const request = example<DirectEarnRequest>('request-mixed-earned-8890-promo-identifier');
  const answer = () => example<DirectEarnResponse>('mixed-earned-8890-promo-identifier');
  const rulesOf = (a: DirectEarnResponse, r: DirectEarnRequest = request) =>
    checkResponse(200, Buffer.from(JSON.stringify(a)), r).map((v) => `${v.rule} ${v.field}`);

  it('holds for the doc mixed example', () => {
    expect(rulesOf(answer())).toEqual([]);
  });

  it.each([
    [
      'earned-ids-unique /response/1/result/earnedId',
      (a: DirectEarnResponse) => {
        (a.response[1] as { result: { earnedId: string } }).result.earnedId = '78';
      },
    ],
    [
      'warned-8890-issues-nothing /response/2/result/earnedId',
      (a: DirectEarnResponse) => {
        (a.response[2] as { result: { earnedId?: string } }).result.earnedId = '80';
      },
    ],
    [
      'counts-agree /totalCount',
      (a: DirectEarnResponse) => {
        a.totalCount = 4;
      },
    ],
    [
      'counts-agree /failureCount',
      (a: DirectEarnResponse) => {
        a.failureCount = 1;
      },
    ],
    [
      'entity-id-is-customer /response/0/result/entityId',
      (a: DirectEarnResponse) => {
        (a.response[0] as { result: { entityId: number } }).result.entityId = 1;
      },
    ],
  ])('catches %s', (expected, breakIt) => {
    const a = answer();
    breakIt(a);
    expect(rulesOf(a)).toEqual([expected]);
  });

  it('catches an answer with an entry missing, and a request-level case not given', () => {
    const a = answer();
    a.response.pop();
    a.totalCount = 2;
    expect(rulesOf(a)).toEqual(['one-entry-per-customer /response']);
    expect(rulesOf(answer(), { ...request, type: 'USERGROUP2' })).toContain(
      'request-level-case /response/0/errors',
    );
  });
});

describe('directearn proxy lists what the upstream answered beyond the catalogue', () => {
  let host: Awaited<ReturnType<typeof serveVariants>>;
  beforeAll(async () => {
    host = await serveVariants();
  });
  afterAll(async () => host?.close());

  it('prints UNDOCUMENTED findings (fields, another message) and --record keeps them; no violation for an extra field', async () => {
    const record = join(work, 'seen-proxy.json');
    const unknownFields = await throughProxy(
      `${host.url}/_variant/unknown-fields`,
      1,
      async (url) => {
        expect((await post(url, example('doc-request'))).status).toBe(200);
      },
      ['--record', record],
    );
    expect(unknownFields.stdout.join('\n')).toMatch(
      /^ {2}UNDOCUMENTED {2}field \$\.requestId \(in 1 answer\(s\): #1\)$/m,
    );
    const kept = JSON.parse(readFileSync(record, 'utf8')) as UndocumentedRecord;
    expect(kept.by).toBe('proxy');
    expect(kept.undocumented.map((f) => f.field).sort()).toEqual([
      '$.requestId',
      '$.response[].result.extra',
    ]);
    const reworded = await throughProxy(`${host.url}/_variant/message-8015-changed`, 1, async (url) => {
      await post(url, example('request-8015'));
    });
    expect(reworded.report.undocumented).toMatchObject([{ kind: 'message', code: 8015, count: 1 }]);
  });
});
