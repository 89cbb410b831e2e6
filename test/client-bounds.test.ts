// The bulk client against a hostile host: it never follows a redirect (the credentials stay home),
// reads no answer past its cap, gives up on a dripping host at its timeout, and the bulk helper calls
// a redirected customer `unknown`, never `rejected` (a redirect proves nothing about what was issued).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DirectEarnClient,
  DirectEarnHttpError,
  DirectEarnNetworkError,
  DirectEarnResponseError,
  earnBulk,
} from '../src/client/index.js';
import { type HostileHost, startHostileHost } from './support/hostile-host.js';

const REQUEST = {
  type: 'CUSTOMER' as const,
  promotionDetails: { programId: 469, promotionId: 56799 },
  identifierName: 'id' as const,
  customers: [{ identifierValue: '1', source: 'INSTORE' }],
};

describe('the client against a hostile host', () => {
  let host: HostileHost;
  beforeAll(async () => {
    host = await startHostileHost();
  });
  afterAll(async () => {
    await host.close();
  });

  const client = (
    mode: Parameters<HostileHost['urlFor']>[0],
    extra: { timeoutMs?: number; capBytes?: number } = {},
  ) =>
    new DirectEarnClient({
      baseUrl: host.urlFor(mode),
      auth: { kind: 'cap-oauth', token: 'secret-token' },
      ...extra,
    });

  it('does not follow a 307 or a 301: an error naming the Location, nothing sent there', async () => {
    for (const [mode, status] of [
      ['redirect', 307],
      ['redirect301', 301],
    ] as const) {
      const e = await client(mode)
        .post(REQUEST)
        .catch((x: unknown) => x);
      expect(e).toBeInstanceOf(DirectEarnHttpError);
      expect((e as DirectEarnHttpError).status).toBe(status);
      expect((e as DirectEarnHttpError).serverMessage).toContain(
        `${host.logger.url}/v2/promotion/bulk/directEarn`,
      );
    }
    expect(host.logger.hits).toEqual([]);
  });

  it('calls the customers of a redirected batch unknown, not rejected, and sends it once', async () => {
    const before = host.requests.length;
    const result = await earnBulk(client('redirect'), {
      promotionDetails: REQUEST.promotionDetails,
      identifierName: 'id',
      customers: REQUEST.customers,
    });
    expect(result.outcomes.map((o) => o.kind)).toEqual(['unknown']);
    expect(host.requests.length - before).toBe(1);
    expect(host.logger.hits).toEqual([]);
  });

  it('refuses an answer past its cap, declared or endless, without reading it whole', async () => {
    for (const mode of ['oversize', 'endless'] as const) {
      const e = await client(mode, { capBytes: 1024 * 1024 })
        .post(REQUEST)
        .catch((x: unknown) => x);
      expect(e, mode).toBeInstanceOf(DirectEarnResponseError);
      expect((e as Error).message, mode).toMatch(/over the 1048576-byte cap/);
    }
  });

  it('gives up on a host that drips its answer at its timeout, body included', async () => {
    const e = await client('drip', { timeoutMs: 1_000 })
      .post(REQUEST)
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DirectEarnNetworkError);
    expect((e as DirectEarnNetworkError).code).toBe('TIMEOUT');
  });
});
