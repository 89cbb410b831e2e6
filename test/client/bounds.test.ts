// The bulk client against a hostile host: it never follows a redirect (the credentials stay home),
// reads no answer past its cap, gives up on a dripping host at its timeout, and the bulk helper calls
// a redirected customer `unknown`, never `rejected` (a redirect proves nothing about what was issued).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import {
  DirectEarnClient,
  DirectEarnHttpError,
  DirectEarnNetworkError,
  DirectEarnResponseError,
  earnBulk,
} from '../../src/client/index.js';
import { UsageError } from '../../src/errors.js';
import { EXCHANGE_DEADLINE_ENV, exchangeDeadlineMs } from '../../src/util/bounded-http.js';
import { captureIO } from '../support/cli-io.js';
import { type HostileHost, startHostileHost } from '../support/hostile-host.js';

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

describe('DIRECTEARN_EXCHANGE_DEADLINE_MS', () => {
  it('sets the deadline, and a value that is not whole milliseconds is a usage error naming it', async () => {
    expect(exchangeDeadlineMs({}, 5_000)).toBe(5_000);
    expect(exchangeDeadlineMs({ [EXCHANGE_DEADLINE_ENV]: '1500' }, 5_000)).toBe(1_500);
    for (const bad of ['abc', '0', '-5', '1.5', '99999999'])
      expect(() => exchangeDeadlineMs({ [EXCHANGE_DEADLINE_ENV]: bad }), bad).toThrow(UsageError);
    const io = captureIO({ env: { [EXCHANGE_DEADLINE_ENV]: 'soon' } });
    expect(await main(['proxy', '--upstream', 'http://127.0.0.1:1', '--port', '0'], io)).toBe(2);
    expect(io.stderr.join('\n')).toContain(`${EXCHANGE_DEADLINE_ENV} must be a whole number of milliseconds`);
  });
});
