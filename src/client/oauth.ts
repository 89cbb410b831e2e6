// OAuth tokens from the CRM's token endpoint (POST /v3/oauth/token/generate {"key","secret"} ->
// {"data":{"accessToken","ttlSeconds"},"errors":null}): generated before a run and renewed before
// ttlSeconds run out. The key and secret are sent only there, never logged or written to a file.
import { OAUTH_TOKEN_PATH } from '../config/defaults.js';
import { UnreachableError, UsageError, UserFacingError } from '../errors.js';

/** Largest token answer read (a token answer is a few hundred bytes). */
const MAX_ANSWER_BYTES = 64 * 1024;
const TIMEOUT_MS = 15_000;

export interface OAuthCredential {
  key: string;
  secret: string;
}

export interface GeneratedToken {
  accessToken: string;
  ttlSeconds: number;
  /** When it was generated (ms since epoch, this machine's clock). */
  generatedAt: number;
}

/**
 * The OAuth key and secret from flags or DIRECTEARN_OAUTH_KEY / DIRECTEARN_OAUTH_SECRET: both or
 * neither (a UsageError names the missing one).
 */
export function oauthOption(
  key: string | undefined,
  secret: string | undefined,
  env: NodeJS.ProcessEnv,
): OAuthCredential | undefined {
  const k = key ?? (env.DIRECTEARN_OAUTH_KEY || undefined);
  const s = secret ?? (env.DIRECTEARN_OAUTH_SECRET || undefined);
  if (k === undefined && s === undefined) return undefined;
  if (k === undefined || k.trim() === '')
    throw new UsageError('--oauth-secret needs --oauth-key (or DIRECTEARN_OAUTH_KEY)');
  if (s === undefined || s === '')
    throw new UsageError('--oauth-key needs --oauth-secret (or DIRECTEARN_OAUTH_SECRET)');
  return { key: k, secret: s };
}

/** Reads at most MAX_ANSWER_BYTES of a response body. */
async function cappedText(res: Response): Promise<string> {
  const reader = res.body?.getReader();
  if (reader === undefined) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_ANSWER_BYTES) {
      await reader.cancel();
      throw new UserFacingError(`the token endpoint answered more than ${MAX_ANSWER_BYTES} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Generates a token at `target`'s token endpoint. Unreachable, or the key and secret refused
 * (401/403): UnreachableError (exit 3); any other answer: UserFacingError naming the status.
 */
export async function generateToken(
  target: string,
  credential: OAuthCredential,
  fetchImpl: typeof fetch = fetch,
): Promise<GeneratedToken> {
  const url = `${target.replace(/\/+$/, '')}${OAUTH_TOKEN_PATH}`;
  const generatedAt = Date.now();
  let res: Response;
  try {
    res = await fetchImpl(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ key: credential.key, secret: credential.secret }),
      // A target is untrusted: its redirects are not followed.
      redirect: 'manual',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).name;
    throw new UnreachableError(
      `the token endpoint ${OAUTH_TOKEN_PATH} of ${target} is not reachable (${cause})`,
    );
  }
  const text = await cappedText(res);
  if (res.status === 401 || res.status === 403)
    throw new UnreachableError(`${target} refused the OAuth key and secret (HTTP ${res.status})`);
  if (res.status !== 200)
    throw new UserFacingError(
      `the token endpoint ${OAUTH_TOKEN_PATH} of ${target} answered HTTP ${res.status}`,
    );
  let data: { accessToken?: unknown; ttlSeconds?: unknown } | undefined;
  try {
    data = (JSON.parse(text) as { data?: typeof data }).data;
  } catch {
    data = undefined;
  }
  const accessToken = data?.accessToken;
  const ttlSeconds = data?.ttlSeconds;
  if (typeof accessToken !== 'string' || !/^[\x21-\x7e]{1,4096}$/.test(accessToken))
    throw new UserFacingError(
      `the token endpoint of ${target} answered 200 without a usable data.accessToken`,
    );
  if (typeof ttlSeconds !== 'number' || !(ttlSeconds > 0))
    throw new UserFacingError(
      `the token endpoint of ${target} answered 200 without a positive data.ttlSeconds`,
    );
  return { accessToken, ttlSeconds, generatedAt };
}

/**
 * A token kept fresh for a Node-side caller: `current()` gives the live token, generating a new one
 * once 80% of its lifetime has passed.
 */
export class TokenKeeper {
  private token: GeneratedToken | undefined;
  /** Tokens generated so far. */
  generated = 0;

  constructor(
    private readonly target: string,
    private readonly credential: OAuthCredential,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  async current(): Promise<GeneratedToken> {
    const t = this.token;
    if (t !== undefined && Date.now() < t.generatedAt + t.ttlSeconds * 800) return t;
    this.token = await generateToken(this.target, this.credential, this.fetchImpl);
    this.generated++;
    return this.token;
  }
}
