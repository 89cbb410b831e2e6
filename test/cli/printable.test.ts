// The output hygiene rule (src/util/printable.ts) and the sinks that use it: what a target or a
// file sent reaches a terminal, a log, JUnit, HTML or YAML only as visible escapes; JUnit stays
// well-formed for a real XML parser; a URL with a newline or a space is a usage error (exit 2).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { StageResult } from '../../src/check/check-summary.js';
import { stageJUnit } from '../../src/check/junit.js';
import { main } from '../../src/cli/main.js';
import { verificationJUnit } from '../../src/contracts/junit.js';
import type { VerifyResult } from '../../src/contracts/verification.js';
import type { DiffReport } from '../../src/diff/diff-report.js';
import { renderJUnit } from '../../src/diff/render.js';
import { parseHttpUrl } from '../../src/input/url.js';
import { type ProxyReport, proxyJUnit } from '../../src/proxy/report.js';
import { packageRoot } from '../../src/util/package-root.js';
import { htmlEscape, printable, printableLines, terminalSafe } from '../../src/util/printable.js';
import { captureIO } from '../support/cli-io.js';
import {
  ESCAPE_MESSAGE,
  type HostileHost,
  NONCHARACTER_MESSAGE,
  startHostileHost,
} from '../support/hostile-host.js';
import { ALL_CREDENTIAL_FLAGS, preparedStates } from '../support/real-host.js';
import { parseXml } from '../support/xml.js';

/** Everything a hostile host may put in a message. */
const HOSTILE =
  'a\u001b]0;title\u0007b\u001b[2Jc\nVerdict: PASSED\r\u0000\u007f\u0085\uFFFE\uFFFF\uDFFF\uD800!\u{1FFFE}\u202Eevil\u2028x';

/** Whether a text holds anything the rule escapes (the same classes, written out again). */
const RAW =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\ufffe\uffff]|\p{Cs}|\u{1fffe}/u;

describe('printable', () => {
  it('escapes control characters, ESC sequences, noncharacters, lone surrogates and bidi overrides', () => {
    expect(printable(HOSTILE, Number.POSITIVE_INFINITY)).toBe(
      'a\\x1b]0;title\\x07b\\x1b[2Jc\\x0aVerdict: PASSED\\x0d\\x00\\x7f\\x85\\uFFFE\\uFFFF\\uDFFF\\uD800!\\u{1FFFE}\\u202Eevil\\u2028x',
    );
    expect(printable(HOSTILE, Number.POSITIVE_INFINITY)).not.toMatch(RAW);
  });

  it('keeps letters of any script and paired surrogates (emoji); a one-line field has no newline', () => {
    expect(printable('Müller 北京 😀')).toBe('Müller 北京 😀');
    expect(printable('a\nb\tc')).toBe('a\\x0ab\\x09c');
    expect(printable('x'.repeat(300))).toHaveLength(203);
  });

  it('multi-line text keeps its newlines and tabs, nothing else', () => {
    expect(printableLines('a\n\tb\u001b[2J\r')).toBe('a\n\tb\\x1b[2J\\x0d');
  });

  it('a coloured terminal gets the suite colour codes and no other sequence', () => {
    expect(terminalSafe('\u001b[31mFAIL\u001b[0m \u001b[2J\u001b[8m', true)).toBe(
      '\u001b[31mFAIL\u001b[0m \\x1b[2J\\x1b[8m',
    );
    expect(terminalSafe('\u001b[31mFAIL\u001b[0m', false)).toBe('\\x1b[31mFAIL\\x1b[0m');
  });

  it('HTML gets the rule then entities', () => {
    expect(htmlEscape('<meta http-equiv="refresh">\u001b')).toBe(
      '&#60;meta http-equiv=&#34;refresh&#34;&#62;\\x1b',
    );
  });
});

describe('sinks', () => {
  it('every line a command prints passes the rule (the CLI wraps its output)', async () => {
    const io = captureIO();
    expect(await main([`no-such-command${HOSTILE}`], io)).toBe(2);
    expect(io.stderr).toHaveLength(1);
    expect(io.stderr[0]).not.toMatch(RAW);
    expect(io.stderr[0]).toContain('\\x1b]0;title');
  });

  it('verify JUnit with a hostile message, description and target parses with a real XML parser', () => {
    const result: VerifyResult = {
      ok: false,
      reasons: ['x'],
      target: `http://h/${HOSTILE}`,
      embedded: false,
      interactions: [
        { description: `d${HOSTILE}`, case: 'earned', status: 'failed', message: `m${HOSTILE}` },
        { description: 'skip', case: '8015', status: 'not-verified', message: HOSTILE },
      ],
      counts: { total: 2, passed: 0, failed: 1, skipped: 0, notVerified: 1, noted: 0 },
      undocumented: [],
    };
    const parsed = parseXml(verificationJUnit(result));
    if ('error' in parsed) throw new Error(parsed.error);
    const failure = parsed.elements.find((e) => e.tag === 'failure');
    expect(failure?.text).toContain('\\uFFFE\\uFFFF');
    expect(failure?.text).not.toMatch(RAW);
    // Without the rule the same document is refused: the test can fail.
    expect(parseXml(`<a>${HOSTILE.replace(/[<&]/g, '')}</a>`)).toHaveProperty('error');
  });
});

