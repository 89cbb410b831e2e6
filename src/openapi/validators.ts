// ajv (JSON Schema 2020-12) validators compiled from the spec's schemas, with errors that say
// where, what was expected and what came.
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { loadSpec } from './document.js';
import type { DirectEarnRequest, DirectEarnResponse, HttpErrorBody } from './types.js';

const SPEC_ID = 'directearn.yaml';

/** One reason a payload does not match the spec. */
export interface ValidationIssue {
  /** JSON pointer of the value at fault ("" is the whole body). */
  path: string;
  /** The JSON Schema keyword that failed (type, required, enum, ...). */
  keyword: string;
  /** What the spec expects there, in words. */
  expected: string;
  /** What came, shortened to stay readable. */
  received: string;
  /** One line a person can act on: "<path> must be ... (received ...)". */
  message: string;
}

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; issues: ValidationIssue[] };

let ajv: Ajv2020 | undefined;
const compiled = new Map<string, ValidateFunction>();

function validatorFor(schemaName: string): ValidateFunction {
  let fn = compiled.get(schemaName);
  if (fn === undefined) {
    if (ajv === undefined) {
      // strict is off because the schema is the whole OpenAPI document (info, paths, x- keys are
      // not JSON Schema keywords); formats are checked for the numeric ones the spec uses.
      // int64 is the format's own range; the spec bounds its IDs at ±(2^53 - 1) with `minimum` and `maximum`, so
      // that one keyword (and its message) says where the limit is.
      ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: true });
      ajv.addFormat('int64', {
        type: 'number',
        validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 63) && n <= 2 ** 63,
      });
      ajv.addFormat('int32', {
        type: 'number',
        validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31,
      });
      ajv.addSchema({ ...loadSpec(), $id: SPEC_ID });
    }
    const got = ajv.getSchema(`${SPEC_ID}#/components/schemas/${schemaName}`);
    if (got === undefined) throw new Error(`the spec has no schema components.schemas.${schemaName}`);
    fn = got;
    compiled.set(schemaName, fn);
  }
  return fn;
}

/** Validates `value` against `components.schemas[schemaName]` of the spec. */
export function validateSchema<T>(schemaName: string, value: unknown): ValidationResult<T> {
  const fn = validatorFor(schemaName);
  if (fn(value)) return { ok: true, value: value as T };
  return { ok: false, issues: toIssues(fn.errors ?? [], value) };
}

/** Validates a directEarn request body. */
export function validateRequest(body: unknown): ValidationResult<DirectEarnRequest> {
  return validateSchema<DirectEarnRequest>('DirectEarnRequest', body);
}

/** Schema name of the body the spec allows for an HTTP status, or undefined when it allows none. */
export function responseSchemaFor(status: number): 'DirectEarnResponse' | 'HttpError' | undefined {
  if (status === 200) return 'DirectEarnResponse';
  if ([400, 401, 403, 413, 415, 429].includes(status) || (status >= 500 && status <= 599)) return 'HttpError';
  return undefined;
}

/** Validates a response body for its HTTP status: 200 bodies and the (inferred) error bodies. */
export function validateResponse(
  status: number,
  body: unknown,
): ValidationResult<DirectEarnResponse | HttpErrorBody> {
  const schema = responseSchemaFor(status);
  if (schema === undefined) {
    return {
      ok: false,
      issues: [
        {
          path: '',
          keyword: 'status',
          expected: 'one of the statuses the spec documents (200, 400, 401, 403, 413, 415, 429, 5XX)',
          received: String(status),
          message: `HTTP status ${status} is not one the spec documents for POST /v2/promotion/bulk/directEarn`,
        },
      ],
    };
  }
  return validateSchema(schema, body);
}

/** Formats issues as lines for a terminal or an error message. */
export function formatIssues(issues: readonly ValidationIssue[]): string {
  return issues.map((i) => `- ${i.message}`).join('\n');
}

function pointerGet(root: unknown, pointer: string): unknown {
  if (pointer === '') return root;
  let cur: unknown = root;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, key)) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'object') return 'an object';
  const text = JSON.stringify(v);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function expectedOf(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'type':
      return `of type ${String(p.type)}`;
    case 'enum':
      return `one of: ${(p.allowedValues as unknown[]).map(String).join(', ')}`;
    case 'const':
      return `equal to ${JSON.stringify(p.allowedValue)}`;
    case 'required':
      return `present (required property "${String(p.missingProperty)}")`;
    case 'minItems':
      return `an array of at least ${String(p.limit)} item(s)`;
    case 'minLength':
      return `a string of at least ${String(p.limit)} character(s)`;
    case 'pattern':
      return `a string matching ${String(p.pattern)}`;
    case 'minimum':
      return `>= ${String(p.limit)}`;
    case 'maximum':
      return `<= ${String(p.limit)}`;
    case 'format':
      return `in format ${String(p.format)}`;
    case 'oneOf':
    case 'anyOf':
      return 'one of the alternatives the spec allows';
    default:
      return e.message ?? e.keyword;
  }
}

function toIssues(errors: readonly ErrorObject[], root: unknown): ValidationIssue[] {
  // A failed oneOf/anyOf also reports every branch; keep the summary line and drop branch noise
  // unless it is all there is.
  const branchRoots = errors.filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf');
  const kept = errors.filter(
    (e) =>
      e.keyword === 'oneOf' ||
      e.keyword === 'anyOf' ||
      !branchRoots.some(
        (b) =>
          b.instancePath === e.instancePath && e.schemaPath.startsWith(b.schemaPath.replace(/\/[^/]+$/, '')),
      ),
  );
  const seen = new Set<string>();
  const issues: ValidationIssue[] = [];
  for (const e of kept.length > 0 ? kept : errors) {
    const path =
      e.keyword === 'required'
        ? `${e.instancePath}/${String((e.params as { missingProperty: string }).missingProperty)}`
        : e.instancePath;
    const expected = expectedOf(e);
    const received = describeValue(pointerGet(root, path));
    const key = `${path}|${expected}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const where = path === '' ? 'the body' : path;
    issues.push({
      path,
      keyword: e.keyword,
      expected,
      received,
      message:
        e.keyword === 'required'
          ? `${where} is required (missing)`
          : `${where} must be ${expected} (received ${received})`,
    });
  }
  return issues;
}
