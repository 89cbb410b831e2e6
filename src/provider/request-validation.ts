// Request validation on the hot path: a hand-written check accepts the common, valid shape without
// ajv (cheaper per customer), and a failing body is explained by the spec's ajv validator run on a
// bounded window of customers, so a 4 MiB array of bad items costs no more than 20 of them.
// A property test checks that whatever the fast check accepts, the spec's validator accepts too.
import {
  type DirectEarnRequest,
  type ValidationIssue,
  type ValidationResult,
  validateRequest,
} from '../openapi/index.js';

/** Customers handed to ajv when a long request is invalid: enough for the first problems. */
const WINDOW = 20;

/** A request without its customers: what the rest of a body parses to when they are read apart. */
export type RequestHead = Omit<DirectEarnRequest, 'customers'>;

/** Whether the body surely matches the DirectEarnRequest schema (false = ask ajv). */
export function surelyValid(body: unknown): body is DirectEarnRequest {
  if (!surelyValidHead(body)) return false;
  const customers = (body as { customers?: unknown }).customers;
  if (!Array.isArray(customers) || customers.length === 0) return false;
  for (let i = 0; i < customers.length; i++) if (!surelyValidCustomer(customers[i])) return false;
  return true;
}

/**
 * The checks of `surelyValid` on everything but `customers`: a body whose head passes and whose
 * customers are a non-empty array of items `surelyValidCustomer` accepts is surely valid. The
 * customers scan (customers-scan.ts) relies on this split: it accepts only such customers.
 */
export function surelyValidHead(body: unknown): body is RequestHead {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return false;
  const b = body as Record<string, unknown>;
  if (b.type !== 'CUSTOMER' && b.type !== 'USERGROUP2') return false;
  if (b.identifierName !== 'id' && b.identifierName !== 'mobile' && b.identifierName !== 'email')
    return false;
  const pd = b.promotionDetails;
  if (pd !== undefined) {
    if (pd === null || typeof pd !== 'object' || Array.isArray(pd)) return false;
    const p = pd as Record<string, unknown>;
    if (p.programId !== undefined && !Number.isSafeInteger(p.programId)) return false;
    if (p.promotionId !== undefined && !Number.isSafeInteger(p.promotionId)) return false;
    if (
      p.promoIdentifier !== undefined &&
      (typeof p.promoIdentifier !== 'string' || p.promoIdentifier === '')
    )
      return false;
  }
  return true;
}

/**
 * An item of customers that surely matches CustomerIdentifier: identifierValue a string (maybe
 * empty), source absent or a non-empty string.
 */
export function surelyValidCustomer(c: unknown): boolean {
  if (c === null || typeof c !== 'object' || Array.isArray(c)) return false;
  const x = c as Record<string, unknown>;
  if (typeof x.identifierValue !== 'string') return false;
  const source = x.source;
  return source === undefined || (typeof source === 'string' && source !== '');
}

/** validateRequest of src/spec, bounded in cost for long invalid bodies. */
export function checkRequest(body: unknown): ValidationResult<DirectEarnRequest> {
  if (surelyValid(body)) return { ok: true, value: body };
  const customers = (body as { customers?: unknown } | null)?.customers;
  if (!Array.isArray(customers) || customers.length <= WINDOW) return validateRequest(body);
  let offset = 0;
  while (offset < customers.length && surelyValidCustomer(customers[offset])) offset++;
  if (offset === customers.length) offset = 0;
  // A shallow copy with a window of customers; own "__proto__" keys copy as plain data.
  const reduced = {
    ...(body as Record<string, unknown>),
    customers: customers.slice(offset, offset + WINDOW),
  };
  const checked = validateRequest(reduced);
  if (checked.ok) return validateRequest(body);
  return { ok: false, issues: checked.issues.map((i) => shift(i, offset)) };
}

function shift(issue: ValidationIssue, offset: number): ValidationIssue {
  if (offset === 0) return issue;
  const m = /^\/customers\/(\d+)(?=\/|$)/.exec(issue.path);
  if (m === null) return issue;
  const from = m[0];
  const to = `/customers/${Number(m[1]) + offset}`;
  return { ...issue, path: to + issue.path.slice(from.length), message: issue.message.replace(from, to) };
}
