// The smoke's cases, derived from the spec alone: its request examples paired with their response
// examples, codes and messages from `x-directearn-catalogue`, plus HTTP-level probes of the catalogue.

import type { SmokeCase } from '../config/k6-contract.js';
import { catalogue, ENDPOINT_PATH, example, loadSpec, messageFor } from '../openapi/index.js';

export type { SmokeCase };

/** A catalogue case the smoke cannot produce against this target, and why. */
export interface SkippedCase {
  case: string;
  reason: string;
}

export interface SmokeCaseOptions {
  /** The target's body limit, when known (embedded provider): adds the 413 probe. */
  bodyLimit?: number;
  /** An Authorization header that authenticates without write access: adds the 403 probe. */
  readOnlyAuthorization?: string;
}

type ExampleRefs = Record<string, { $ref?: string }>;

function refName(ref: { $ref?: string } | undefined, where: string): string {
  const m = /^#\/components\/examples\/(.+)$/.exec(ref?.$ref ?? '');
  if (m === null) throw new Error(`${where} is not a $ref to components.examples`);
  return m[1] as string;
}

/** The request examples of the operation and the 200 examples, by their media-type example keys. */
function operationExamples(): { requests: ExampleRefs; responses: ExampleRefs } {
  const post = loadSpec().paths?.[ENDPOINT_PATH]?.post as
    | {
        requestBody?: { content?: Record<string, { examples?: ExampleRefs }> };
        responses?: Record<string, { content?: Record<string, { examples?: ExampleRefs }> }>;
      }
    | undefined;
  return {
    requests: post?.requestBody?.content?.['application/json']?.examples ?? {},
    responses: post?.responses?.['200']?.content?.['application/json']?.examples ?? {},
  };
}

/**
 * The 200 example answering a request example key: the same key, else the longest key this one
 * extends (`error-8874-promo-identifier` -> `error-8874`), else one extending it
 * (`doc-request` -> `doc-request-earned`).
 */
export function pairedResponseKey(requestKey: string, responseKeys: string[]): string | undefined {
  if (responseKeys.includes(requestKey)) return requestKey;
  const prefixes = responseKeys
    .filter((k) => requestKey.startsWith(`${k}-`))
    .sort((a, b) => b.length - a.length);
  if (prefixes[0] !== undefined) return prefixes[0];
  return responseKeys.filter((k) => k.startsWith(`${requestKey}-`)).sort((a, b) => a.length - b.length)[0];
}

interface ExampleEntry {
  errors?: { code: number }[];
  warnings?: { code: number }[];
}

function caseOfCode(code: number): string {
  const entry = catalogue().find((c) => c.code === code && (c.kind === 'error' || c.kind === 'warning'));
  if (entry === undefined) throw new Error(`code ${code} of a spec example is not in x-directearn-catalogue`);
  return entry.case;
}

const earnedCase = (): string => catalogue().find((c) => c.kind === 'earned')?.case ?? 'earned';

/** Cases of the spec's request examples: each expects the entries its paired response example shows. */
function exampleCases(): SmokeCase[] {
  const { requests, responses } = operationExamples();
  const responseKeys = Object.keys(responses);
  const cases: SmokeCase[] = [];
  for (const [key, ref] of Object.entries(requests)) {
    const requestName = refName(ref, `request example ${key}`);
    const responseKey = pairedResponseKey(key, responseKeys);
    if (responseKey === undefined) throw new Error(`request example ${key} has no 200 example to pair with`);
    const answer = example<{ response: ExampleEntry[]; totalCount: number; failureCount: number }>(
      refName(responses[responseKey], `response example ${responseKey}`),
    );
    const entries = answer.response.map((entry) => {
      const code = entry.errors?.[0]?.code ?? entry.warnings?.[0]?.code;
      if (code === undefined) return { case: earnedCase(), code: null, message: null };
      return { case: caseOfCode(code), code, message: messageFor(code) };
    });
    cases.push({
      case: entries.find((e) => e.code !== null)?.case ?? earnedCase(),
      name: requestName,
      method: 'POST',
      request: example(requestName),
      contentType: 'application/json',
      auth: true,
      expectedStatus: 200,
      entries,
      expectedTotalCount: answer.totalCount,
      expectedFailureCount: answer.failureCount,
    });
  }
  return cases;
}

/**
 * Probes of the HTTP-level catalogue cases this target can answer without configuration, and the
 * ones it cannot (with the reason), so a report says what the smoke did not cover.
 */
function httpCases(options: SmokeCaseOptions): { cases: SmokeCase[]; skipped: SkippedCase[] } {
  const { requests } = operationExamples();
  const firstKey = Object.keys(requests)[0];
  if (firstKey === undefined) throw new Error('the spec has no request example');
  const valid = example<Record<string, unknown>>(refName(requests[firstKey], `request example ${firstKey}`));
  const base = { request: valid, contentType: 'application/json', auth: true, method: 'POST' };
  const probe = (code: number, name: string, extra: Partial<SmokeCase>): SmokeCase => ({
    ...base,
    case: `http-${code}`,
    name,
    expectedStatus: code,
    expectedCode: code,
    expectedMessage: messageFor(code, 'http'),
    ...extra,
  });
  const cases: SmokeCase[] = [
    // 400's catalogue message is a heading; the body's message names the field, so only the code is checked.
    probe(400, 'a request without customers', {
      request: { ...valid, customers: [] },
      expectedMessage: null,
    }),
    probe(401, 'a request without credentials', { auth: false }),
    probe(405, 'a GET instead of a POST', { method: 'GET', request: null }),
    probe(415, 'a request sent as text/plain', { contentType: 'text/plain' }),
  ];
  const skipped: SkippedCase[] = [];
  if (options.readOnlyAuthorization !== undefined) {
    cases.push(
      probe(403, 'a request with read-only credentials', { authorization: options.readOnlyAuthorization }),
    );
  }
  if (options.bodyLimit !== undefined) {
    cases.push(probe(413, 'a request over the body limit', { padBytes: options.bodyLimit + 1 }));
  }
  const covered = new Set(cases.map((c) => c.case));
  for (const entry of catalogue()) {
    if (entry.kind !== 'http' || covered.has(entry.case)) continue;
    const reason: Record<string, string> = {
      'http-403': 'needs credentials without write access to the customer group resource',
      'http-413': "needs the target's body limit",
      'http-429': 'rate limiting is measured by --scenario rate',
      'http-404': 'about paths other than the endpoint',
      'http-500': 'a server fault cannot be asked for',
      'http-503': 'load shedding comes only past the capacity, found by directearn capacity',
    };
    skipped.push({
      case: entry.case,
      reason: reason[entry.case] ?? 'no request produces it without configuring the target',
    });
  }
  return { cases: cases.filter((c) => catalogue().some((e) => e.case === c.case)), skipped };
}

/** Every smoke case, and the catalogue cases left out with why. */
export function smokeCases(options: SmokeCaseOptions = {}): { cases: SmokeCase[]; skipped: SkippedCase[] } {
  const http = httpCases(options);
  return { cases: [...exampleCases(), ...http.cases], skipped: http.skipped };
}
