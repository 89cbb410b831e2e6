// Request bodies built with a few native string operations instead of objects + JSON.stringify:
// no k6 import, so a unit test compares every body with JSON.stringify of the same request.
// In k6 (goja) a 1000-customer body costs ~2.2 ms as objects + JSON.stringify, ~0.7 ms as one
// string per customer, ~0.15 ms as one Array.join over precomputed pieces (this module); a body
// read from a SharedArray costs more than any of them (k6 JSON-decodes the element on every read).

/** What every body of a run shares. */
export interface BodyShape {
  programId: number;
  /** Sent as promotionDetails.promotionId unless promoIdentifier is given. */
  promotionId: number;
  /** Sent as promotionDetails.promoIdentifier instead of promotionId when not empty. */
  promoIdentifier: string;
  identifierName: string;
  source: string;
  /** identifierValue of customer id N: the template with its first "{id}" replaced by N. */
  template: string;
  /** Customer n of a run is id customerIdFirst + (n mod customerCount). */
  customerIdFirst: number;
  customerCount: number;
}

/** The JSON text of a string without its quotes: escaping is per character, so pieces concatenate. */
const escaped = (s: string): string => JSON.stringify(s).slice(1, -1);

const ENTRY_HEAD = '{"identifierValue":"';

/** The body up to and including the `[` that opens customers (the same bytes JSON.stringify writes). */
export function bodyHead(shape: BodyShape): string {
  const promotionDetails =
    shape.promoIdentifier !== ''
      ? { programId: shape.programId, promoIdentifier: shape.promoIdentifier }
      : { programId: shape.programId, promotionId: shape.promotionId };
  const empty = JSON.stringify({
    type: 'CUSTOMER',
    promotionDetails,
    identifierName: shape.identifierName,
    customers: [],
  });
  return empty.slice(0, -2);
}

/** Closes customers and the body. */
export const BODY_END = ']}';

/** One customer's JSON with an already-escaped identifierValue. */
export const entryOf = (shape: BodyShape, escapedValue: string): string =>
  `${ENTRY_HEAD}${escapedValue}","source":${JSON.stringify(shape.source)}}`;

/** The identifierValue of customer id `id` (what the provider resolves for id, mobile and email). */
export const identifierValueOf = (shape: BodyShape, id: number): string =>
  shape.template.replace('{id}', String(id));

/**
 * Bodies for customers of the generated range. An id is H·10^k + L; for a run of ids sharing H the
 * customers are `pieces[L..]` joined by String(H), where pieces[L] is everything between two H's:
 * L zero-padded to k digits, the rest of that entry, a comma and the start of the next entry. So a
 * body is one native join per run (a batch of b customers has at most b/10^k + 3 runs), exact to
 * the byte with JSON.stringify of the same request (test/load/bodies.test.ts).
 */
export class RangeBodies {
  private readonly head: string;
  private readonly before: string;
  private readonly after: string;
  /** What closes an entry after its L digits. */
  private readonly entryEnd: string;
  /** Whether identifierValue holds the id (a template without {id} gives every customer one value). */
  private readonly hasId: boolean;
  /** Per k (digits of L), built on first use: index L+1 holds piece L, index 0 is a placeholder. */
  private readonly pieces = new Map<number, string[]>();
  /** Per k, the parts of a whole aligned block (see blockOf). */
  private readonly blocks = new Map<number, string[]>();
  /** Chars to cut from a run's end: the comma and next-entry start the last piece carries. */
  private readonly cut: number;

  constructor(private readonly shape: BodyShape) {
    this.head = bodyHead(shape);
    const at = shape.template.indexOf('{id}');
    this.hasId = at >= 0;
    this.before = escaped(at < 0 ? shape.template : shape.template.slice(0, at));
    this.after = at < 0 ? '' : escaped(shape.template.slice(at + 4));
    this.entryEnd = `${this.after}","source":${JSON.stringify(shape.source)}}`;
    this.cut = 1 + ENTRY_HEAD.length + this.before.length;
  }

