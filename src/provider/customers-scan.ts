// The customers of a directEarn body read from its bytes instead of through JSON.parse, when they are
// written in the common compact shape every load generator sends:
//   "customers":[{"identifierValue":"500000000","source":"INSTORE"},{"identifierValue":"500000001"}]
// JSON.parse makes one object and one internalized string per customer (V8 internalizes short
// strings), so its cost grows with how many DISTINCT customers the bodies carry (the string table
// grows, caches miss, GC works). This scan keeps two offsets per customer in reused typed arrays:
// nothing per customer is allocated, and the cost is the same for one repeated body or fresh ones.
//
// Everything else in the body is still read by JSON.parse, with the array spliced out and a
// sentinel string in its place, so every quirk of JSON.parse (duplicate keys, "__proto__" keys,
// error messages) stays as it was. The scan's result is used only when it provably equals what
// JSON.parse of the whole body gives:
//  1. The array region `[...]` matches a strict grammar (below): it is a complete JSON array of
//     objects whose identifierValue is a string and whose source is absent or a non-empty string,
//     with values of printable ASCII without `"` or `\` (so a value's bytes are its string).
//  2. The text around the region (prefix and suffix) holds no `\` and not the sentinel's text.
//     With no `\`, no quote there is escaped, so in the spliced text the key `"customers"` and the
//     sentinel string right after its `:` are tokens of their own, and no other string token can
//     decode to the sentinel (it would have to contain its text raw).
//  3. JSON.parse of the spliced text succeeds and its top-level `customers` is the sentinel. By 2,
//     that is the sentinel token spliced in, so the region sits where a value is expected, it is
//     the value of the last top-level "customers" key (JSON.parse keeps the last duplicate), and
//     JSON.parse of the whole body gives the same object with the region's array in its place.
// Anything else (whitespace, escapes, non-ASCII, other keys or key order, numbers, nulls, an empty
// source, an empty array, a nested or earlier duplicate "customers", ...) returns undefined, and
// the caller takes the JSON.parse path, unchanged.
import type { Model } from './store.js';

/** Stands in for the customers array in the text JSON.parse reads: letters only, no escape needed. */
export const SENTINEL = 'directearnCustomersReadFromBytes';
const SENTINEL_JSON = `"${SENTINEL}"`;

const OPEN = Buffer.from('"customers":[', 'latin1');
// The fixed parts of an item, compared 4 bytes at a time (little-endian words of their ASCII text).
const ITEM = Buffer.from('{"identifierValue":"', 'latin1');
const SOURCE = Buffer.from(',"source":"', 'latin1');
const [I0, I1, I2, I3, I4] = [0, 4, 8, 12, 16].map((at) => ITEM.readUint32LE(at)) as [
  number,
  number,
  number,
  number,
  number,
];
const S0 = SOURCE.readUint32LE(0);
const S1 = SOURCE.readUint32LE(4);
const S2 = SOURCE.readUint16LE(8);
const S3 = SOURCE[10] as number;
const QUOTE = 0x22;
const COMMA = 0x2c;
const BACKSLASH = 0x5c;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;

/**
 * Reads the customers of bodies, one at a time (the offsets of the last body read are kept until
 * the next read; the arrays are reused, so a body allocates nothing per customer).
 */
export class CustomersScan {
  /** Customers of the last body read (0 when it was not read). */
  count = 0;
  /** Items the last `items` matched. */
  private matched = 0;
  private starts = new Int32Array(256);
  private ends = new Int32Array(256);

  /**
   * The body's top-level object as JSON.parse gives it, but with `customers` set to SENTINEL and the
   * customers kept as offsets (`count`, `resolveInto`); undefined when the body is not in the
   * canonical shape (then JSON.parse the whole body). `body` must be valid UTF-8.
   */
  read(body: Buffer): Record<string, unknown> | undefined {
    this.count = 0;
    const at = body.indexOf(OPEN);
    if (at < 0) return undefined;
    const from = at + OPEN.length - 1; // the '['
    const to = this.items(body, from + 1);
    if (to < 0) return undefined;
    // Both ends cut at ASCII bytes of valid UTF-8, so they decode to the whole body's text around
    // the array (and a `\` or the sentinel is in the bytes exactly when it is in the text).
    const prefix = body.toString('utf8', 0, from);
    const suffix = body.toString('utf8', to);
    if (prefix.includes('\\') || suffix.includes('\\')) return undefined;
    if (prefix.includes(SENTINEL) || suffix.includes(SENTINEL)) return undefined;
    let head: unknown;
    try {
      head = JSON.parse(prefix + SENTINEL_JSON + suffix);
    } catch {
      return undefined; // the JSON.parse path gives the error
    }
    if (head === null || typeof head !== 'object') return undefined;
    const top = head as Record<string, unknown>;
    if (top.customers !== SENTINEL) return undefined;
    this.count = this.matched;
    return top;
  }

