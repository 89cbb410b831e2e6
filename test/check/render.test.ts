// What `directearn check` prints and writes, from hand-made stage results: the case table, the
// verdict, JUnit XML and the JSON summary; and that a failing or throwing stage fails the run.
import { chmodSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildCaseRows } from '../../src/check/cases.js';
import { type CheckSummary, runPassed, type StageResult } from '../../src/check/check-summary.js';
import { stageJUnit, writeJUnit } from '../../src/check/junit.js';
import { renderCaseTable, renderLegend, renderVerdict, stageEndLine } from '../../src/check/render.js';
import { interactionTable, isLoopbackUrl, loadPermission, runCheck } from '../../src/check/runner.js';
import { type CheckContext, type Stage, smokeStage, throughputStage } from '../../src/check/stages.js';
import { catalogue } from '../../src/openapi/index.js';
import { xmlEscape } from '../../src/util/xml.js';

const plain = { color: false, ascii: false };

function stage(
  id: StageResult['id'],
  status: StageResult['status'],
  extra: Partial<StageResult> = {},
): StageResult {
  return { id, title: id, status, durationMs: 1234, detail: `${id} ${status}`, tests: [], ...extra };
}

function context(overrides: Partial<CheckContext> = {}): CheckContext {
  return {
    target: undefined,
    credentials: undefined,
    states: undefined,
    loadAllowed: { ok: true },
    skipLoad: false,
    reportDir: mkdtempSync(join(tmpdir(), 'check-render-')),
    throughput: { batchSizes: [1], durationSeconds: 1 },
    ...overrides,
  };
}

describe('the case table', () => {
  it('has one row per catalogue case, in the catalogue order', () => {
    const rows = buildCaseRows({}, [], interactionTable());
    expect(rows.map((r) => r.case)).toEqual(catalogue().map((c) => c.case));
    const lines = renderCaseTable(rows, plain);
    expect(lines[0]).toMatch(/^case\s+kind\s+in spec\s+in a pact\s+verified\s+smoke$/);
    expect(lines).toHaveLength(catalogue().length + 2);
  });

  it('marks verified ✓ only for the cases whose interactions all passed, ✗ for a failed one', () => {
    const table = interactionTable();
    const verification = table.map((i) => ({
      description: i.description,
      case: i.case,
      status: i.case === '8892' ? ('failed' as const) : ('passed' as const),
      message: i.case === '8892' ? 'expected code 8892 but got 8874' : undefined,
    }));
    const rows = buildCaseRows({ verification }, [stage('verify', 'failed')], table);
    const byCase = new Map(rows.map((r) => [r.case, r]));
    expect(byCase.get('8892')?.verified).toBe('failed');
    expect(byCase.get('8892')?.notes.join(' ')).toMatch(/expected code 8892 but got 8874/);
    expect(byCase.get('8015')?.verified).toBe('passed');
    const text = renderCaseTable(rows, plain).join('\n');
    expect(text).toMatch(/^8892\s+error\s+✓\s+skip\s+✗/m);
    expect(text).toMatch(/^8015\s+error\s+✓\s+skip\s+✓/m);
  });

  it('says skipped, not ✓, for stages that did not run', () => {
    const rows = buildCaseRows(
      {},
      [stage('verify', 'skipped'), stage('smoke', 'skipped')],
      interactionTable(),
    );
    for (const r of rows) {
      expect(r.verified).toBe('skipped');
      expect(r.smoke).toBe('skipped');
    }
  });

  it('says not-verified (n/v), not skip, for interactions the verification ran but could not check', () => {
    const table = interactionTable();
    const verification = table.map((i) => ({
      description: i.description,
      case: i.case,
      status: i.case === 'http-429' ? ('not-verified' as const) : ('passed' as const),
      message: i.case === 'http-429' ? 'the host sets its own rate limit' : undefined,
    }));
    const rows = buildCaseRows({ verification }, [stage('verify', 'failed')], table);
    const row = rows.find((r) => r.case === 'http-429');
    expect(row?.verified).toBe('not-verified');
    expect(row?.interactions.map((i) => i.verification)).toEqual(['not-verified']);
    expect(renderCaseTable(rows, plain).join('\n')).toMatch(/^http-429\s+http\s+✓\s+skip\s+n\/v\s+skip$/m);
  });

  it('shows the spec cases without an example (404, 405, 500) as in the spec, saying where', () => {
    const rows = buildCaseRows({}, [], interactionTable());
    const byCase = new Map(rows.map((r) => [r.case, r]));
    for (const c of ['http-404', 'http-405', 'http-500']) expect(byCase.get(c)?.inSpec, c).toBe('passed');
    expect(byCase.get('http-500')?.notes).toContain(
      'in the spec without an example: x-directearn-catalogue and the 5XX response of POST /v2/promotion/bulk/directEarn',
    );
    expect(byCase.get('http-405')?.notes.join(' ')).toMatch(/answered to other methods or paths/);
  });

  it('gives every case without a pact interaction a note saying why', () => {
    const rows = buildCaseRows({}, [], interactionTable());
    const unpinned = rows.filter((r) => r.inPact === 'none');
    expect(unpinned.map((r) => r.case)).toEqual(expect.arrayContaining(['http-415']));
    for (const r of unpinned) expect(r.notes, r.case).toContainEqual(expect.stringMatching(/^no pact: .+/));
    expect(rows.find((r) => r.case === 'http-415')?.notes).toContainEqual(
      expect.stringMatching(/^no pact: the client always sends Content-Type application\/json/),
    );
  });

  it('prints a legend with every mark, its word (as in JSON and JUnit) and its meaning', () => {
    const legend = renderLegend(plain);
    expect(legend[0]).toBe('Legend:');
    expect(legend.slice(1).map((l) => l.trim().split(/\s+/).slice(0, 2))).toEqual([
      ['✓', 'passed'],
      ['✗', 'failed'],
      ['n/v', 'not-verified'],
      ['skip', 'skipped'],
      ['–', 'none'],
    ]);
    expect(renderLegend({ color: false, ascii: true }).join('\n')).not.toMatch(/[✓✗–]/);
  });

  it('uses ASCII marks on request and colours only when asked', () => {
    const rows = buildCaseRows({}, [], interactionTable());
    const ascii = renderCaseTable(rows, { color: false, ascii: true }).join('\n');
    expect(ascii).not.toMatch(/[✓✗–─]/);
    expect(ascii).toMatch(/^earned\s+earned\s+yes/m);
    const coloured = renderCaseTable(rows, { color: true, ascii: false }).join('\n');
    expect(coloured).toContain('\u001b[');
    expect(renderCaseTable(rows, plain).join('\n')).not.toContain('\u001b[');
  });
});

