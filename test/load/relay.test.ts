// The relay between k6 and a --target judges the target, not k6: k6 leaves the requests in flight
// when a run ends, and on a busy machine an honest host's answer can come after that. Such an
// exchange runs on to its deadline; the run fails only if the target breaks it. The verifier's
// recording proxy keeps its rule: a client that gave up ends the exchange as the target's failure.
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRecordingProxy } from '../../src/contracts/recording-proxy.js';
import { startTargetRelay } from '../../src/load/relay.js';
import { EXCHANGE_DEADLINE_ENV } from '../../src/util/bounded-http.js';

/** A host answering /late/MS after MS milliseconds and never answering /silent. */
let host: Server;
let origin = '';
beforeAll(async () => {
  host = createServer((req, res) => {
    const late = /^\/late\/(\d+)/.exec(req.url ?? '');
    if (late === null) return; // silent: the socket stays open, nothing comes
    setTimeout(() => res.end('{"status":{"success":true}}'), Number(late[1]));
  });
  await new Promise<void>((done) => host.listen(0, '127.0.0.1', done));
  origin = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
});
afterAll(async () => {
  host.closeAllConnections();
  await new Promise((done) => host.close(done));
});

/** Sends a POST to `url` and leaves (destroys the request) after `leaveMs`, as k6 does at a run's end. */
function leaveAfter(url: string, leaveMs: number): Promise<void> {
  return new Promise((done) => {
    const req = request(url, { method: 'POST' }, (res) => res.resume());
    req.on('error', () => done());
    req.end('{}');
    setTimeout(() => {
      req.destroy();
      done();
    }, leaveMs);
  });
}

describe('the load relay in front of a --target', () => {
  it('an exchange k6 left runs on: an answer within the deadline is no fault of the target', async () => {
    const bounds = await startTargetRelay('throughput', `${origin}/v2`, {
      [EXCHANGE_DEADLINE_ENV]: '3000',
    });
    try {
      await leaveAfter(`${bounds.relay.url}/late/300`, 30);
      await bounds.relay.settle();
      expect(bounds.relay.tripped()).toBeUndefined();
      expect(bounds.stop.aborted).toBe(false);
    } finally {
      await bounds.close();
    }
  });

  it('an exchange k6 left that the target never answers breaks the deadline, named once settled', async () => {
    const bounds = await startTargetRelay('throughput', `${origin}/v2`, {
      [EXCHANGE_DEADLINE_ENV]: '400',
    });
    try {
      await leaveAfter(`${bounds.relay.url}/silent`, 30);
      expect(bounds.relay.tripped()).toBeUndefined();
      await bounds.relay.settle();
      expect(bounds.relay.tripped()).toMatch(
        /^the target broke a bound: no whole answer within 400 ms \(POST \/silent\)$/,
      );
    } finally {
      await bounds.close();
    }
  });

  it("the verifier's recording proxy still takes a client that gave up as the target's failure", async () => {
    const proxy = await startRecordingProxy(origin, { deadlineMs: 3000 });
    try {
      await leaveAfter(`${proxy.url}/late/300`, 30);
      await proxy.settle();
      expect(proxy.tripped()).toMatch(/gave no answer before its client/);
    } finally {
      await proxy.close();
    }
  });
});
