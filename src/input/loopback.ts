// The one decision "is this host this machine?": load traffic, the admin routes and --allow-real-issue all ask it.
import { isIP } from 'node:net';

/**
 * Whether a host name or address is the loopback interface: 127.0.0.0/8, ::1 (also written in full,
 * or as IPv4-mapped ::ffff:127.x), `localhost` and `*.localhost` (RFC 6761 reserves them for loopback).
 * Brackets around an IPv6 literal are allowed; case does not matter.
 */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .replace(/^\[|\]$/g, '')
    .toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) {
    if (/^::ffff:127\./.test(h)) return true;
    // Node writes an IPv4-mapped 127.x in hex (::ffff:7f00:1); expand every form through URL.
    try {
      const canonical = new URL(`http://[${h}]/`).hostname;
      return canonical === '[::1]' || /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(canonical);
    } catch {
      return false;
    }
  }
  return false;
}

/** Whether a URL's host is loopback (see isLoopbackHost); false for anything that is not a URL. */
export function isLoopbackUrl(url: string): boolean {
  let hostname: string;
  try {
    hostname = new URL(url).hostname;
  } catch {
    return false;
  }
  return isLoopbackHost(hostname);
}

/**
 * Whether a peer address (a socket's remoteAddress) is loopback; undefined is the in-process caller
 * (a request handed to the provider as a value, with no socket), which is this process.
 */
export function isLoopbackPeer(address: string | undefined): boolean {
  return address === undefined || isLoopbackHost(address);
}