describe('the verdict', () => {
  it('passes only when every stage passed or was skipped on request', () => {
    expect(runPassed([stage('spec', 'passed'), stage('smoke', 'skipped', { skipRequested: true })])).toBe(
      true,
    );
    expect(runPassed([stage('spec', 'passed'), stage('smoke', 'skipped')])).toBe(false);
    expect(runPassed([stage('spec', 'passed'), stage('verify', 'failed')])).toBe(false);
    expect(renderVerdict([stage('spec', 'passed'), stage('verify', 'failed')], plain)).toBe(
      'FAIL 1/2 stages passed; failed: verify',
    );
  });

  it('prints a stage line with its result and duration', () => {
    expect(stageEndLine(2, 6, stage('contracts', 'passed'), plain)).toBe(
      '[2/6] PASS contracts: contracts passed (1.2 s)',
    );
  });
});

describe('JUnit XML', () => {
  it('writes one testsuite per stage with failures, skips and escaped messages', () => {
    const xml = stageJUnit(
      stage('verify', 'failed', {
        tests: [
          {
            name: '8892: answers 8892 when the promotion is inactive',
            status: 'failed',
            message: 'got <8874> & "more"',
          },
          { name: 'earned', status: 'passed', durationMs: 12 },
          { name: '8890', status: 'skipped', message: 'no state' },
          { name: 'http-429', status: 'not-verified', message: 'the host sets its own limit' },
        ],
      }),
      '2026-01-01T00:00:00.000Z',
    );
    expect(xml).toContain('<testsuite name="verify" tests="4" failures="1" errors="0" skipped="2"');
    expect(xml).toContain('<skipped message="not-verified: the host sets its own limit"/>');
    expect(xml).toContain('<failure message="got &lt;8874&gt; &amp; &quot;more&quot;">');
    expect(xml).toContain('<skipped message="no state"/>');
    expect(xml).toContain('name="earned" time="0.012"/>');
  });

  it('turns a stage that never reached a test into one test case', () => {
    const xml = stageJUnit(stage('smoke', 'skipped', { detail: 'skipped: k6 not found' }), 'now');
    expect(xml).toMatch(
      /<testcase classname="directearn.check.smoke" name="smoke"[^>]*>\s*<skipped message="skipped: k6 not found"\/>/,
    );
  });

  it('shows characters XML cannot hold as visible escapes (never raw, never silently dropped)', () => {
    expect(xmlEscape('a\u0000b\u001bc\uFFFE<')).toBe('a\\x00b\\x1bc\\uFFFE&lt;');
  });

  it('writes DIR/<stage>.xml for every stage', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'junit-'));
    await writeJUnit(dir, [stage('spec', 'passed'), stage('verify', 'failed')], 'now');
    expect(readdirSync(dir).sort()).toEqual(['spec.xml', 'verify.xml']);
  });
});

