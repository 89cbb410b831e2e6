// The CRM's token endpoint on the reference provider: POST /v3/oauth/token/generate {"key","secret"}
// answers {"data":{"accessToken","ttlSeconds"},"errors":null}; the token then works in
// X-CAP-API-OAUTH-TOKEN (or as Bearer) until ttlSeconds pass, and is refused with 401 after.
import { randomBytes } from 'node:crypto';
import { type Answer, isJson, JSON_HEADERS } from './answer.js';
import { header, type ProviderRequest } from './request.js';

/** Live tokens kept at most; past it expired ones are dropped, then the oldest. */
const MAX_LIVE_TOKENS = 100_000;

export interface OAuthOptions {
  /** Accepted "key:secret" pairs. */
  clients: string[];
  /** Lifetime of a generated token in seconds. */
  ttlSeconds: number;
}

function tokenError(status: number, message: string): Answer {
  return {
    status,
    headers: { ...JSON_HEADERS },
    body: JSON.stringify({ data: null, errors: [{ status: false, code: status, message }] }),
  };
}

/** Issues tokens to known key/secret pairs and says, per token, which key it belongs to while it lives. */
export class TokenDesk {
  private readonly secrets = new Map<string, string>();
  private readonly live = new Map<string, { key: string; expiresAt: number }>();
  /** Tokens generated since start or reset. */
  generated = 0;
  readonly ttlSeconds: number;

  constructor(
    options: OAuthOptions,
    private readonly now: () => number,
  ) {
    for (const client of options.clients) {
      const at = client.indexOf(':');
      if (at <= 0 || at === client.length - 1)
        throw new RangeError(`provider option oauthClients: "KEY:SECRET" expected, got an item without both`);
      this.secrets.set(client.slice(0, at), client.slice(at + 1));
    }
    if (!(options.ttlSeconds >= 1))
      throw new RangeError('provider option tokenTtlSeconds must be at least 1');
    this.ttlSeconds = options.ttlSeconds;
  }

  /** The answer of the token endpoint to `req` (its body read). */
  generate(req: ProviderRequest): Answer {
    if (req.method !== 'POST') {
      const res = tokenError(405, 'Method not allowed, use POST');
      res.headers.allow = 'POST';
      return res;
    }
    if (!isJson(header(req.headers, 'content-type')))
      return tokenError(415, 'Unsupported media type, send Content-Type application/json');
    let parsed: unknown;
    try {
      const raw = req.body ?? '';
      parsed = JSON.parse(typeof raw === 'string' ? raw : Buffer.from(raw).toString('utf8'));
    } catch {
      return tokenError(400, 'the body is not JSON: send {"key":"...","secret":"..."}');
    }
    const body = (parsed ?? {}) as { key?: unknown; secret?: unknown };
    for (const field of ['key', 'secret'] as const) {
      if (typeof body[field] !== 'string' || body[field] === '')
        return tokenError(400, `"${field}" must be a non-empty string`);
    }
    const key = body.key as string;
    if (this.secrets.get(key) !== body.secret) return tokenError(401, 'invalid key or secret');
    const accessToken = randomBytes(24).toString('base64url');
    this.keep(accessToken, key);
    this.generated++;
    return {
      status: 200,
      headers: { ...JSON_HEADERS },
      body: JSON.stringify({ data: { accessToken, ttlSeconds: this.ttlSeconds }, errors: null }),
    };
  }

  /** The key a live token was generated for; undefined when unknown or expired (an expired one is forgotten). */
  keyOf(token: string): string | undefined {
    const entry = this.live.get(token);
    if (entry === undefined) return undefined;
    if (this.now() < entry.expiresAt) return entry.key;
    this.live.delete(token);
    return undefined;
  }

  reset(): void {
    this.live.clear();
    this.generated = 0;
  }

  private keep(token: string, key: string): void {
    if (this.live.size >= MAX_LIVE_TOKENS) {
      const now = this.now();
      for (const [t, e] of this.live) if (e.expiresAt <= now) this.live.delete(t);
      if (this.live.size >= MAX_LIVE_TOKENS) this.live.delete(this.live.keys().next().value as string);
    }
    this.live.set(token, { key, expiresAt: this.now() + this.ttlSeconds * 1000 });
  }
}
