// Issue 20: the host behind --state-change-url is as untrusted as the target. Its requests go
// through a bounded recording proxy too: a redirect from it is never followed (nothing reaches
// where it points), an endless answer is cut at the cap, and the run fails naming the bound.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_BASIC_PASSWORD,
  DEFAULT_BASIC_USER,
  DEFAULT_READONLY_BASIC_PASSWORD,
  DEFAULT_READONLY_BASIC_USER,
  DEFAULT_TOKEN,
} from '../../src/config/defaults.js';
import { verifyPacts } from '../../src/contracts/verification.js';
import { startProvider } from '../../src/provider/server.js';
import { type HostileHost, startHostileHost } from '../support/hostile-host.js';

const CREDENTIALS = {
  basic: { user: DEFAULT_BASIC_USER, password: DEFAULT_BASIC_PASSWORD },
  token: DEFAULT_TOKEN,
  readOnlyBasic: { user: DEFAULT_READONLY_BASIC_USER, password: DEFAULT_READONLY_BASIC_PASSWORD },
};

describe('verify --state-change-url on a hostile host', { timeout: 120_000 }, () => {
  let host: HostileHost;
  let target: Awaited<ReturnType<typeof startProvider>>;
  beforeAll(async () => {
    host = await startHostileHost();
    target = await startProvider({ host: '127.0.0.1', port: 0, admin: true });
  });
  afterAll(async () => {
    await target?.close();
    await host?.close();
  });

  it('a redirecting or endless state-change host fails the run naming the bound; nothing reaches where it redirects', async () => {
    const [redirected, endless] = await Promise.all(
      (['redirect', 'endless'] as const).map((mode) =>
        verifyPacts({
          providerBaseUrl: target.url,
          credentials: CREDENTIALS,
          stateChangeUrl: `${host.urlFor(mode)}/_admin/provider-states`,
        }),
      ),
    );
    // The state changes were sent (to the hostile host itself), and none followed its redirect.
    expect(
      host.requests.filter((r) => r.url.startsWith('/redirect/_admin/provider-states')).length,
    ).toBeGreaterThan(0);
    expect(host.logger.hits).toEqual([]);
    expect(redirected?.ok).toBe(false);
    expect(redirected?.reasons.join('\n')).toMatch(
      /state-change URL: its host answered HTTP 307 redirecting to "http:\/\/127\.0\.0\.1:\d+\/_admin\/provider-states"/,
    );
    expect(endless?.ok).toBe(false);
    expect(endless?.reasons.join('\n')).toMatch(
      /state-change URL: its host broke a bound: answer over the \d+-byte cap/,
    );
  });
});