describe('runCheck', () => {
  const passing: Stage = {
    id: 'spec',
    title: 'always fine',
    run: async () => ({ status: 'passed', detail: 'ok', tests: [{ name: 'one', status: 'passed' }] }),
  };
  const throwing: Stage = {
    id: 'contracts',
    title: 'explodes',
    run: async () => {
      throw new Error('pact-mock-server exited with code 1\nsecond line');
    },
  };

  it('reports a throwing stage as failed, keeps going, and writes the JSON summary and JUnit', async () => {
    const ctx = context();
    const lines: string[] = [];
    const dir = mkdtempSync(join(tmpdir(), 'run-check-'));
    const summary = await runCheck(
      {
        context: ctx,
        render: plain,
        summaryPath: join(dir, 'summary.json'),
        jsonPath: join(dir, 'copy.json'),
        junitDir: join(dir, 'junit'),
        stages: [throwing, passing],
      },
      { out: (l) => lines.push(l) },
    );
    expect(summary.ok).toBe(false);
    expect(lines).toContain('[1/2] explodes ...');
    // The stage's time is whatever it took: only its form is checked, never its value.
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^\[1\/2\] FAIL explodes: error: pact-mock-server exited with code 1 \(\d+(\.\d)? m?s\)$/,
      ),
    );
    expect(lines.some((l) => l.startsWith('[2/2] PASS always fine'))).toBe(true);
    expect(lines.at(-1)).toMatch(/^FAIL 1\/2 stages passed; failed: explodes in /);
    const written = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as CheckSummary;
    expect(written).toEqual(JSON.parse(readFileSync(join(dir, 'copy.json'), 'utf8')));
    expect(written.stages.map((s) => [s.id, s.status])).toEqual([
      ['contracts', 'failed'],
      ['spec', 'passed'],
    ]);
    expect(written.cases.map((c) => c.case)).toEqual(catalogue().map((c) => c.case));
    expect(readFileSync(join(dir, 'junit', 'contracts.xml'), 'utf8')).toContain('second line');
  });
});

describe('loopback targets', () => {
  it('allows k6 only to this machine without --allow-real-issue', () => {
    expect(isLoopbackUrl('http://127.0.0.1:8080')).toBe(true);
    expect(isLoopbackUrl('http://127.3.2.1')).toBe(true);
    expect(isLoopbackUrl('http://localhost:1')).toBe(true);
    expect(isLoopbackUrl('http://[::1]:9')).toBe(true);
    expect(isLoopbackUrl('https://eucrm.cc.capillarytech.com')).toBe(false);
    expect(isLoopbackUrl('http://127.0.0.1.example.com')).toBe(false);
    expect(isLoopbackUrl('not a url')).toBe(false);
  });

  it('lets k6 reach a real host only with --allow-real-issue', () => {
    expect(loadPermission(undefined, false)).toEqual({ ok: true });
    expect(loadPermission('http://127.0.0.1:9', false)).toEqual({ ok: true });
    expect(loadPermission('https://crm.example.com:8443/base', true)).toEqual({ ok: true });
    expect(loadPermission('https://crm.example.com:8443/base', false)).toEqual({
      ok: false,
      reason:
        'crm.example.com:8443 is not loopback and k6 would issue real promotions; pass --allow-real-issue to run them',
    });
  });
});

