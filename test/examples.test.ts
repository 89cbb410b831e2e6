// The examples in other languages run as their users would run them: the Python suite
// (examples/python, standard library only) with the system python3, its traffic through
// `directearn proxy`; the Java example compiled with javac when the machine has one.
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../src/spec/index.js';
import { runPythonExample } from './support/python-example.js';

const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'directearn-examples-'));
const DIRECTEARN_CMD = `${process.execPath} ${join(packageRoot, 'bin', 'directearn.js')}`;
const hasJavac = spawnSync('javac', ['-version']).status === 0;

describe('examples/python', () => {
  it('passes against the stub, and its traffic through directearn proxy has zero violations', async () => {
    const { output, report } = await runPythonExample(DIRECTEARN_CMD, join(work, 'proxy.json'));
    expect(output).toMatch(/^OK$/m);
    expect(output).toMatch(/Ran 1\d tests/);
    expect(report.violations).toEqual([]);
    expect(report.checked).toBeGreaterThanOrEqual(14);
  }, 120_000);
});

describe('examples/java', () => {
  it.skipIf(!hasJavac)(
    `compiles with javac and passes against the stub${hasJavac ? '' : ' (skipped: no javac on PATH)'}`,
    async () => {
      const out = join(work, 'java');
      await run('javac', ['-d', out, join(packageRoot, 'examples', 'java', 'DirectEarnStubExample.java')], {
        timeout: 120_000,
      });
      const r = await run('java', ['-cp', out, 'DirectEarnStubExample'], {
        env: { ...process.env, DIRECTEARN_CMD },
        timeout: 60_000,
      });
      expect(r.stdout).toMatch(/^OK: 8892 for an inactive promotion, earnedId \d+ in the ledger$/m);
    },
    120_000,
  );
});
