// How the client authenticates (the doc's Basic, or OAuth as Bearer or the CRM's own header) and
// the header each credential becomes on a request.
import { parseUserPass } from '../input/credentials.js';

/** How the client authenticates: the doc's Basic, or OAuth as Bearer or the CRM's own header. */
export type Auth =
  | { kind: 'basic'; user: string; password: string }
  | { kind: 'bearer'; token: string }
  | { kind: 'cap-oauth'; token: string }
  | { kind: 'none' };

/** The Authorization / X-CAP-API-OAUTH-TOKEN header of a credential. */
export function authHeaders(auth: Auth | undefined): Record<string, string> {
  if (auth === undefined || auth.kind === 'none') return {};
  if (auth.kind === 'basic') {
    return {
      Authorization: `Basic ${Buffer.from(`${auth.user}:${auth.password}`, 'utf8').toString('base64')}`,
    };
  }
  if (auth.kind === 'bearer') return { Authorization: `Bearer ${auth.token}` };
  return { 'X-CAP-API-OAUTH-TOKEN': auth.token };
}

/** Parses "user:pass" (the CLI's --basic) into a Basic credential, naming the input when it is malformed. */
export function parseBasic(value: string, name = '--basic'): Auth {
  return { kind: 'basic', ...parseUserPass(value, name) };
}
