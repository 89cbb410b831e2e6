// The hostile host the robustness tests rely on does what each mode promises, so a test that passes
// against it passed against that behaviour and not against a host that quietly answered normally.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ESCAPE_MESSAGE,
  HOSTILE_MODES,
  type HostileHost,
  HUGE_MESSAGE_BYTES,
  NONCHARACTER_MESSAGE,
  startHostileHost,
} from '../support/hostile-host.js';

const PATH = '/v2/promotion/bulk/directEarn';
const BODY = JSON.stringify({ customers: [{ identifierValue: '1' }, { identifierValue: '2' }] });

interface Got {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** True when the client stopped reading (byte or time budget spent). */
  cut: boolean;
}

/** A raw POST that reads at most `maxBytes` or waits at most `waitMs`, then stops on its side. */
function post(url: string, maxBytes = 64 * 1024 * 1024, waitMs = 5_000): Promise<Got | 'no answer'> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const finish = (cut: boolean) => {
        clearTimeout(timer);
        res.destroy();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), cut });
      };
      res.on('data', (c: Buffer) => {
        chunks.push(c);
        size += c.length;
        if (size >= maxBytes) finish(true);
      });
      res.on('end', () => finish(false));
      res.on('error', () => undefined);
    });
    const timer = setTimeout(() => {
      req.destroy();
      resolve('no answer');
    }, waitMs);
    req.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    req.end(BODY);
  });
}

describe('hostile host', () => {
  let host: HostileHost;
  beforeAll(async () => {
    host = await startHostileHost();
  });
  afterAll(async () => {
    await host.close();
  });

  it('redirects 307 and 301 to its logger, which records what a client sends there', async () => {
    for (const [mode, status] of [
      ['redirect', 307],
      ['redirect301', 301],
    ] as const) {
      const got = await post(`${host.urlFor(mode)}${PATH}`);
      if (got === 'no answer') throw new Error('no answer');
      expect(got.status).toBe(status);
      expect(got.headers.location).toBe(`${host.logger.url}${PATH}`);
    }
    expect(host.logger.hits).toEqual([]);
    const followed = await post(`${host.logger.url}${PATH}`);
    expect(followed).not.toBe('no answer');
    expect(host.logger.hits.map((h) => [h.method, h.url, h.body])).toEqual([['POST', PATH, BODY]]);
    host.logger.hits.length = 0;
  });

  it('answers without end in endless mode', async () => {
    const got = await post(`${host.urlFor('endless')}${PATH}`, 20 * 1024 * 1024);
    if (got === 'no answer') throw new Error('no answer');
    expect(got.status).toBe(200);
    expect(got.cut).toBe(true);
    expect(got.body.length).toBeGreaterThanOrEqual(20 * 1024 * 1024);
    expect(got.body.subarray(0, 13).toString()).toBe('{"response":[');
  });

  it('drips the raw answer from its first byte in drip mode, and never finishes it', async () => {
    const got = await post(`${host.urlFor('drip')}${PATH}`, 1, 2_500);
    // One byte of the status line is no answer an HTTP client can read yet.
    expect(got).toBe('no answer');
  });

  it('never answers in silent mode, and keeps the connection until the client leaves', async () => {
    expect(await post(`${host.urlFor('silent')}${PATH}`, 1, 300)).toBe('no answer');
    expect(host.requests.some((r) => r.url === `/silent${PATH}` && r.body === BODY)).toBe(true);
  });

  it('sends a 10 MB message in huge mode and a 20 MB body in oversize mode', async () => {
    const huge = await post(`${host.urlFor('huge')}${PATH}`);
    if (huge === 'no answer') throw new Error('no answer');
    const message = JSON.parse(huge.body.toString()).response[0].errors[0].message as string;
    expect(message.length).toBe(HUGE_MESSAGE_BYTES);
    const over = await post(`${host.urlFor('oversize')}${PATH}`);
    if (over === 'no answer') throw new Error('no answer');
    expect(Number(over.headers['content-length'])).toBeGreaterThan(16 * 1024 * 1024);
    expect(over.body.length).toBe(Number(over.headers['content-length']));
  });

  it('puts escape sequences and noncharacters in one message per customer', async () => {
    for (const [mode, text] of [
      ['escapes', ESCAPE_MESSAGE],
      ['noncharacters', NONCHARACTER_MESSAGE],
    ] as const) {
      const got = await post(`${host.urlFor(mode)}${PATH}`);
      if (got === 'no answer') throw new Error('no answer');
      const answer = JSON.parse(got.body.toString('utf8'));
      expect(answer.totalCount).toBe(2);
      expect(answer.response.map((e: { errors: { message: string }[] }) => e.errors[0]?.message)).toEqual([
        text,
        text,
      ]);
    }
    expect(ESCAPE_MESSAGE).toContain('\u001b]0;');
    expect(ESCAPE_MESSAGE).toContain('\nVerdict: PASSED');
    for (const c of ['\ufffe', '\uffff', '\ud800', '\udfff']) expect(NONCHARACTER_MESSAGE).toContain(c);
  });

  it('serves one mode on every path when started with one, and ends hung connections on close', async () => {
    const one = await startHostileHost({ mode: 'silent' });
    const pending = post(`${one.url}/anything`, 1, 20_000);
    while (one.requests.length === 0) await new Promise((r) => setTimeout(r, 20));
    expect(one.openConnections()).toBe(1);
    await one.close();
    await expect(pending).rejects.toThrow();
    expect(HOSTILE_MODES.map((m) => one.urlFor(m))).toEqual(HOSTILE_MODES.map(() => one.url));
  });
});
