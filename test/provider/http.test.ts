// The reference provider over a real socket (listen/startProvider) and as `directearn serve`:
// concurrency on a limited promotion, body limit while reading, admin routes, and the CLI's contract.

import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TOKEN, LOAD_CUSTOMER_ID_FIRST } from '../../src/config/defaults.js';
import { ENDPOINT_PATH, example, validateResponse } from '../../src/openapi/index.js';
import { startProvider } from '../../src/provider/server.js';
import { STATES } from '../../src/states/index.js';
import { type Answer, codes, request } from '../support/provider-helpers.js';
import { childOutput, spawnServe } from '../support/serve-process.js';

const HEADERS = { 'content-type': 'application/json', authorization: `Bearer ${DEFAULT_TOKEN}` };

async function postTo(url: string, body: unknown, headers: Record<string, string> = HEADERS) {
  const res = await fetch(`${url}${ENDPOINT_PATH}`, {
    method: 'POST',
    headers,
    body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body),
  });
  const json = (await res.json()) as Answer;
  expect(validateResponse(res.status, json).ok).toBe(true);
  return { status: res.status, headers: res.headers, json };
}

describe('over a socket', () => {
  let server: Awaited<ReturnType<typeof startProvider>>;
  const LIMIT = 7;

  beforeAll(async () => {
    server = await startProvider({
      port: 0,
      admin: true,
      bodyLimit: 64 * 1024,
      fixtures: {
        programs: [
          { id: 1, promotions: [{ id: 10, active: true, earnLimitPerCustomer: LIMIT }] },
          { id: 469, promotions: [{ id: 56799, active: true }] },
        ],
        customers: [{ id: 42 }, { id: 98662653 }, { id: 98662632 }],
      },
    });
  });
  afterAll(async () => server?.close());

  it('listens on 127.0.0.1 and answers the doc request', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const { status, json } = await postTo(server.url, example('doc-request'));
    expect(status).toBe(200);
    expect(codes(json)).toEqual([0, 0]);
  });

  it('gives exactly LIMIT earns to many parallel requests for one customer, the rest 8890, no duplicate earnedId', async () => {
    server.provider.reset();
    const bodies = Array.from({ length: 120 }, (_, i) => request(1, 10, i % 3 === 0 ? [42, 42, 42] : [42]));
    const answers = await Promise.all(bodies.map((b) => postTo(server.url, b)));
    const entries = answers.flatMap((a) => a.json.response);
    const earned = entries.filter((e) => e.result?.earnedId !== undefined);
    expect(earned.length).toBe(LIMIT);
    expect(entries.filter((e) => e.warnings[0]?.code === 8890).length).toBe(entries.length - LIMIT);
    const ids = earned.map((e) => e.result?.earnedId);
    expect(new Set(ids).size).toBe(LIMIT);
    expect(server.provider.ledger().length).toBe(LIMIT);
    expect(server.provider.stats().earned).toBe(LIMIT);
    expect(
      server.provider
        .ledger()
        .map((e) => e.earnedId)
        .sort(),
    ).toEqual([...ids].sort());
  });

  it('answers 413 for a body over the limit without reading it all, then keeps serving', async () => {
    const big = JSON.stringify(
      request(
        469,
        56799,
        Array.from({ length: 3000 }, (_, i) => LOAD_CUSTOMER_ID_FIRST + i),
      ),
    );
    const { status, json } = await postTo(server.url, big);
    expect(status).toBe(413);
    expect(json).toEqual(example('http-413'));
    // Chunked, so no Content-Length tells the size in advance.
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        `${server.url}${ENDPOINT_PATH}`,
        { method: 'POST', headers: HEADERS },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      for (let i = 0; i < 10; i++) req.write(big.slice(0, 10_000));
      req.end();
    });
    expect(chunked).toBe(413);
    expect((await postTo(server.url, example('doc-request'))).status).toBe(200);
  });

  it('the limit states set over the admin route change what the listener enforces, and teardown restores it', async () => {
    const setState = async (state: string, params: Record<string, unknown>, action = 'setup') => {
      const res = await fetch(`${server.url}/_admin/provider-states`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ state, params, action }),
      });
      expect(res.status, await res.text()).toBe(200);
    };
    // ~100 KB: over the configured 64 KiB, under a raised 256 KiB that only the listener can refuse early.
    const large = request(
      469,
      56799,
      Array.from({ length: 3000 }, (_, i) => LOAD_CUSTOMER_ID_FIRST + i),
    );
    expect(Buffer.byteLength(JSON.stringify(large))).toBeGreaterThan(64 * 1024);
    expect((await postTo(server.url, large)).status).toBe(413);
    try {
      await limitStates(setState, large);
    } finally {
      // Whatever failed, the next tests get the configured limits back.
      server.provider.setState(STATES.bodyLimited, { bytes: 1 }, 'teardown');
    }
  });

  async function limitStates(
    setState: (state: string, params: Record<string, unknown>, action?: string) => Promise<void>,
    large: unknown,
  ): Promise<void> {
    await setState(STATES.bodyLimited, { bytes: 256 * 1024 });
    expect((await postTo(server.url, large)).status).toBe(200);
    // However low the limit, state changes (admin routes, ~90-byte bodies) are still read whole.
    await setState(STATES.bodyLimited, { bytes: 16 });
    await setState(STATES.customerExists, { customerId: 98662653 });
    await setState(STATES.bodyLimited, { bytes: 512 });
    const doc = example<{ customers: unknown[] }>('doc-request');
    const over = {
      ...doc,
      customers: Array.from({ length: 5 }, () => doc.customers).flat(),
    };
    expect(Buffer.byteLength(JSON.stringify(over))).toBeGreaterThan(512);
    const refused = await postTo(server.url, over);
    expect(refused.status).toBe(413);
    expect(refused.json).toEqual(example('http-413'));
    expect((await postTo(server.url, doc)).status).toBe(200);
    await setState(STATES.bodyLimited, { bytes: 512 }, 'teardown');
    expect(server.provider.options.bodyLimit).toBe(64 * 1024);
    expect((await postTo(server.url, over)).status).toBe(200);
    expect((await postTo(server.url, large)).status).toBe(413);

    await setState(STATES.rateLimitUsedUp, { requestsPerSecond: 5 });
    const limited = await postTo(server.url, doc);
    expect(limited.status).toBe(429);
    expect(limited.json).toEqual(example('http-429'));
    expect(limited.headers.get('retry-after')).toMatch(/^[0-9]+$/);
    expect(limited.headers.get('x-ratelimit-limit')).toBe('5');
    await setState(STATES.rateLimitUsedUp, { requestsPerSecond: 5 }, 'teardown');
    expect((await postTo(server.url, doc)).status).toBe(200);
  }

  it('drains a body of megabytes over the limit so a client that sends it all still reads the 413', async () => {
    const huge = JSON.stringify(
      request(
        469,
        56799,
        Array.from({ length: 160_000 }, (_, i) => LOAD_CUSTOMER_ID_FIRST + i),
      ),
    );
    expect(huge.length).toBeGreaterThan(8_000_000);
    for (let i = 0; i < 3; i++) expect((await postTo(server.url, huge)).status).toBe(413);
  });

  it('answers at once and closes when the declared body is far over the limit', async () => {
    const answer = await new Promise<{ status: number; connection: string | undefined }>(
      (resolve, reject) => {
        const req = httpRequest(
          `${server.url}${ENDPOINT_PATH}`,
          { method: 'POST', headers: { ...HEADERS, 'content-length': String(2 ** 30) } },
          (res) => {
            res.resume();
            resolve({ status: res.statusCode ?? 0, connection: res.headers.connection });
          },
        );
        req.on('error', reject);
        req.write('{"type":');
      },
    );
    expect(answer).toEqual({ status: 413, connection: 'close' });
  });

  it('answers hostile bodies with 400 and keeps serving', async () => {
    const invalidUtf8 = Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]);
    expect((await postTo(server.url, invalidUtf8)).status).toBe(400);
    expect((await postTo(server.url, `${'['.repeat(30_000)}${']'.repeat(30_000)}`)).status).toBe(400);
    expect((await postTo(server.url, '{"__proto__": {"polluted": true}}')).status).toBe(400);
    expect((await postTo(server.url, example('doc-request'))).status).toBe(200);
  });

  it('answers a request node cannot parse with a spec-shaped 400, then keeps serving', async () => {
    const { port } = new URL(server.url);
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => socket.write('NOT HTTP AT ALL\r\n\r\n'));
      let got = '';
      socket.on('data', (d) => {
        got += d;
      });
      socket.on('end', () => resolve(got));
      socket.on('error', reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 400 /);
    const body = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4));
    expect(validateResponse(400, body).ok).toBe(true);
    expect((await postTo(server.url, example('doc-request'))).status).toBe(200);
  });

  it('serves the admin routes to a loopback caller', async () => {
    const state = await fetch(`${server.url}/_admin/provider-states`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ state: STATES.programMissing, params: { programId: 469 }, action: 'setup' }),
    });
    expect(state.status).toBe(200);
    expect(codes((await postTo(server.url, example('doc-request'))).json)).toEqual([1101, 1101]);
    expect((await fetch(`${server.url}/_admin/reset`, { method: 'POST' })).status).toBe(200);
    const earned = (await postTo(server.url, example('doc-request'))).json;
    const ids = earned.response.map((e) => e.result?.earnedId);
    const ledger = (await (await fetch(`${server.url}/_admin/ledger`)).json()) as { entries: unknown[] };
    expect(ledger.entries).toEqual([
      { earnedId: ids[0], issualId: '56799', programId: 469, promotionId: 56799, customerId: 98662653 },
      { earnedId: ids[1], issualId: '56799', programId: 469, promotionId: 56799, customerId: 98662632 },
    ]);
  });
});

