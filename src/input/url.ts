// Target URLs given by the user (--target, --state-change-url, --upstream, a client's baseUrl),
// checked in one place.
import { UsageError } from '../errors.js';
import { hasUnsafe, printable } from '../util/printable.js';

/**
 * Refuses URL text holding whitespace or a character that is not printable (a newline, ESC, a
 * noncharacter, ...). The raw text is checked, not `new URL`'s: WHATWG parsing drops tabs and
 * newlines, so a checked URL would pass while the raw text (kept for reports and manifests) carried
 * a second YAML document or a forged log line.
 */
export function checkUrlText(raw: string, source: string): void {
  if (!/\s/u.test(raw) && !hasUnsafe(raw)) return;
  throw new UsageError(
    `${source} must be a URL without whitespace or control characters, got "${printable(raw)}"`,
  );
}

/**
 * An absolute http(s) URL, returned without trailing slashes (paths are appended to it). `source`
 * names the input in the error ("--target", "DIRECTEARN_TARGET", "baseUrl"); throws UsageError (exit 2).
 */
export function parseHttpUrl(raw: string, source: string): string {
  checkUrlText(raw, source);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(
      `${source} must be an absolute URL like https://crm.example.com or http://127.0.0.1:8080, got "${printable(raw)}"`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${source} must be an http(s) URL (http:// or https://), got "${printable(raw)}"`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new UsageError(
      `${source} must not carry credentials in the URL: give them with --basic or --token`,
    );
  }
  return raw.replace(/\/+$/, '');
}

/** The host[:port] of a URL for messages, or the raw text when it is not one. */
export function hostOf(raw: string): string {
  try {
    return new URL(raw).host;
  } catch {
    return raw;
  }
}