/** Parses a JUnit document with expat; fails the test with the parser's words when not well-formed. */
function junitText(xml: string): string {
  const parsed = parseXml(xml);
  if ('error' in parsed) throw new Error(`JUnit not well-formed: ${parsed.error}`);
  return parsed.elements.map((e) => `${Object.values(e.attrib).join(' ')} ${e.text}`).join('\n');
}

describe('the JUnit of verify, check, proxy and diff stays well-formed with hostile text', () => {
  const nasty = `${ESCAPE_MESSAGE}${NONCHARACTER_MESSAGE}`;
  it.each([
    [
      'check',
      () =>
        stageJUnit(
          {
            id: 'verify',
            title: `verify ${nasty}`,
            status: 'failed',
            durationMs: 1,
            detail: nasty,
            tests: [{ name: nasty, status: 'failed', message: nasty, durationMs: 1 }],
          } as StageResult,
          '2026-01-01T00:00:00Z',
        ),
    ],
    [
      'proxy',
      () =>
        proxyJUnit({
          upstream: `http://h/${nasty}`,
          requests: 1,
          checked: 1,
          failedExchanges: 1,
          upstreamFailures: [{ exchange: 2, method: 'POST', url: nasty, error: nasty }],
          violations: [
            {
              exchange: 1,
              method: 'POST',
              url: nasty,
              side: 'response',
              rule: 'r',
              field: nasty,
              message: nasty,
            },
          ],
          rules: { r: 1 },
          exitCode: 1,
        } as unknown as ProxyReport),
    ],
    [
      'diff',
      () =>
        renderJUnit(
          {
            tool: 'directearn diff',
            version: 1,
            base: nasty,
            new: nasty,
            oasdiff: { path: 'x', version: '1' },
            pacts: { files: [], interactions: 0 },
            counts: { breaking: 1, warning: 0, info: 0 },
            findings: [
              { severity: 'breaking', source: 'catalogue', subject: nasty, change: nasty, text: nasty },
            ],
          } as unknown as DiffReport,
          'breaking',
          '2026-01-01T00:00:00Z',
        ),
    ],
  ])('%s', (_, render) => {
    const text = junitText(render());
    expect(text).toContain('\\x1b]0;pwned title');
    expect(text).toContain('\\uFFFE');
    expect(text).not.toMatch(RAW);
  });
});