describe('directearn serve', () => {
  const built = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'commands', 'serve.js');

  beforeAll(() => {
    if (!existsSync(built)) throw new Error('dist/ is missing: run `npm run build` before these tests');
  });

  function firstLine(child: ChildProcess): Promise<string> {
    return new Promise((resolve, reject) => {
      let buf = '';
      child.stdout?.on('data', (d: Buffer) => {
        buf += d;
        const nl = buf.indexOf('\n');
        if (nl >= 0) resolve(buf.slice(0, nl));
      });
      child.on('close', (code) => reject(new Error(`serve exited ${code} before listening`)));
    });
  }

  it('prints one line with the URL, answers, and stops cleanly on SIGTERM', async () => {
    const child = spawnServe(['--port', '0'], {
      BULK_API_REDIRECTION_ENABLED: 'true',
      BULK_API_BATCH_SIZE_FOR_REDIRECTION: '2',
    });
    const done = childOutput(child);
    const line = await firstLine(child);
    const m = /^directearn provider listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
    expect(m, line).not.toBeNull();
    const url = m?.[1] as string;
    expect(codes((await postTo(url, example('doc-request'))).json)).toEqual([0, 0]);
    // The doc's variable names configure redirection: three customers are over a batch size of 2.
    expect((await postTo(url, request(469, 56799, [1, 2, 3]))).status).toBe(400);
    child.kill('SIGTERM');
    const { code, stdout, stderr } = await done;
    expect(code).toBe(0);
    expect(stdout).toBe(`${line}\n`);
    expect(stderr).toMatch(/stopped on SIGTERM after 2 request\(s\), 2 earn\(s\)/);
  });

  it('refuses a bad fixtures file in one line naming the file and the field (exit 1)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'directearn-serve-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'programs:\n  - id: 469\n    promotions:\n      - id: -5\n');
    const { code, stdout, stderr } = await childOutput(spawnServe(['--port', '0', '--fixtures', file]));
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toEqual([
      `directearn serve: ${file}: programs[0].promotions[0].id must be a positive whole number (got -5)`,
    ]);
  });

  it('refuses --admin on a non-loopback host and bad flag values (exit 2)', async () => {
    const admin = await childOutput(spawnServe(['--admin', '--host', '0.0.0.0', '--port', '0']));
    expect(admin.code).toBe(2);
    expect(admin.stderr).toContain('--admin needs a loopback --host');
    const rate = await childOutput(spawnServe(['--port', '0'], { DIRECTEARN_PROVIDER_FAULT_RATE: '1.5' }));
    expect(rate.code).toBe(2);
    expect(rate.stderr).toContain('DIRECTEARN_PROVIDER_FAULT_RATE must be between 0 and 1');
    const flag = await childOutput(spawnServe(['--port', '0', '--fault-rate', '1.5']));
    expect(flag.stderr).toContain('--fault-rate must be between 0 and 1');
  });

  it('lists every flag with its environment variable and default in --help', async () => {
    const { code, stdout } = await childOutput(spawnServe(['--help']));
    expect(code).toBe(0);
    for (const flag of [
      '--host',
      '--port',
      '--fixtures',
      '--basic',
      '--token',
      '--redirection',
      '--batch-size',
      '--rate-limit',
      '--latency',
      '--jitter',
      '--fault-rate',
      '--body-limit',
      '--ledger-window',
      '--admin',
      'DIRECTEARN_PROVIDER_PORT',
      'DIRECTEARN_PROVIDER_ADMIN_TOKEN',
      '--admin-token',
      '--ready-file',
      '--max-connections',
      '--request-timeout',
      '--headers-timeout',
      'BULK_API_REDIRECTION_ENABLED',
      'BULK_API_BATCH_SIZE_FOR_REDIRECTION',
      'default 127.0.0.1',
      'default 8080',
    ]) {
      expect(stdout, flag).toContain(flag);
    }
  });
});
