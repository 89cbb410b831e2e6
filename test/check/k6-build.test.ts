// `directearn check` on a machine without k6: the Go build runs in the background while the first
// stages run, prints its own progress and its own line and time, and a failed build fails the k6
// stages with Go's reason. A stand-in `go` script plays the build (the real one takes minutes).
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { CheckSummary } from '../../src/check/check-summary.js';
import { runCheck } from '../../src/check/runner.js';
import { type CheckContext, type Stage, smokeStage } from '../../src/check/stages.js';

function context(): CheckContext {
  return {
    target: undefined,
    credentials: undefined,
    states: undefined,
    loadAllowed: { ok: true },
    skipLoad: false,
    reportDir: mkdtempSync(join(tmpdir(), 'check-k6-build-')),
    throughput: { batchSizes: [1], durationSeconds: 1 },
  };
}

/** Runs runCheck with a stand-in `go` (script body after `go version`) and no k6 anywhere. */
async function withFakeGo(
  bin: string,
  goBody: string,
  stages: Stage[],
): Promise<{ lines: string[]; summary: CheckSummary }> {
  writeFileSync(
    join(bin, 'go'),
    `#!/bin/sh\n[ "$1" = version ] && { echo "go version go1.26 linux/amd64"; exit 0; }\n${goBody}\n`,
  );
  chmodSync(join(bin, 'go'), 0o755);
  const saved = { PATH: process.env.PATH, K6_BINARY: process.env.K6_BINARY, XDG: process.env.XDG_CACHE_HOME };
  process.env.PATH = `${bin}:/usr/bin:/bin`;
  process.env.K6_BINARY = '';
  process.env.XDG_CACHE_HOME = mkdtempSync(join(tmpdir(), 'no-k6-'));
  const lines: string[] = [];
  let pending: Promise<CheckSummary>;
  try {
    // The build starts synchronously inside runCheck, so the environment can be restored at once.
    pending = runCheck(
      {
        context: context(),
        render: { color: false, ascii: false },
        summaryPath: join(mkdtempSync(join(tmpdir(), 'check-k6-build-')), 'summary.json'),
        stages,
      },
      { out: (l) => lines.push(l) },
    );
  } finally {
    process.env.PATH = saved.PATH;
    process.env.K6_BINARY = saved.K6_BINARY;
    if (saved.XDG === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = saved.XDG;
  }
  return { lines, summary: await pending };
}

describe('the background k6 build of directearn check', () => {
  it('overlaps the first stages, reports progress, and shows its own line before the k6 stage', async () => {
    let sawBuildRunning = false;
    const bin = mkdtempSync(join(tmpdir(), 'fake-go-'));
    const contracts: Stage = {
      id: 'contracts',
      title: 'contracts',
      // Proves the overlap without timing: this stage sees the build started and not finished,
      // then lets it finish.
      run: async () => {
        for (let i = 0; i < 200 && !existsSync(join(bin, 'started')); i++) await sleep(50);
        sawBuildRunning = existsSync(join(bin, 'started')) && !existsSync(join(bin, 'k6-written'));
        writeFileSync(join(bin, 'release'), '');
        return { status: 'passed', detail: 'ok', tests: [] };
      },
    };
    const k6Stage: Stage = {
      id: 'smoke',
      title: 'uses k6',
      needsK6: true,
      run: async () => ({ status: 'passed', detail: 'ran', tests: [] }),
    };
    const here = '$(dirname "$0")';
    const goBody = [
      `touch ${here}/started`,
      'echo "go: downloading go.k6.io/k6 v1.8.1" >&2',
      `i=0; while [ ! -e ${here}/release ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done`,
      'echo "go.k6.io/k6" >&2',
      `printf '#!/bin/sh\\necho "k6 v1.8.1"\\n' > "$GOBIN/k6"; chmod +x "$GOBIN/k6"; touch ${here}/k6-written`,
    ].join('\n');
    const { lines, summary } = await withFakeGo(bin, goBody, [contracts, k6Stage]);
    expect(sawBuildRunning).toBe(true);
    const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
    expect(lines[0]).toBe(
      '[k6] k6 v1.8.1 is not installed: building it with Go while the stages run (once per machine)',
    );
    expect(at(/^ {6}building k6 v1\.8\.1 with Go: downloading modules \(1\), \d+ s$/)).toBeGreaterThan(0);
    const built = at(
      /^\[k6\] built k6 v1\.8\.1 with Go \(once per machine\) in [\d.]+ m?s: .*\/k6-v1\.8\.1\/k6$/,
    );
    expect(at(/^\[1\/2\] PASS contracts/)).toBeLessThan(built);
    expect(built).toBeLessThan(at(/^\[2\/2\] uses k6 \.\.\.$/));
    expect(lines.join('\n')).not.toMatch(/go: downloading/);
    expect(summary.builds).toEqual([
      {
        tool: 'k6',
        version: 'v1.8.1',
        ok: true,
        durationMs: expect.any(Number),
        detail: expect.stringMatching(/k6$/),
      },
    ]);
    expect(summary.ok).toBe(true);
  });

  it('a failed build fails the k6 stages with Go’s reason, on its own line', async () => {
    const passing: Stage = {
      id: 'spec',
      title: 'spec',
      run: async () => ({ status: 'passed', detail: 'ok', tests: [] }),
    };
    const { lines, summary } = await withFakeGo(
      mkdtempSync(join(tmpdir(), 'fake-go-')),
      'echo "go: go.k6.io/k6@v1.8.1: no route to proxy" >&2; exit 1',
      [passing, smokeStage],
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^\[k6\] FAIL building k6 v1\.8\.1 with Go after [\d.]+ m?s: could not build k6 v1\.8\.1 .*no route to proxy$/,
      ),
    );
    const smoke = summary.stages.find((s) => s.id === 'smoke');
    expect(smoke?.status).toBe('failed');
    expect(smoke?.detail).toMatch(
      /^k6 could not be built: could not build k6 v1\.8\.1 .*no route to proxy \(or pass --skip-load\)$/,
    );
    expect(summary.builds?.[0]).toMatchObject({ tool: 'k6', ok: false });
    expect(summary.ok).toBe(false);
  });
});
