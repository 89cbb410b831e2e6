// Target URLs given by the user (--target, --state-change-url, a client's baseUrl), checked in one place.
import { UsageError } from '../errors.js';

/**
 * An absolute http(s) URL, returned without trailing slashes (paths are appended to it). `source`
 * names the input in the error ("--target", "DIRECTEARN_TARGET", "baseUrl"); throws UsageError (exit 2).
 */
export function parseHttpUrl(raw: string, source: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new UsageError(
      `${source} must be an absolute URL like https://crm.example.com or http://127.0.0.1:8080, got "${raw}"`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${source} must be an http(s) URL (http:// or https://), got "${raw}"`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new UsageError(
      `${source} must not carry credentials in the URL: give them with --basic or --token`,
    );
  }
  return raw.trim().replace(/\/+$/, '');
}

/** The host[:port] of a URL for messages, or the raw text when it is not one. */
export function hostOf(raw: string): string {
  try {
    return new URL(raw).host;
  } catch {
    return raw;
  }
}
