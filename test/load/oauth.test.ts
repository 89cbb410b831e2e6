// OAuth on a load run longer than the token lives (issue 19): with --oauth-key/--oauth-secret the
// run generates a token first and every k6 VU renews its own before ttlSeconds run out, so a run
// three times the token's lifetime gets no 401; the key and secret reach no file the run writes.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { durationOf } from '../../src/input/duration.js';
import { runLoad } from '../../src/load/run-load.js';
import { startProvider } from '../../src/provider/server.js';

const KEY = 'load-key';
const SECRET = 'load-secret-never-written';

describe('load with OAuth tokens that expire', () => {
  it('a 6 s run with a 2 s token: no 401, several tokens generated, the secret in no file', async () => {
    const host = await startProvider({ oauthClients: [`${KEY}:${SECRET}`], tokenTtlSeconds: 2 });
    const out = mkdtempSync(join(tmpdir(), 'load-oauth-'));
    try {
      const result = await runLoad({
        target: host.url,
        oauth: { key: KEY, secret: SECRET },
        batchSizes: [10],
        duration: durationOf(6),
        maxVus: 2,
        // 50 requests/s, not as many as the host answers: what is tested is the renewal over a run
        // three times the token's lifetime, and an unbounded rate kept k6 and this worker's host busy
        // on both cores for the whole 6 s.
        arrivalRate: 50,
        out,
        quiet: true,
      });
      const b = result.summary.batches[0];
      expect(result.written).toBe(true);
      expect(b?.requests).toBeGreaterThan(20);
      // A 401 is a failed request: none, although every token died after 2 s.
      expect(b?.failedRequestRate).toBe(0);
      // The run's own token, then each VU renews at 1 to 1.6 s: at least 3 more per VU over 6 s.
      expect(host.provider.knobStats().tokensGenerated).toBeGreaterThanOrEqual(4);
      for (const file of readdirSync(out))
        expect(readFileSync(join(out, file), 'utf8')).not.toContain(SECRET);
    } finally {
      await host.close();
    }
  }, 30_000);
});
