// XML text escaping for the JUnit writer (src/util/junit.ts) of verify, check, proxy and diff: the printable rule
// (src/util/printable.ts), which leaves no character XML 1.0 cannot hold, then XML's five entities.
import { printableLines } from './printable.js';

/**
 * Escapes text for XML attributes and text nodes. Control characters, U+FFFE/U+FFFF and lone
 * surrogates become visible escapes (\x1b, \uFFFE) instead of making the document not well-formed.
 */
export function xmlEscape(text: string): string {
  return printableLines(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}
