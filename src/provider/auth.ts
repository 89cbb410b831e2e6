// Who a request is: every credential it presents (Authorization and X-CAP-API-OAUTH-TOKEN) must be
// valid, so a wrong one next to a right one is refused (401) rather than ignored, and Basic is
// decoded as strict base64 only.

import {
  DEFAULT_BASIC_PASSWORD,
  DEFAULT_BASIC_USER,
  DEFAULT_READONLY_BASIC_PASSWORD,
  DEFAULT_READONLY_BASIC_USER,
  DEFAULT_READONLY_TOKEN,
  DEFAULT_TOKEN,
} from '../config/defaults.js';
import { parseUserPass } from '../input/credentials.js';

/** What a request may do: issue (write), authenticate without write access (read), or nothing. */
export type Access = 'write' | 'read' | 'none';

/** The challenge sent with every 401: the two schemes the endpoint accepts in Authorization. */
export const WWW_AUTHENTICATE = 'Basic realm="directearn", charset="UTF-8", Bearer realm="directearn"';

/** Canonical base64 (RFC 4648 §4, padded): no junk, whitespace or missing padding accepted. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export interface CredentialLists {
  basic?: string[];
  tokens?: string[];
  readOnlyBasic?: string[];
  readOnlyTokens?: string[];
}

/** The credentials a provider accepts, and the access each gives. */
export class Credentials {
  private readonly basic = new Map<string, Access>();
  private readonly tokens = new Map<string, Access>();
  /** Exact Authorization values of the configured credentials: the common case skips parsing. */
  private readonly exact = new Map<string, Access>();

  /**
   * Throws (UsageError or RangeError) naming the option for a malformed credential. `generated`
   * says whether a token that is not configured is a live generated one (oauth.ts); it is asked
   * only when the configured lists miss, so they cost what they did.
   */
  constructor(
    o: CredentialLists,
    private readonly generated: (token: string) => boolean = () => false,
  ) {
    for (const [list, access] of [
      [o.readOnlyBasic ?? [`${DEFAULT_READONLY_BASIC_USER}:${DEFAULT_READONLY_BASIC_PASSWORD}`], 'read'],
      [o.basic ?? [`${DEFAULT_BASIC_USER}:${DEFAULT_BASIC_PASSWORD}`], 'write'],
    ] as const) {
      for (const cred of list) {
        parseUserPass(cred, `provider option ${access === 'read' ? 'readOnlyBasic' : 'basic'}`);
        this.basic.set(cred, access);
        this.exact.set(`Basic ${Buffer.from(cred, 'utf8').toString('base64')}`, access);
      }
    }
    for (const [list, access] of [
      [o.readOnlyTokens ?? [DEFAULT_READONLY_TOKEN], 'read'],
      [o.tokens ?? [DEFAULT_TOKEN], 'write'],
    ] as const) {
      for (const token of list) {
        if (token.trim() === '') throw new RangeError('provider option tokens: a token must not be empty');
        this.tokens.set(token, access);
        this.exact.set(`Bearer ${token}`, access);
      }
    }
  }

  /**
   * The access of a request from its two credential headers. Each one presented must be valid
   * (else 'none', answered 401); the request gets the weaker access of the two.
   */
  access(authorization: string | undefined, capToken: string | undefined): Access {
    if (authorization === undefined && capToken === undefined) return 'none';
    let result: Access = 'write';
    if (authorization !== undefined) {
      const a = this.exact.get(authorization) ?? this.fromAuthorization(authorization);
      if (a === 'none') return 'none';
      if (a === 'read') result = 'read';
    }
    if (capToken !== undefined) {
      const a = this.tokens.get(capToken.trim()) ?? this.generatedAccess(capToken.trim());
      if (a === 'none') return 'none';
      if (a === 'read') result = 'read';
    }
    return result;
  }

  private generatedAccess(token: string): Access {
    return this.generated(token) ? 'write' : 'none';
  }

  private fromAuthorization(value: string): Access {
    const m = /^\s*([A-Za-z]+) +(\S+)\s*$/.exec(value);
    if (m === null) return 'none';
    const scheme = (m[1] as string).toLowerCase();
    const credential = m[2] as string;
    if (scheme === 'bearer') return this.tokens.get(credential) ?? this.generatedAccess(credential);
    if (scheme !== 'basic' || !BASE64.test(credential)) return 'none';
    const decoded = Buffer.from(credential, 'base64');
    // Bytes that are not UTF-8 cannot be a configured user:password.
    const text = decoded.toString('utf8');
    if (!Buffer.from(text, 'utf8').equals(decoded)) return 'none';
    return this.basic.get(text) ?? 'none';
  }
}
