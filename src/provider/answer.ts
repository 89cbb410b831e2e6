// The answers of POST /v2/promotion/bulk/directEarn once a request is let in: body parsing (a
// canonical customers array is read from the bytes by customers-scan.ts, the rest by JSON.parse)
// and validation, the per-customer cases in the catalogue's precedence, and the spec-shaped error
// bodies.
import { isUtf8 } from 'node:buffer';
import { entityCasesByPrecedence, messageFor, type ValidationIssue } from '../openapi/index.js';
import { CustomersScan } from './customers-scan.js';
import { rawNumberAt } from './json-numbers.js';
import { checkRequest, type RequestHead, surelyValidHead } from './request-validation.js';
import type { LedgerRing, Model, Program, Promotion } from './store.js';

/** A response as the provider hands it to its listener (or an in-process caller). */
export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export const JSON_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-type': 'application/json; charset=utf-8',
});

/** What a request-level check sees: the request and the program and promotion it names, if any. */
interface RequestContext {
  request: RequestHead;
  program: Program | undefined;
  promo: Promotion | undefined;
}

/** The request-scoped cases (they answer every customer), by catalogue case name. */
const REQUEST_CHECKS: Readonly<Record<string, (c: RequestContext) => boolean>> = {
  '8899': (c) => c.request.type === 'USERGROUP2',
  '8881': (c) => {
    const pd = c.request.promotionDetails;
    return (
      pd === undefined ||
      pd.programId === undefined ||
      (pd.promotionId === undefined && pd.promoIdentifier === undefined)
    );
  },
  '1101': (c) => c.program === undefined,
  '8874': (c) => c.promo === undefined,
  '8892': (c) => c.promo !== undefined && !c.promo.active,
};

/** The request-scoped checks in the order of the catalogue's `precedence` (derived, not restated). */
export const REQUEST_CHECK_ORDER: readonly string[] = entityCasesByPrecedence()
  .filter((c) => c.scope === 'request' && Object.hasOwn(REQUEST_CHECKS, c.case))
  .map((c) => c.case);

/**
 * The per-customer cases in the order the loop of `EarnDesk.answer` checks them (kept inline for
 * speed); a test asserts it equals the catalogue's precedence.
 */
export const CUSTOMER_CHECK_ORDER: readonly string[] = ['8015', '8890', 'earned'];

export interface EarnDeskOptions {
  /**
   * Read a customers array in the canonical compact shape from the body's bytes (customers-scan.ts)
   * instead of JSON.parse (default true). The answers are the same either way; a test compares them.
   */
  scanCustomers?: boolean;
  /**
   * Bodies shorter than this many bytes skip the scan (default SCAN_FROM_BYTES); tests pass 0 to
   * scan every body.
   */
  scanFromBytes?: number;
}

/**
 * Below about 300 bytes (3 or 4 customers) JSON.parse of the whole body costs less than the scan's
 * fixed part (finding the array, slicing the text around it, a JSON.parse all the same): ~0.3 µs
 * more per 1-customer body, ~2x less from 16 customers on.
 */
export const SCAN_FROM_BYTES = 300;

/** Issues earns against a model: parses, validates and answers one directEarn body. */
export class EarnDesk {
  /** Earns since start or the last reset. */
  earned = 0;
  /** Bodies whose customers were read by the scan (not JSON.parse): a test checks it is taken. */
  scanned = 0;
  private readonly scan: CustomersScan | undefined;
  private readonly scanFrom: number;
  /** The customer ID (or -1) of each customer of the body being answered; reused, grown as needed. */
  private ids = new Float64Array(256);

  constructor(
    private readonly model: Model,
    private readonly ring: LedgerRing,
    private readonly redirection: () => { enabled: boolean; batchSize: number },
    options: EarnDeskOptions = {},
  ) {
    this.scan = options.scanCustomers === false ? undefined : new CustomersScan();
    this.scanFrom = options.scanFromBytes ?? SCAN_FROM_BYTES;
  }