  /**
   * The customer IDs of the customers read, in order, into `out` (-1: no such customer), as
   * `model.resolve(identifierName, identifierValue)` gives them. For 'id' straight from the digits;
   * for mobile and email the value's string is made (not internalized) for the lookup.
   */
  resolveInto(body: Buffer, model: Model, identifierName: string, out: Float64Array): void {
    const n = this.count;
    const starts = this.starts;
    const ends = this.ends;
    if (identifierName === 'id') {
      for (let i = 0; i < n; i++) {
        const id = canonicalIdAt(body, starts[i] as number, ends[i] as number);
        // What model.resolve('id', value) does once canonicalId(value) is known.
        out[i] = id >= 0 && model.customerExists(id) ? id : -1;
      }
      return;
    }
    for (let i = 0; i < n; i++)
      out[i] = model.resolve(identifierName, body.toString('latin1', starts[i], ends[i]));
  }

  /** The identifierValue of customer i of the last body read (tests and diagnostics). */
  valueAt(body: Buffer, i: number): string {
    return body.toString('latin1', this.starts[i], this.ends[i]);
  }

  /**
   * Matches the items of the array from `p` (just past its `[`) to its `]`: the index past the `]`,
   * or -1 when the bytes are not exactly
   *   item (',' item)* ']'
   *   item  = '{"identifierValue":"' value '"' (',"source":"' value+ '"')? '}'
   *   value = any byte 0x20..0x7e but '"' and '\'
   * At least one item, so the array is never empty.
   */
  private items(b: Uint8Array, p: number): number {
    const len = b.length;
    const words = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const itemLen = ITEM.length;
    const sourceLen = SOURCE.length;
    let n = 0;
    for (;;) {
      if (p + itemLen > len) return -1;
      if (
        words.getUint32(p, true) !== I0 ||
        words.getUint32(p + 4, true) !== I1 ||
        words.getUint32(p + 8, true) !== I2 ||
        words.getUint32(p + 12, true) !== I3 ||
        words.getUint32(p + 16, true) !== I4
      )
        return -1;
      p += itemLen;
      const start = p;
      p = valueEnd(b, p, len);
      if (p < 0) return -1;
      if (n === this.starts.length) this.grow();
      this.starts[n] = start;
      this.ends[n] = p;
      n++;
      p++; // the closing quote
      if (p >= len) return -1;
      let c = b[p] as number;
      if (c === COMMA) {
        if (p + sourceLen > len) return -1;
        if (
          words.getUint32(p, true) !== S0 ||
          words.getUint32(p + 4, true) !== S1 ||
          words.getUint16(p + 8, true) !== S2 ||
          b[p + 10] !== S3
        )
          return -1;
        p += sourceLen;
        const sourceStart = p;
        p = valueEnd(b, p, len);
        if (p <= sourceStart) return -1; // no closing quote, or an empty source
        p++; // the closing quote
        if (p >= len) return -1;
        c = b[p] as number;
      }
      if (c !== CLOSE_BRACE) return -1;
      p++;
      if (p >= len) return -1;
      c = b[p] as number;
      p++;
      if (c === CLOSE_BRACKET) {
        this.matched = n;
        return p;
      }
      if (c !== COMMA) return -1;
    }
  }

  private grow(): void {
    const starts = new Int32Array(this.starts.length * 2);
    starts.set(this.starts);
    this.starts = starts;
    const ends = new Int32Array(this.ends.length * 2);
    ends.set(this.ends);
    this.ends = ends;
  }
}

/** The index of the quote closing a value starting at p, or -1 (a byte a value may not hold, or no quote). */
function valueEnd(b: Uint8Array, p: number, len: number): number {
  for (; p < len; p++) {
    const c = b[p] as number;
    if (c === QUOTE) return p;
    if (c < 0x20 || c > 0x7e || c === BACKSLASH) return -1;
  }
  return -1;
}

/**
 * canonicalId of store.ts on the ASCII bytes [start, end): digits, no sign, no leading zero, at
 * most 15 digits; -1 otherwise. The same rules char for char (a byte of ASCII text is its char code).
 */
export function canonicalIdAt(b: Uint8Array, start: number, end: number): number {
  const len = end - start;
  if (len === 0 || len > 15) return -1;
  let n = 0;
  for (let i = 0; i < len; i++) {
    const c = (b[start + i] as number) - 48;
    if (c < 0 || c > 9 || (c === 0 && i === 0 && len > 1)) return -1;
    n = n * 10 + c;
  }
  return n;
}