  /** The body of customers n .. n+batchSize-1 of the range (wrapping at customerCount). */
  body(n: number, batchSize: number): string {
    const { customerIdFirst: first, customerCount: count } = this.shape;
    // k: the fewest digits with 10^k >= batchSize, so a batch spans at most two values of H.
    const k = batchSize === 1 ? 0 : String(batchSize - 1).length;
    const step = 10 ** k;
    let offset = n % count;
    const start = first + offset;
    const startLow = start % step;
    if (this.hasId && start >= step && startLow === 0 && batchSize === step && batchSize <= count - offset) {
      // A whole aligned block (every fresh body at batch 1, 10, 100, 1000...): one join of a cached
      // array, nothing allocated but the body.
      return this.blockOf(k).join(String(start / step));
    }
    if (this.hasId && start >= step && batchSize <= step - startLow && batchSize <= count - offset) {
      // One run (every aligned batch): the whole body is one join, no copy of it afterwards.
      const parts = this.piecesOf(k).slice(startLow, startLow + batchSize + 1);
      parts[0] = `${this.head}${ENTRY_HEAD}${this.before}`;
      parts[batchSize] = `${this.digits(startLow + batchSize - 1, k)}${this.entryEnd}${BODY_END}`;
      return parts.join(String(Math.floor(start / step)));
    }
    const runs: string[] = [];
    let left = batchSize;
    while (left > 0) {
      // One run: ids sharing H, not crossing the range's wrap.
      const id = first + offset;
      const low = id % step;
      const len = Math.min(left, step - low, count - offset);
      runs.push(this.run(id, len, k, step));
      left -= len;
      offset = (offset + len) % count;
    }
    return `${this.head}${runs.join(',')}${BODY_END}`;
  }

  private digits(low: number, k: number): string {
    return k === 0 ? '' : String(low).padStart(k, '0');
  }

  private run(id: number, len: number, k: number, step: number): string {
    const high = Math.floor(id / step);
    if (high === 0 || !this.hasId) {
      // Ids below 10^k would print H as "0"; a constant value has no H. Rare: build one by one.
      const entries = new Array<string>(len);
      for (let i = 0; i < len; i++)
        entries[i] = entryOf(this.shape, escaped(identifierValueOf(this.shape, id + i)));
      return entries.join(',');
    }
    const low = id % step;
    const h = String(high);
    const joined = this.piecesOf(k)
      .slice(low + 1, low + len + 1)
      .join(h);
    return `${ENTRY_HEAD}${this.before}${h}${joined.slice(0, joined.length - this.cut)}`;
  }

  /** The parts of a whole block of 10^k ids sharing H, to be joined by H (built on first use). */
  private blockOf(k: number): string[] {
    let block = this.blocks.get(k);
    if (block === undefined) {
      const step = 10 ** k;
      block = this.piecesOf(k).slice(0, step + 1);
      block[0] = `${this.head}${ENTRY_HEAD}${this.before}`;
      block[step] = `${this.digits(step - 1, k)}${this.entryEnd}${BODY_END}`;
      this.blocks.set(k, block);
    }
    return block;
  }

  private piecesOf(k: number): string[] {
    let pieces = this.pieces.get(k);
    if (pieces === undefined) {
      const step = 10 ** k;
      const rest = `${this.entryEnd},${ENTRY_HEAD}${this.before}`;
      pieces = new Array<string>(step + 1);
      pieces[0] = '';
      for (let low = 0; low < step; low++) pieces[low + 1] = `${this.digits(low, k)}${rest}`;
      this.pieces.set(k, pieces);
    }
    return pieces;
  }
}

/**
 * Bodies for customers of a list (a CSV): the entries are built once, a body is one join of a slice
 * (two when it wraps around the end of the list).
 */
export class ListBodies {
  private readonly head: string;
  private entries: string[] | undefined;

  constructor(
    private readonly shape: BodyShape,
    private readonly values: ArrayLike<string>,
  ) {
    this.head = bodyHead(shape);
  }

  body(n: number, batchSize: number): string {
    if (this.entries === undefined) {
      const entries = new Array<string>(this.values.length);
      for (let i = 0; i < entries.length; i++)
        entries[i] = entryOf(this.shape, escaped(this.values[i] as string));
      this.entries = entries;
    }
    const all = this.entries;
    const parts: string[] = [];
    let at = n % all.length;
    let left = batchSize;
    while (left > 0) {
      const len = Math.min(left, all.length - at);
      parts.push(all.slice(at, at + len).join(','));
      left -= len;
      at = 0;
    }
    return `${this.head}${parts.join(',')}${BODY_END}`;
  }
}
