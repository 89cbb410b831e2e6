// The small edits the variants (regressions.ts) are made of: recoding or rewording a catalogue code,
// changing every result, failing every entry, reading and replacing a request header, swapping a
// provider state, reordering keys; each returns the hook a variant plugs in.
import { DEFAULT_BASIC_PASSWORD, DEFAULT_BASIC_USER } from '../config/defaults.js';
import { messageFor } from '../openapi/index.js';
import type { ProviderRequest, ProviderResponse } from '../provider/index.js';
import { STATES } from '../states/index.js';
import type { Bulk, Obj, SentRequest, StateChange } from './variant.js';

/** The default credential with write access, as an Authorization header. */
export const WRITE_BASIC = `Basic ${Buffer.from(`${DEFAULT_BASIC_USER}:${DEFAULT_BASIC_PASSWORD}`).toString('base64')}`;
/** The 401 a regression answers in place of the provider. */
export const UNAUTHORIZED: ProviderResponse = {
  status: 401,
  headers: { 'content-type': 'application/json; charset=utf-8' },
  body: JSON.stringify({ errors: [{ status: false, code: 401, message: 'Unauthorized' }] }),
};
/** A request header's first value (by its name as given or in lower case). */
export const header = (req: ProviderRequest, name: string): string | undefined => {
  const v = req.headers[name] ?? req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
};
/** The request with a header replaced (or removed when `value` is undefined), whatever its case. */
export const withHeader = (
  req: ProviderRequest,
  name: string,
  value: string | undefined,
): ProviderRequest => {
  const headers = { ...req.headers };
  for (const k of Object.keys(headers)) if (k.toLowerCase() === name.toLowerCase()) delete headers[k];
  if (value !== undefined) headers[name.toLowerCase()] = value;
  return { ...req, headers };
};
/** The code of an error or warning entry, as a number. */
export const codeOf = (e: Obj) => Number(e.code);
/** Every error and warning with code `from` recoded to `to`, or reworded when `message` is given. */
export const recode = (from: number, to: number, message?: string) => (b: Bulk) => {
  for (const e of b.response)
    for (const err of [...e.errors, ...e.warnings]) {
      if (codeOf(err) !== from) continue;
      if (message === undefined) err.code = to;
      else err.message = message;
    }
};
/** Applies `f` to every entry's result (and its index). */
export const everyResult = (f: (r: Obj, i: number) => void) => (b: Bulk) =>
  b.response.forEach((e, i) => {
    if (e.result !== undefined) f(e.result, i);
  });
/** Every entry failed with this code and message, and failureCount to match. */
export const failAll = (code: number, message: string) => (b: Bulk) => {
  b.response = b.response.map(() => ({ errors: [{ status: false, code, message }], warnings: [] }));
  b.failureCount = b.response.length;
};
/** Every entry failed 8015 when the request names customers by `name`. */
export const lookupBroken = (name: string) => (b: Bulk, req: SentRequest | undefined) => {
  if (req?.identifierName === name) failAll(8015, messageFor(8015, 'error'))(b);
};
/** The state `name` replaced by one that changes nothing relevant (a host that cannot set it up). */
export const dropState = (name: string) => (c: StateChange) =>
  c.state === name ? { ...c, state: STATES.customerExists, params: { customerId: 1 } } : c;
/** The value with the keys of every object in reverse order. */
export const reverseKeys = (v: unknown): unknown => {
  if (Array.isArray(v)) return v.map(reverseKeys);
  if (v !== null && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v)
        .reverse()
        .map(([k, x]) => [k, reverseKeys(x)]),
    );
  return v;
};