describe('verify against a host whose messages hold escapes or noncharacters', () => {
  let host: HostileHost;
  let dir: string;
  beforeAll(async () => {
    host = await startHostileHost();
    dir = mkdtempSync(join(tmpdir(), 'directearn-hostile-verify-'));
    // Mapped states, so the interactions are really sent to the host (and answered with its text).
    writeFileSync(join(dir, 'states.yaml'), stringify(preparedStates(40)));
  });
  afterAll(async () => {
    await host.close();
  });

  /** The built CLI as CI runs it: its real stdout and stderr. */
  function verify(
    target: string,
    junit: string,
  ): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const env: NodeJS.ProcessEnv = {};
      for (const [k, v] of Object.entries(process.env))
        if (!/^(VITEST.*|DIRECTEARN_.*|NODE_ENV|TEST)$/.test(k)) env[k] = v;
      const child = spawn(
        process.execPath,
        [
          join(packageRoot, 'bin', 'directearn.js'),
          'verify',
          '--target',
          target,
          '--states',
          'states.yaml',
          '--junit',
          junit,
          ...ALL_CREDENTIAL_FLAGS,
        ],
        { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  it.each(['escapes', 'noncharacters'] as const)(
    '%s: exit 1, no raw escape or noncharacter on stdout/stderr, no forged line, JUnit parses',
    async (mode) => {
      const r = await verify(host.urlFor(mode), `${mode}.xml`);
      expect(r.code, r.stdout + r.stderr).toBe(1);
      const shown = r.stdout + r.stderr;
      // The escapes reached the report (escaped): the run judged those answers. (pact-verifier
      // refuses the noncharacters mode's bodies as JSON: lone surrogate escapes.)
      if (mode === 'escapes') expect(shown).toContain('\\x1b]0;pwned title');
      expect(shown).not.toMatch(RAW);
      expect(shown).not.toMatch(/^\s*(Verdict: PASSED|result: no violation)/m);
      expect(shown).toMatch(/^Verdict: FAILED/m);
      const text = junitText(readFileSync(join(dir, `${mode}.xml`), 'utf8'));
      expect(text).not.toMatch(RAW);
    },
    60_000,
  );
});

describe('proxy in front of a host whose messages hold escapes or noncharacters', () => {
  it.each(['escapes', 'noncharacters'] as const)(
    '%s: the printed report and the JUnit hold none of them raw, and no forged line',
    async (mode) => {
      const host = await startHostileHost({ mode });
      const dir = mkdtempSync(join(tmpdir(), 'directearn-hostile-proxy-'));
      try {
        const io = captureIO({ cwd: dir });
        const done = main(
          ['proxy', '--upstream', host.url, '--port', '0', '--max-requests', '1', '--junit', 'proxy.xml'],
          io,
        );
        let url: string | undefined;
        for (let i = 0; i < 200 && url === undefined; i++) {
          url = io.stdout.map((l) => /^directearn proxy listening on (\S+)/.exec(l)?.[1]).find(Boolean);
          if (url === undefined) await new Promise((r) => setTimeout(r, 25));
        }
        if (url === undefined) throw new Error(`the proxy did not start: ${io.stderr.join('\n')}`);
        const answer = await fetch(`${url}/v2/promotion/bulk/directEarn`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: 'Basic eDp5' },
          body: JSON.stringify({
            type: 'CUSTOMER',
            promotionDetails: { programId: 1, promotionId: 2 },
            identifierName: 'id',
            customers: [{ identifierValue: '1', source: 'INSTORE' }],
          }),
        });
        await answer.arrayBuffer();
        await done;
        const shown = [...io.stdout, ...io.stderr].join('\n');
        // The host's message reached the report (escaped): the proxy judged that answer.
        expect(shown).toContain(mode === 'escapes' ? 'pwned title' : 'lone');
        expect(shown).not.toMatch(RAW);
        expect(shown).not.toMatch(/^\s*(Verdict: PASSED|result: no violation)/m);
        expect(junitText(readFileSync(join(dir, 'proxy.xml'), 'utf8'))).not.toMatch(RAW);
      } finally {
        await host.close();
      }
    },
    30_000,
  );
});

describe('report fields read from a summary file are checked before use', () => {
  it('plan --html refuses a configuredLimitRps that is not a number (no markup reaches the page)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'directearn-plan-html-'));
    const summary = JSON.parse(
      readFileSync(join(packageRoot, 'test', 'fixtures', 'load', 'summary-v2.json'), 'utf8'),
    );
    summary.rate = {
      configuredLimitRps: '<meta http-equiv="refresh" content="0;url=https://evil.example">',
      detectedLimitRps: 10,
      retryAfterHonoured: true,
    };
    writeFileSync(join(dir, 'summary.json'), JSON.stringify(summary));
    const io = captureIO({ cwd: dir });
    const code = await main(
      ['plan', '--summary', 'summary.json', '--customers', '100', '--html', 'plan.html'],
      io,
    );
    expect(code).toBe(1);
    expect(io.stderr.join('\n')).toMatch(/is not a load summary: rate\.configuredLimitRps is not a number/);
    expect(() => readFileSync(join(dir, 'plan.html'))).toThrow();
  });
});

describe('URLs with whitespace or control characters are usage errors, the raw text checked', () => {
  it.each([
    ['http://h/x\n---\nkind: Pod'],
    ['http://h/x\tq'],
    ['http://h/ x'],
    [' http://h/'],
    ['http://h/\u001b[2J'],
    ['http://h/\u2028'],
  ])('%j', (raw) => {
    expect(() => parseHttpUrl(raw, '--target')).toThrow(
      /^--target must be a URL without whitespace or control characters, got "/,
    );
    let message = '';
    try {
      parseHttpUrl(raw, '--target');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).not.toMatch(RAW);
    expect(message).not.toContain('\n');
  });

  it('load --emit-k8s with a newline in --target exits 2 and writes no manifest (no second YAML document)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'directearn-printable-'));
    const io = captureIO({ cwd: dir });
    const code = await main(
      ['load', '--target', 'http://127.0.0.1:8080/x\n---\nkind: Pod', '--emit-k8s', 'k8s'],
      io,
    );
    expect(code).toBe(2);
    expect(io.stderr.join('\n')).toMatch(/^directearn load: --target must be a URL without whitespace/);
    expect(() => readFileSync(join(dir, 'k8s', 'testrun.yaml'))).toThrow();
  });
});
