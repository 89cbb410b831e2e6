// Every command survives a reader that goes away (`directearn verify | head`): no EPIPE stack
// trace, and the exit code still says whether what was checked holds.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { example } from '../../src/openapi/index.js';
import { packageRoot } from '../../src/util/package-root.js';
import { startWithReadyFile } from '../support/serve-process.js';

const bin = join(packageRoot, 'bin', 'directearn.js');
const work = mkdtempSync(join(tmpdir(), 'directearn-epipe-'));

/** Runs the CLI with its stdout pipe closed by the reader before the command writes. */
function withClosedStdout(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('a closed stdout', () => {
  it('ends --help quietly with its usual exit code', async () => {
    const r = await withClosedStdout(['--help']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('lets validate finish with its verdict (1 for a bad payload) and no stack trace', async () => {
    const bad = join(work, 'bad.json');
    writeFileSync(bad, JSON.stringify({ ...example<object>('doc-request'), type: 'customer' }));
    const r = await withClosedStdout(['validate', bad]);
    expect(r.stderr).not.toMatch(/EPIPE|\n\s+at /);
    expect(r.code).toBe(1);
  });

  it('leaves serve running and stopping cleanly', async () => {
    const stub = await startWithReadyFile(process.execPath, [bin, 'serve', '--port', '0'], {
      cwd: work,
      closeStdout: true,
    });
    const health = await fetch(`${stub.url}/_health`);
    expect(health.status).toBe(200);
    const { code, stderr } = await stub.stop();
    expect(stderr).not.toMatch(/EPIPE|\n\s+at /);
    expect(code).toBe(0);
  });
});
