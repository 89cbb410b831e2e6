// The smoke run's verdict per catalogue case (the Node side of k6/smoke.ts), from k6's checks and the
// failure details the script logs.
import { SMOKE_FAIL_MARK } from '../config/k6-contract.js';
import { allChecks, type K6SummaryData } from './read-k6-summary.js';

/** One catalogue case's smoke verdict; `detail` says what was expected and received when it failed. */
export interface SmokeCaseResult {
  passed: boolean;
  detail: string;
}

/** The text of a Go-quoted logfmt value (Go's quoting reads as a JSON string). */
export function unquote(inner: string): string {
  try {
    return JSON.parse(`"${inner}"`) as string;
  } catch {
    return inner;
  }
}

/** Per catalogue case: passed when every check named "<case>: ..." passed; failures say expected vs received. */
export function smokeResults(data: K6SummaryData, consoleText: string): Record<string, SmokeCaseResult> {
  const failures = new Map<string, string>();
  for (const line of consoleText.split('\n')) {
    // k6 writes console lines as logfmt: msg="<Go-quoted message>".
    const quoted = /msg="((?:[^"\\]|\\.)*)"/.exec(line);
    let message = line;
    if (quoted !== null) message = unquote(quoted[1] as string);
    const at = message.indexOf(SMOKE_FAIL_MARK);
    if (at < 0) continue;
    try {
      const f = JSON.parse(message.slice(at + SMOKE_FAIL_MARK.length)) as {
        check: string;
        expected: unknown;
        received: unknown;
      };
      failures.set(f.check, `expected ${JSON.stringify(f.expected)}, received ${JSON.stringify(f.received)}`);
    } catch {
      // a line we cannot read leaves that check's failure without detail
    }
  }
  const results: Record<string, SmokeCaseResult> = {};
  const byCase = new Map<string, { name: string; passes: number; fails: number }[]>();
  for (const c of allChecks(data.root_group)) {
    const id = c.name.slice(0, c.name.indexOf(':'));
    if (id === '') continue;
    byCase.set(id, [...(byCase.get(id) ?? []), c]);
  }
  for (const [id, checks] of byCase) {
    const failed = checks.filter((c) => c.fails > 0 || c.passes === 0);
    results[id] = {
      passed: failed.length === 0,
      detail:
        failed.length === 0
          ? `${checks.length} check(s) passed`
          : failed.map((c) => `${c.name}: ${failures.get(c.name) ?? 'failed'}`).join('; '),
    };
  }
  return results;
}
