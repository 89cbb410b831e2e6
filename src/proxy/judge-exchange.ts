// Judges one request/answer pair of POST /v2/promotion/bulk/directEarn against the spec: the request
// and the answer by schema, the answer's codes and messages by the catalogue, then the doc's
// invariants (src/contracts/invariants.ts, the same checks `verify` runs, plus the request-level cases
// 8899 and 8881 the request alone decides). Every violation names the side, the JSON pointer of the
// field and the rule; those that compare a value say what was expected and what was received.

import { INVARIANT_RULES, invariantMessage } from '../contracts/findings.js';
import { checkInvariants, checkRequestLevelCase } from '../contracts/invariants.js';
import {
  catalogue,
  type DirectEarnRequest,
  type DirectEarnResponse,
  ENDPOINT_PATH,
  type HttpErrorBody,
  validateRequest,
  validateResponse,
} from '../openapi/index.js';

/** One thing in an exchange that breaks the spec, the catalogue or an invariant. */
export interface Violation {
  side: 'request' | 'response';
  /** What was broken: request-schema, catalogue-message, earned-ids-unique, ... */
  rule: string;
  /** JSON pointer of the field at fault ("" = the whole body), or "header <name>". */
  field: string;
  message: string;
  /** The entry of `response` at fault, where one is. */
  entry?: number;
  /** What the spec, the catalogue or the invariant calls for, where the check compares a value. */
  expected?: unknown;
  /** What the answer holds there (the target's value, as it sent it). */
  received?: unknown;
}

/** What a comparing check adds to a violation. */
type Compared = Pick<Violation, 'entry' | 'expected' | 'received'>;

/** Every rule the proxy checks, in report order. */
export const RULES = [
  'request-headers',
  'request-schema',
  'response-status',
  'response-schema',
  'http-error-code',
  'catalogue-code',
  'catalogue-message',
  ...INVARIANT_RULES,
  // The proxy's own: a target it refused to forward, an upstream answer it did not pass on.
  'request-target',
  'upstream-answer',
] as const;

/** One request as it crossed the proxy. */
export interface SeenRequest {
  method: string;
  /** Path and query as the consumer sent them. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** Whether the proxy judges this request (the endpoint's POST) or only forwards it. */
export function isEndpointCall(method: string, url: string, basePath = ''): boolean {
  const path = url.split('?')[0] ?? '';
  return method === 'POST' && path === `${basePath}${ENDPOINT_PATH}`;
}

type Parsed = { ok: true; value: unknown } | { ok: false; why: string };

function parseJson(body: Buffer): Parsed {
  try {
    return { ok: true, value: JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body)) };
  } catch (e) {
    return { ok: false, why: e instanceof TypeError ? 'is not valid UTF-8' : 'is not JSON' };
  }
}

function header(headers: SeenRequest['headers'], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Checks the request alone; returns the parsed request when it matches the schema. */
export function checkRequest(req: SeenRequest): { violations: Violation[]; request?: DirectEarnRequest } {
  const violations: Violation[] = [];
  const v = (rule: string, field: string, message: string) =>
    violations.push({ side: 'request', rule, field, message });
  const type = header(req.headers, 'content-type') ?? '';
  if (!/^application\/([\w.+-]+\+)?json\b/i.test(type.trim())) {
    v(
      'request-headers',
      'header content-type',
      `header content-type must be application/json (received ${type === '' ? 'nothing' : JSON.stringify(type)})`,
    );
  }
  const auth = header(req.headers, 'authorization');
  if (!/^(basic|bearer) \S/i.test(auth ?? '') && header(req.headers, 'x-cap-api-oauth-token') === undefined) {
    v(
      'request-headers',
      'header authorization',
      'header authorization must carry Basic or Bearer credentials (or send X-CAP-API-OAUTH-TOKEN)',
    );
  }
  const parsed = parseJson(req.body);
  if (!parsed.ok) {
    v('request-schema', '', `the request body ${parsed.why}`);
    return { violations };
  }
  const result = validateRequest(parsed.value);
  if (!result.ok) {
    for (const i of result.issues) v('request-schema', i.path, i.message);
    return { violations };
  }
  return { violations, request: result.value };
}

/** Checks an answer (and, when the request was valid, the invariants between the two). */
export function checkResponse(
  status: number,
  body: Buffer,
  request: DirectEarnRequest | undefined,
): Violation[] {
  const violations: Violation[] = [];
  const v = (rule: string, field: string, message: string, compared: Compared = {}) =>
    violations.push({ side: 'response', rule, field, message, ...compared });
  const parsed = parseJson(body);
  if (!parsed.ok) {
    v('response-schema', '', `the ${status} answer's body ${parsed.why}`);
    return violations;
  }
  const result = validateResponse(status, parsed.value);
  if (!result.ok) {
    for (const i of result.issues)
      v(i.keyword === 'status' ? 'response-status' : 'response-schema', i.path, i.message);
    return violations;
  }
  if (status !== 200) {
    // The inferred error body: `code` is the HTTP status; its message names the field and so is
    // not one fixed string (the pacts match it by type too).
    (result.value as HttpErrorBody).errors.forEach((e, i) => {
      if (e.code !== status)
        v(
          'http-error-code',
          `/errors/${i}/code`,
          `/errors/${i}/code must be ${status}, the HTTP status (received ${e.code})`,
          { expected: status, received: e.code },
        );
    });
    return violations;
  }
  const answer = result.value as DirectEarnResponse;
  const byCode = new Map(
    catalogue().flatMap((c) =>
      c.kind === 'error' || c.kind === 'warning' ? [[`${c.kind}:${c.code}`, c]] : [],
    ),
  );
  answer.response.forEach((entry, i) => {
    for (const [list, kind] of [
      [entry.errors, 'error'],
      [entry.warnings, 'warning'],
    ] as const) {
      list.forEach((m, j) => {
        const at = `/response/${i}/${kind}s/${j}`;
        const known = byCode.get(`${kind}:${m.code}`);
        if (known === undefined) {
          v('catalogue-code', `${at}/code`, `${at}/code ${m.code} is not a documented ${kind} code`, {
            entry: i,
            expected: `a documented ${kind} code`,
            received: m.code,
          });
        } else if (m.message !== known.message) {
          v(
            'catalogue-message',
            `${at}/message`,
            `${at}/message must be ${JSON.stringify(known.message)} for ${kind} ${m.code} (received ${JSON.stringify(m.message)})`,
            { entry: i, expected: known.message, received: m.message },
          );
        }
      });
    }
  });
  if (request !== undefined) {
    for (const f of [...checkInvariants(request, answer), ...checkRequestLevelCase(request, answer)])
      v(f.rule, f.field, invariantMessage(f), {
        ...(f.entry !== undefined ? { entry: f.entry } : {}),
        expected: f.expected,
        received: f.received,
      });
  }
  return violations;
}
