// The examples in other languages run as their users would run them: the Java example compiled
// with javac when the machine has one (the Python suite runs in test/cli/package.test.ts).
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/util/package-root.js';

const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'directearn-examples-'));
const DIRECTEARN_CMD = `${process.execPath} ${join(packageRoot, 'bin', 'directearn.js')}`;
const hasJavac = spawnSync('javac', ['-version']).status === 0;

// examples/python runs in test/cli/package.test.ts, against the suite installed from its npm pack
// tarball (stub and proxy of the installed package): the same unittest suite and proxy report, so
// a second run here against bin/directearn.js proved nothing more.

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
