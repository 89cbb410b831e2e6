// setup() guard shared by the scripts: stop at once when the target is down or refuses our credentials.
import exec from 'k6/execution';
import http from 'k6/http';
import { bounded } from './bounds.ts';
import { config } from './config.ts';
import { keepTokenFresh, OAUTH } from './oauth.ts';
import { ENDPOINT_URL, JSON_HEADERS } from './payload.ts';

/**
 * Sends a body without customers: it breaks the schema, so a live endpoint answers 400 and nobody
 * earns anything; 0 means unreachable, 401/403 means the credentials are refused.
 */
export function assertTargetUp(): void {
  // The token Node generated may have died while k6 started (a short ttlSeconds, a slow start on a
  // busy machine): renew it first, or setup reads its own stale token as refused credentials.
  if (OAUTH) keepTokenFresh();
  const res = http.post(ENDPOINT_URL, '{}', {
    headers: JSON_HEADERS,
    tags: { name: 'setup' },
    responseCallback: http.expectedStatuses({ min: 0, max: 599 }),
    responseType: 'none',
    ...SETUP_TIMEOUT,
  });
  if (res.status === 0) exec.test.abort(`target ${config.baseUrl} is not reachable: ${res.error}`);
  // Every script sets maxRedirects: 0, so a redirect comes back as itself: it is never followed.
  if (res.status >= 300 && res.status < 400) {
    exec.test.abort(
      `target ${config.baseUrl} answered HTTP ${res.status} redirecting to ${JSON.stringify(res.headers.Location ?? '(no Location)')}; redirects from a target are never followed`,
    );
  }
  if (res.status === 401 || res.status === 403) {
    exec.test.abort(`target ${config.baseUrl} refused the credentials (HTTP ${res.status})`);
  }
}

/** The exchange deadline as the probe's timeout before a --target (k6/bounds.ts); nothing otherwise. */
const SETUP_TIMEOUT: { timeout?: number } = bounded({});
