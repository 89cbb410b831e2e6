// Credential inputs (USER:PASS pairs, tokens) parsed once, with errors naming the flag or variable.
import { UsageError } from '../errors.js';

/** A Basic credential. */
export interface BasicCredential {
  user: string;
  password: string;
}

/**
 * "USER:PASS" into its two halves: the user is everything before the first colon (non-empty), the
 * password everything after (it may hold colons, and may be empty). `source` names the input in the
 * error, e.g. "--basic" or "DIRECTEARN_BASIC". Throws UsageError (exit 2) without echoing the value
 * (it may be a password).
 */
export function parseUserPass(value: string, source: string): BasicCredential {
  const at = value.indexOf(':');
  if (at <= 0) {
    throw new UsageError(
      `${source} must be USER:PASSWORD (a user, a colon, then the password), got ${at === 0 ? 'no user before the colon' : 'no colon'}`,
    );
  }
  return { user: value.slice(0, at), password: value.slice(at + 1) };
}

/** `parseUserPass` for an optional input: undefined stays undefined. */
export function optionalUserPass(value: string | undefined, source: string): BasicCredential | undefined {
  return value === undefined ? undefined : parseUserPass(value, source);
}

/** A bearer/OAuth token: it must not be empty or blank. `source` names the input in the error. */
export function parseToken(value: string, source: string): string {
  if (value.trim() === '') throw new UsageError(`${source} must not be empty`);
  if (/\s/.test(value.trim())) throw new UsageError(`${source} must be one token without spaces`);
  return value.trim();
}

/** "USER:PASS" back into the form the k6 scripts and HTTP Basic take. */
export function formatUserPass(credential: BasicCredential): string {
  return `${credential.user}:${credential.password}`;
}
