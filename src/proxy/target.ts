// Which request targets the proxy forwards: origin-form paths in canonical form only. An upstream may
// well route `//v2/...`, `/./v2/...`, `/v2/...;x=1`, `/v2/.../direct%45arn` or a trailing slash to
// the endpoint or the admin routes, and the proxy would then forward them unchecked; an absolute-form
// target would name a host of the consumer's choosing.
import { ENDPOINT_PATH } from '../openapi/index.js';

/** The outcome: the path and query to forward, or why the target is refused (one line). */
export type TargetCheck = { ok: true; path: string; query: string } | { ok: false; reason: string };

const UNRESERVED = /^[A-Za-z0-9\-._~]$/;

/** Paths whose spelling the upstream may take loosely, and which the proxy must recognise. */
const KNOWN = [ENDPOINT_PATH, '/_admin'];

/**
 * The canonical form of a path: percent-escapes of unreserved characters decoded (RFC 3986 §2.3),
 * other escapes' hex in upper case, `;params` dropped from every segment, `.` and `..` segments
 * resolved, empty segments and a trailing slash removed.
 */
export function canonicalPath(path: string): string {
  const decoded = path.replace(/%([0-9A-Fa-f]{2})/g, (m, hex: string) => {
    const c = String.fromCharCode(Number.parseInt(hex, 16));
    return UNRESERVED.test(c) ? c : m.toUpperCase();
  });
  const out: string[] = [];
  for (const raw of decoded.split('/')) {
    const segment = raw.split(';')[0] as string;
    if (segment === '' || segment === '.') continue;
    if (segment === '..') out.pop();
    else out.push(segment);
  }
  return `/${out.join('/')}`;
}

/** Checks a request's target (req.url as Node read it) before anything is forwarded. */
export function checkRequestTarget(target: string): TargetCheck {
  if (!target.startsWith('/')) {
    return {
      ok: false,
      reason: `request target ${JSON.stringify(target)} is not a path (absolute-form, authority-form or *): this proxy has one upstream and takes origin-form targets only`,
    };
  }
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  const query = q < 0 ? '' : target.slice(q + 1);
  // Nearly every request: the endpoint exactly as the spec writes it is canonical.
  if (path === ENDPOINT_PATH) return { ok: true, path, query };
  if (/[\\\s]|%2f|%5c|%00/i.test(path)) {
    return {
      ok: false,
      reason: `path ${JSON.stringify(path)} holds a backslash, whitespace or an encoded / \\ NUL`,
    };
  }
  const canonical = canonicalPath(path);
  if (canonical !== path && !(path === '/' && canonical === '/')) {
    return {
      ok: false,
      reason: `path ${JSON.stringify(path)} is not canonical (${JSON.stringify(canonical)}): refused rather than forwarded unchecked`,
    };
  }
  const lower = path.toLowerCase();
  for (const known of KNOWN) {
    const k = known.toLowerCase();
    if ((lower === k || lower.startsWith(`${k}/`)) && !path.startsWith(known)) {
      return {
        ok: false,
        reason: `path ${JSON.stringify(path)} differs from ${known} only in case: refused rather than forwarded unchecked`,
      };
    }
  }
  return { ok: true, path, query };
}