describe('the k6 stages when they cannot or may not run', () => {
  it('skip with how to get k6 when there is neither k6 nor Go, and that skip fails the run', async () => {
    const saved = {
      PATH: process.env.PATH,
      K6_BINARY: process.env.K6_BINARY,
      XDG: process.env.XDG_CACHE_HOME,
    };
    process.env.PATH = '';
    process.env.K6_BINARY = '';
    process.env.XDG_CACHE_HOME = mkdtempSync(join(tmpdir(), 'no-k6-'));
    // findK6 runs synchronously when the stage starts; the environment is restored right after.
    const pending = smokeStage.run(context());
    process.env.PATH = saved.PATH;
    process.env.K6_BINARY = saved.K6_BINARY;
    if (saved.XDG === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = saved.XDG;
    const outcome = await pending;
    expect(outcome.status).toBe('skipped');
    expect(outcome.detail).toBe(
      'skipped: k6 not found and no Go to build it (install k6 on PATH, or Go and run `npm run k6:install`, or pass --skip-load)',
    );
    expect(runPassed([{ ...outcome, id: 'smoke', title: 'k6 smoke', durationMs: 0 }])).toBe(false);
  });

  it('build k6 with Go when k6 is missing, saying so, before running the stage', async () => {
    // A stand-in `go` that records its arguments and "builds" a k6 that reports v1.8.1 and fails
    // every run: enough to see that the stage installs k6 with progress, then uses it.
    const bin = mkdtempSync(join(tmpdir(), 'fake-go-'));
    const calls = join(bin, 'calls.txt');
    writeFileSync(
      join(bin, 'go'),
      `#!/bin/sh\necho "$@" >> ${calls}\n[ "$1" = version ] && { echo "go version go1.26 linux/amd64"; exit 0; }\n` +
        `echo "go: downloading go.k6.io/k6 v1.8.1" >&2\nprintf '#!/bin/sh\\n[ "$1" = version ] && echo "k6 v1.8.1" && exit 0\\nexit 1\\n' > "$GOBIN/k6"\nchmod +x "$GOBIN/k6"\n`,
    );
    chmodSync(join(bin, 'go'), 0o755);
    const saved = {
      PATH: process.env.PATH,
      K6_BINARY: process.env.K6_BINARY,
      XDG: process.env.XDG_CACHE_HOME,
    };
    const progress: string[] = [];
    process.env.PATH = `${bin}:/usr/bin:/bin`;
    process.env.K6_BINARY = '';
    process.env.XDG_CACHE_HOME = mkdtempSync(join(tmpdir(), 'no-k6-'));
    try {
      const outcome = await smokeStage
        .run(context({ progress: (l) => progress.push(l) }))
        .catch((e: unknown) => e);
      expect(progress.join('\n')).toMatch(/k6 is not installed; building k6 v1\.8\.1 with Go/);
      // Go's own lines are folded into a progress line, not echoed.
      expect(progress.join('\n')).toMatch(/building k6 v1\.8\.1 with Go: downloading modules \(1\), \d+ s/);
      expect(progress.join('\n')).not.toMatch(/go: downloading/);
      expect(readFileSync(calls, 'utf8')).toMatch(/^install -v go\.k6\.io\/k6@v1\.8\.1$/m);
      // The stand-in k6 fails its run: the stage fails (the runner reports a throw as failed), not a skip.
      expect(outcome).toBeInstanceOf(Error);
      expect((outcome as Error).message).toMatch(/k6 exited with code 1/);
    } finally {
      process.env.PATH = saved.PATH;
      process.env.K6_BINARY = saved.K6_BINARY;
      if (saved.XDG === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = saved.XDG;
    }
  });

  it('skip a real host without --allow-real-issue, saying why, without failing the run', async () => {
    const reason =
      'crm.example.com is not loopback and k6 would issue real promotions; pass --allow-real-issue to run them';
    for (const stage of [smokeStage, throughputStage]) {
      const outcome = await stage.run(
        context({ target: 'https://crm.example.com', loadAllowed: { ok: false, reason } }),
      );
      expect(outcome).toMatchObject({ status: 'skipped', skipRequested: true, detail: `skipped: ${reason}` });
      expect(runPassed([{ ...outcome, id: stage.id, title: stage.title, durationMs: 0 }])).toBe(true);
    }
  });

  it('skip on --skip-load', async () => {
    const outcome = await throughputStage.run(context({ skipLoad: true }));
    expect(outcome).toMatchObject({
      status: 'skipped',
      skipRequested: true,
      detail: 'skipped (--skip-load)',
    });
  });
});
