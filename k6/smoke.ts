// Smoke: every documented case once, each check named after its catalogue case ("8892: ...").
// The cases (request examples, expected codes and messages) come from the spec: `directearn load`
// writes them to a JSON file and passes its path, so nothing here restates the spec.
import { check } from 'k6';
import exec from 'k6/execution';
import http from 'k6/http';
import type { Options } from 'k6/options';
import { capAnswer } from './bounds.ts';
import { config } from './config.ts';
import { SMOKE_FAIL_MARK, type SmokeCase } from './contract.ts';
import { AUTHORIZATION, ENDPOINT_URL } from './payload.ts';
import { SUMMARY_TREND_STATS, smokeScenarios } from './profiles.ts';
import { summaryOutputs } from './summary-outputs.ts';
import { assertTargetUp } from './target.ts';
import { smokeThresholds } from './thresholds.ts';

const cases: SmokeCase[] = config.casesFile === '' ? [] : (JSON.parse(open(config.casesFile)) as SmokeCase[]);

export const options: Options = {
  // A target's redirect is never followed: it would take our credentials to another host.
  maxRedirects: 0,
  scenarios: smokeScenarios(),
  thresholds: smokeThresholds(),
  summaryTrendStats: SUMMARY_TREND_STATS,
};

export function setup(): void {
  if (cases.length === 0) {
    exec.test.abort(
      'DIRECTEARN_CASES_FILE is not set: run the smoke through `directearn load --scenario smoke`',
    );
  }
  assertTargetUp();
}

interface ErrorLike {
  code?: number;
  message?: string;
}
interface Entry {
  result?: unknown;
  errors?: ErrorLike[];
  warnings?: ErrorLike[];
}

/** What a customer's entry says, in the shape of an expectation (for the failure detail). */
function entryOutcome(entry: Entry | undefined): { code: number | null; message: string | null } {
  if (entry === undefined) return { code: -1, message: 'no entry' };
  const first = entry.errors?.[0] ?? entry.warnings?.[0];
  if (first === undefined) return { code: null, message: entry.result === undefined ? 'no result' : null };
  return { code: first.code ?? -1, message: first.message ?? null };
}

/** Records a check and, when it fails, one line saying what was expected and what came back. */
function expect(name: string, ok: boolean, expected: unknown, received: unknown): void {
  check(null, { [name]: () => ok });
  if (!ok) {
    console.error(`${SMOKE_FAIL_MARK}${JSON.stringify({ check: name, expected, received })}`);
  }
}

function parseJson(body: unknown): unknown {
  if (typeof body !== 'string') return undefined;
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

function body(c: SmokeCase): string | null {
  if (c.request === null) return null;
  if (!c.padBytes) return JSON.stringify(c.request);
  return JSON.stringify({ ...(c.request as object), padding: 'x'.repeat(c.padBytes) });
}

export function smoke(): void {
  for (const c of cases) {
    const headers: Record<string, string> = { 'Content-Type': c.contentType };
    if (c.auth) headers.Authorization = c.authorization ?? AUTHORIZATION;
    const res = http.request(c.method, ENDPOINT_URL, body(c), {
      headers,
      tags: { name: 'directEarn', case: c.case },
      responseCallback: http.expectedStatuses(c.expectedStatus),
    });
    // Every answer is read: through the relay before a local --target, straight from it in a pod.
    capAnswer(res.body);
    const label = `${c.case}: ${c.name}`;
    expect(
      `${label} answers HTTP ${c.expectedStatus}`,
      res.status === c.expectedStatus,
      c.expectedStatus,
      res.status,
    );
    const answer = parseJson(res.body) as
      | { response?: Entry[]; totalCount?: number; failureCount?: number; errors?: ErrorLike[] }
      | undefined;
    if (c.entries !== undefined) {
      const entries = answer?.response ?? [];
      expect(
        `${label} counts ${c.expectedTotalCount} customers, ${c.expectedFailureCount} failed`,
        answer?.totalCount === c.expectedTotalCount && answer?.failureCount === c.expectedFailureCount,
        { totalCount: c.expectedTotalCount, failureCount: c.expectedFailureCount },
        { totalCount: answer?.totalCount, failureCount: answer?.failureCount },
      );
      c.entries.forEach((want, i) => {
        const got = entryOutcome(entries[i]);
        const what = want.code === null ? 'earns' : `gets ${want.code} "${want.message}"`;
        expect(
          `${want.case}: ${c.name} customer ${i + 1} ${what}`,
          got.code === want.code && got.message === want.message,
          want,
          got,
        );
      });
    }
    if (c.expectedCode !== undefined) {
      const error = answer?.errors?.[0];
      const wantsMessage = c.expectedMessage !== undefined && c.expectedMessage !== null;
      expect(
        `${label} error body has code ${c.expectedCode}${wantsMessage ? ` "${c.expectedMessage}"` : ''}`,
        error?.code === c.expectedCode && (!wantsMessage || error?.message === c.expectedMessage),
        { code: c.expectedCode, message: c.expectedMessage },
        { code: error?.code, message: error?.message },
      );
    }
  }
}

export function handleSummary(data: unknown): Record<string, string> {
  return summaryOutputs('smoke', data);
}