  /** Answers a body already let in (auth, method, content type and size checked). */
  respond(raw: Uint8Array | string): Answer {
    let text: string;
    if (typeof raw === 'string') text = raw;
    else {
      if (!isUtf8(raw)) return badRequest([{ message: 'the body is not valid UTF-8 text', path: '' }]);
      const bytes = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
      const scanned = raw.byteLength >= this.scanFrom ? this.scan?.read(bytes) : undefined;
      // The scan's customers all pass surelyValidCustomer and are never empty, so the body is surely
      // valid exactly when the rest is: what checkRequest would answer on the JSON.parse path.
      if (scanned !== undefined && surelyValidHead(scanned)) {
        const scan = this.scan as CustomersScan;
        this.scanned++;
        const n = scan.count;
        const name = scanned.identifierName;
        return (
          this.overBatch(n) ??
          this.ok(this.answer(scanned, n, (ids) => scan.resolveInto(bytes, this.model, name, ids)))
        );
      }
      text = bytes.toString('utf8');
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (e) {
      const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
      return badRequest([{ message: `the body is not JSON (${why})`, path: '' }]);
    }
    const checked = checkRequest(body);
    if (!checked.ok) return badRequest(checked.issues.map((i) => asSent(i, text)));
    const request = checked.value;
    const customers = request.customers;
    const model = this.model;
    const name = request.identifierName;
    return (
      this.overBatch(customers.length) ??
      this.ok(
        this.answer(request, customers.length, (ids) => {
          for (let i = 0; i < customers.length; i++)
            ids[i] = model.resolve(name, (customers[i] as { identifierValue: string }).identifierValue);
        }),
      )
    );
  }

  /** The 400 of a request with more customers than the redirection batch size, if enabled. */
  private overBatch(n: number): Answer | undefined {
    const { enabled, batchSize } = this.redirection();
    if (enabled && n > batchSize) {
      return badRequest([
        {
          path: '/customers',
          message: `/customers must have at most ${batchSize} item(s) while BULK_API_REDIRECTION_ENABLED is true (BULK_API_BATCH_SIZE_FOR_REDIRECTION=${batchSize}; received an array of ${n})`,
        },
      ]);
    }
    return undefined;
  }

  /** The headers object is shared by every 200 (frozen): a caller adding headers copies it. */
  private ok(body: string): Answer {
    return { status: 200, headers: JSON_HEADERS as Record<string, string>, body };
  }

  /**
   * The 200 body for a request of n customers, written as a string directly: no object per customer
   * on the hot path. `resolve` fills ids[0..n) with each customer's ID (-1: none has the identifier),
   * as model.resolve gives them; it is called only when some customer is looked up.
   */
  private answer(request: RequestHead, n: number, resolve: (ids: Float64Array) => void): string {
    const pd = request.promotionDetails;
    const program = pd?.programId === undefined ? undefined : this.model.programs.get(pd.programId);
    const byIdentifier = pd?.promotionId === undefined;
    const promo =
      program === undefined || pd === undefined
        ? undefined
        : byIdentifier
          ? pd.promoIdentifier === undefined
            ? undefined
            : program.byIdentifier.get(pd.promoIdentifier)
          : program.byId.get(pd.promotionId as number);
    const context: RequestContext = { request, program, promo };
    const requestError = REQUEST_CHECK_ORDER.find((c) => REQUEST_CHECKS[c]?.(context));
    if (requestError !== undefined || promo === undefined || program === undefined) {
      const entry = entityError(Number(requestError ?? 8881));
      return `{"response":[${new Array<string>(n).fill(entry).join(',')}],"totalCount":${n},"failureCount":${n}}`;
    }

    const promoField = byIdentifier
      ? `"promoIdentifier":${JSON.stringify(pd?.promoIdentifier)}`
      : `"promotionId":${promo.id}`;
    const nameField = promo.name === undefined ? '' : `,"promotionName":${JSON.stringify(promo.name)}`;
    const tail = `,${promoField}${nameField},"programId":${program.id}`;
    const earnedMid = `${tail},"issualId":"${promo.issualId}","earnedId":"`;
    const warned = `${tail}},"errors":[],"warnings":[${WARNING_8890}]}`;
    const notFound = entityError(8015);
    if (this.ids.length < n) this.ids = new Float64Array(Math.max(n, this.ids.length * 2));
    const ids = this.ids;
    resolve(ids);
    const model = this.model;
    const ring = this.ring;
    const counts = promo.counts;
    const limit = promo.limit ?? 0;
    const exhausted = promo.exhausted;
    let failures = 0;
    let out = '{"response":[';
    for (let i = 0; i < n; i++) {
      if (i > 0) out += ',';
      // 8015: no customer has the identifier.
      const customerId = ids[i] as number;
      if (customerId < 0) {
        out += notFound;
        failures++;
        continue;
      }
      // 8890: the customer's earns reached the promotion's limit, or their own (a provider state).
      if (exhausted?.has(customerId)) {
        out += RESULT_HEAD + customerId + warned;
        continue;
      }
      if (counts !== undefined) {
        const had = counts.get(customerId) ?? 0;
        if (had >= limit) {
          out += RESULT_HEAD + customerId + warned;
          continue;
        }
        counts.set(customerId, had + 1);
      }
      // earned.
      const earnedId = model.nextEarnedId++;
      ring.push(earnedId, promo.issualId, program.id, promo.id, customerId);
      this.earned++;
      out += `${RESULT_HEAD}${customerId}${earnedMid}${earnedId}${EARNED_END}`;
    }
    return `${out}],"totalCount":${n},"failureCount":${failures}}`;
  }
}

const RESULT_HEAD = '{"result":{"entityType":"CUSTOMER","entityId":';
const EARNED_END = '"},"errors":[],"warnings":[]}';
const WARNING_8890 = `{"status":false,"code":8890,"message":${JSON.stringify(messageFor(8890, 'warning'))}}`;

const entityErrors = new Map<number, string>();
function entityError(code: number): string {
  let entry = entityErrors.get(code);
  if (entry === undefined) {
    entry = `{"errors":[{"status":false,"code":${code},"message":${JSON.stringify(messageFor(code, 'error'))}}],"warnings":[]}`;
    entityErrors.set(code, entry);
  }
  return entry;
}

/**
 * An issue about a number JSON.parse rounded (past 2^53) shows the literal as sent, not the rounded
 * value: "received 9007199254740993", never "9007199254740992".
 */
function asSent(issue: ValidationIssue, text: string): ValidationIssue {
  if (!/^-?\d/.test(issue.received)) return issue;
  const n = Number(issue.received);
  if (Number.isSafeInteger(n) || !Number.isFinite(n)) return issue;
  const raw = rawNumberAt(text, issue.path);
  if (raw === undefined || raw === issue.received) return issue;
  const message = issue.message.replace(`(received ${issue.received})`, `(received ${raw})`);
  return { ...issue, received: raw, message };
}

/** The catalogue's error body for an HTTP status. */
export function httpError(status: number, message = messageFor(status, 'http')): Answer {
  const body = JSON.stringify({ errors: [{ status: false, code: status, message }] });
  return { status, headers: { ...JSON_HEADERS }, body };
}

/** A 400 naming the fields at fault (at most 20). */
export function badRequest(issues: readonly Pick<ValidationIssue, 'message' | 'path'>[]): Answer {
  const errors = issues.slice(0, 20).map((i) => {
    const e: { status: false; code: number; message: string; field?: string } = {
      status: false,
      code: 400,
      message: i.message,
    };
    if (i.path !== '') e.field = i.path;
    return e;
  });
  return { status: 400, headers: { ...JSON_HEADERS }, body: JSON.stringify({ errors }) };
}

/** Whether a Content-Type is JSON (application/json or application/*+json). */
export function isJson(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  if (contentType === 'application/json') return true; // the common case, without parsing
  const semi = contentType.indexOf(';');
  const media = (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  return media === 'application/json' || (media.startsWith('application/') && media.endsWith('+json'));
}
