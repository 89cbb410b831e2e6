// What a proxy run found: a tally fed one exchange at a time, the live line of each violation, and
// the summary, JSON report, JUnit XML (one test case per rule, so CI sees the same cases however much
// traffic crossed; src/util/junit.ts writes it) and exit code at the end.
import { findingLine, UndocumentedCollector, type UndocumentedFinding } from '../contracts/undocumented.js';
import { ExitCode } from '../errors.js';
import { type JUnitCase, junitXml } from '../util/junit.js';
import { printable } from '../util/output-path.js';
import { RULES, type Violation } from './judge-exchange.js';
import type { Exchange } from './server.js';

/** A violation with the exchange it was found in. */
export interface FoundViolation extends Violation {
  exchange: number;
  method: string;
  url: string;
  status?: number;
}

/** The whole run, as `--json` writes it. */
export interface ProxyReport {
  upstream: string;
  /** Every request that crossed the proxy. */
  requests: number;
  /** Endpoint exchanges checked against the spec. */
  checked: number;
  /** Exchanges with at least one violation. */
  failedExchanges: number;
  /** Requests the upstream did not answer (the consumer got 502). */
  upstreamFailures: { exchange: number; method: string; url: string; error: string }[];
  /** Requests the proxy did not forward for the admin routes' Host/Origin rules (answered 403). */
  refused: { exchange: number; method: string; url: string; reason: string }[];
  violations: FoundViolation[];
  /** Per rule: how many violations. Every rule is listed, 0 included. */
  rules: Record<string, number>;
  /** What the upstream answered that the catalogue does not document (never a violation by itself). */
  undocumented: UndocumentedFinding[];
  exitCode: number;
}

/** Collects exchanges as they come. */
export class ProxyTally {
  private readonly report: ProxyReport;
  private readonly drift = new UndocumentedCollector();

  constructor(upstream: string) {
    this.report = {
      upstream,
      requests: 0,
      checked: 0,
      failedExchanges: 0,
      upstreamFailures: [],
      refused: [],
      violations: [],
      rules: Object.fromEntries(RULES.map((r) => [r, 0])),
      undocumented: [],
      exitCode: ExitCode.ok,
    };
  }

  /** Records an exchange; returns the live lines to print for it (none when it is clean). */
  add(x: Exchange): string[] {
    const r = this.report;
    r.requests++;
    if (x.upstreamError !== undefined) {
      r.upstreamFailures.push({ exchange: x.seq, method: x.method, url: x.url, error: x.upstreamError });
      return [
        `UPSTREAM  #${x.seq} ${x.method} ${x.url}: no answer (${x.upstreamError}); the consumer got 502`,
      ];
    }
    if (x.refused !== undefined) {
      r.refused.push({ exchange: x.seq, method: x.method, url: x.url, reason: x.refused });
      return [`REFUSED   #${x.seq} ${x.method} ${x.url}: ${x.refused}; answered 403, not forwarded`];
    }
    // A refused target or an upstream answer not passed on is a violation on any path.
    if (x.checked) r.checked++;
    // Only an answer that was passed on is the upstream's to collect.
    if (x.checked && x.answer !== undefined && x.status !== undefined)
      this.drift.observe(x.status, parseBody(x.answer), `#${x.seq}`);
    if (x.violations.length > 0) r.failedExchanges++;
    return x.violations.map((v) => {
      r.violations.push({ ...v, exchange: x.seq, method: x.method, url: x.url, status: x.status });
      r.rules[v.rule] = (r.rules[v.rule] ?? 0) + 1;
      return `VIOLATION #${x.seq} ${v.side} ${v.field === '' ? '(body)' : v.field} [${v.rule}]: ${v.message}`;
    });
  }

  /** 1 when anything broke the spec; else 3 when the upstream failed to answer; else 0. */
  exitCode(): number {
    if (this.report.violations.length > 0) return ExitCode.failed;
    if (this.report.upstreamFailures.length > 0) return ExitCode.unreachable;
    return ExitCode.ok;
  }

  /** The report with its exit code filled in. */
  result(): ProxyReport {
    return { ...this.report, undocumented: this.drift.findings(), exitCode: this.exitCode() };
  }
}

function parseBody(body: Buffer | undefined): unknown {
  try {
    return body === undefined ? undefined : JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** The lines printed when the proxy stops. */
export function summaryLines(r: ProxyReport): string[] {
  const lines = [
    `directearn proxy: ${r.requests} request(s) forwarded to ${r.upstream}, ${r.checked} exchange(s) of the endpoint checked, ${r.failedExchanges} with violations, ${r.upstreamFailures.length} not answered by the upstream, ${r.refused.length} refused`,
  ];
  for (const [rule, count] of Object.entries(r.rules)) {
    lines.push(`  ${count === 0 ? 'ok  ' : 'FAIL'}  ${rule.padEnd(27)} ${count} violation(s)`);
  }
  for (const f of r.undocumented) lines.push(`  UNDOCUMENTED  ${printable(findingLine(f), 400)}`);
  const verdict =
    r.exitCode === ExitCode.ok
      ? 'no violation'
      : r.exitCode === ExitCode.failed
        ? `${r.violations.length} violation(s)`
        : 'the upstream did not answer every request';
  lines.push(`result: ${verdict} (exit ${r.exitCode})`);
  return lines;
}

/** JUnit XML: one test case per rule, failed with the violations that broke it. */
export function proxyJUnit(r: ProxyReport, timestamp = new Date().toISOString()): string {
  const cases = Object.entries(r.rules).map(([rule, count]): JUnitCase => {
    const base = { classname: 'directearn.proxy', name: rule };
    if (count === 0) return { ...base, outcome: { kind: 'passed' } };
    const body = r.violations
      .filter((v) => v.rule === rule)
      .map((v) => `#${v.exchange} ${v.method} ${v.url} (${v.side}) ${v.field}: ${v.message}`)
      .join('\n');
    return { ...base, outcome: { kind: 'failure', message: `${count} violation(s)`, body } };
  });
  if (r.upstreamFailures.length > 0)
    cases.push({
      classname: 'directearn.proxy',
      name: 'upstream-answers',
      outcome: {
        kind: 'error',
        message: `${r.upstreamFailures.length} request(s) not answered`,
        body: r.upstreamFailures.map((u) => `#${u.exchange} ${u.method} ${u.url}: ${u.error}`).join('\n'),
      },
    });
  return junitXml({
    name: 'directearn proxy',
    suites: [{ name: `traffic to ${r.upstream} (${r.checked} exchange(s) checked)`, timestamp, cases }],
  });
}
