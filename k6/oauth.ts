// OAuth renewal inside k6: each VU renews its own token before ttlSeconds run out, at a random point
// between half and four fifths of the lifetime, so VUs do not all ask the token endpoint at once.
import http from 'k6/http';
import { bounded, capAnswer, READ_BASE_URL } from './bounds.ts';
import { config } from './config.ts';
import { JSON_HEADERS, OAUTH_TOKEN_HEADER } from './payload.ts';

/** Whether the run uses a generated token (a key was given): only then does a request check its age. */
export const OAUTH = config.oauthKey !== '';

// The answer is read: before a --target, it comes through the bounded relay (k6/bounds.ts).
const TOKEN_URL = `${READ_BASE_URL}${config.oauthPath}`;
const TOKEN_BODY = JSON.stringify({ key: config.oauthKey, secret: config.oauthSecret });
const TOKEN_PARAMS = bounded(
  {
    headers: { 'Content-Type': 'application/json' },
    tags: { name: 'oauth-token' },
    responseCallback: http.expectedStatuses(200),
    // The scripts discard bodies unless a request asks (discardResponseBodies): this one is read.
    responseType: 'text' as const,
  },
  true,
);

/** A renewal point in [0.5, 0.8] of a lifetime from `from` (ms). */
const renewalAfter = (from: number, ttlSeconds: number): number =>
  from + ttlSeconds * 1000 * (0.5 + 0.3 * Math.random());

/** This VU's renewal time (ms since epoch): the token the run started with, jittered per VU. */
let renewAt = renewalAfter(config.oauthGeneratedAt, config.oauthTtlSeconds);
let warned = false;

/** Renews this VU's token when its renewal time has come; call before each request when OAUTH. */
export function keepTokenFresh(): void {
  const now = Date.now();
  if (now < renewAt) return;
  const res = http.post(TOKEN_URL, TOKEN_BODY, TOKEN_PARAMS);
  capAnswer(res.body);
  let token: unknown;
  let ttl: unknown;
  if (res.status === 200 && typeof res.body === 'string') {
    try {
      const data = (JSON.parse(res.body) as { data?: { accessToken?: unknown; ttlSeconds?: unknown } }).data;
      token = data?.accessToken;
      ttl = data?.ttlSeconds;
    } catch {
      token = undefined;
    }
  }
  if (typeof token === 'string' && token !== '' && typeof ttl === 'number' && ttl > 0) {
    JSON_HEADERS[OAUTH_TOKEN_HEADER] = token;
    renewAt = renewalAfter(now, ttl);
    return;
  }
  // Try again in a second; the current token may still live that long.
  renewAt = now + 1000;
  if (!warned) {
    warned = true;
    console.warn(
      `oauth: renewing the token at ${TOKEN_URL} failed (HTTP ${res.status}); retrying every second`,
    );
  }
}
