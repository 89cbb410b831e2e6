// Output paths and input files the CLI cannot use: one line naming the flag, a usage exit code,
// and at once (no 100% CPU spin in a recursive mkdir on /proc, no replay before a bad --junit is
// refused, no NUL or escape bytes of a binary file echoed to the terminal).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { binaryByte, prepareOutputDir, prepareOutputFile } from '../../src/util/output-path.js';
import { packageRoot } from '../../src/util/package-root.js';
import { printable } from '../../src/util/printable.js';

/**
 * Runs the built CLI in a child process: a regression back to the spinning mkdir then fails on the
 * timeout instead of blocking the test worker (a synchronous loop cannot be interrupted in-process).
 */
function cli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): { code: number | null; stdout: string; stderr: string; timedOut: boolean } {
  const r = spawnSync(process.execPath, [join(packageRoot, 'bin', 'directearn.js'), ...args], {
    encoding: 'utf8',
    timeout: 20_000,
    cwd: mkdtempSync(join(tmpdir(), 'directearn-cli-paths-')),
    env: { ...process.env, NO_COLOR: '1', ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, timedOut: r.error !== undefined };
}

const hasProc = existsSync('/proc/self');
const hasEtcPasswd = existsSync('/etc/passwd');

describe('unusable output paths are refused at once, naming the flag (exit 2)', () => {
  it.skipIf(!hasProc).each([
    [['docs', '--out', '/proc/x'], '--out /proc/x'],
    [['check', '--junit', '/proc/x'], '--junit /proc/x'],
    [['load', '--out', '/proc/x'], '--out /proc/x'],
    [['check', '--report-dir', '/proc/x/y'], '--report-dir /proc/x/y'],
    [
      ['load', '--target', 'http://crm.example.com', '--allow-real-issue', '--emit-k8s', '/proc/x/y'],
      '--emit-k8s /proc/x/y',
    ],
    [['proxy', '--upstream', 'http://127.0.0.1:9', '--junit', '/proc/x/y'], '--junit /proc/x/y'],
  ])('%j (skipped where there is no /proc)', (args, named) => {
    const r = cli(args);
    expect(r.timedOut).toBe(false);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(named);
    expect(lines[0]).toMatch(/cannot create the folder/);
    expect(r.stdout).toBe('');
  });

  it.skipIf(!hasProc)('docs names DIRECTEARN_DOCS_OUT when the path came from the variable', () => {
    const r = cli(['docs'], { DIRECTEARN_DOCS_OUT: '/proc/x' });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(
      /^directearn docs: DIRECTEARN_DOCS_OUT \/proc\/x: cannot create the folder/,
    );
  });

  it.skipIf(!hasEtcPasswd)(
    'verify --junit under a file is refused before any interaction is replayed',
    () => {
      const r = cli(['verify', '--junit', '/etc/passwd/x.xml']);
      expect(r.code).toBe(2);
      expect(r.stderr.trim()).toBe(
        'directearn verify: --junit /etc/passwd/x.xml: /etc/passwd is a file, not a folder',
      );
      // Nothing was verified: the replay prints "Verifying N interaction(s)" first.
      expect(r.stdout).not.toMatch(/Verifying/);
    },
  );
});

describe('prepareOutputDir / prepareOutputFile', () => {
  it('makes missing levels, leaves nothing behind, and refuses a file in the way', () => {
    const root = mkdtempSync(join(tmpdir(), 'directearn-out-'));
    prepareOutputDir(join(root, 'a', 'b'), '--out');
    expect(readdirSync(join(root, 'a', 'b'))).toEqual([]);
    writeFileSync(join(root, 'f'), 'x');
    expect(() => prepareOutputDir(join(root, 'f', 'g'), '--out', 'f/g')).toThrow(
      `--out f/g: ${join(root, 'f')} is a file, not a folder`,
    );
    expect(() => prepareOutputFile(join(root, 'a'), '--json', 'a')).toThrow('--json a: a folder, not a file');
    prepareOutputFile(join(root, 'c', 'r.json'), '--json');
    expect(readdirSync(join(root, 'c'))).toEqual([]);
  });
});

describe('a binary input file is named, never echoed', () => {
  it('validate of a file with NUL and escape bytes: one printable line, exit 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'directearn-bin-'));
    const file = join(dir, 'payload.json');
    writeFileSync(file, Buffer.from([0x7b, 0x00, 0x01, 0x1b, 0x5b, 0x33, 0x31, 0x6d, 0x7d]));
    const r = cli(['validate', file]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      `directearn validate: ${file} is not JSON: not a text file (byte 0x00 at offset 1)`,
    );
    // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting their absence.
    expect(r.stderr + r.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/);
  });

  it('binaryByte finds control bytes and invalid UTF-8; printable escapes them', () => {
    expect(binaryByte(Buffer.from('{"a": 1}\r\n\t'))).toBeUndefined();
    expect(binaryByte(Buffer.from([0x41, 0x1b]))).toBe('byte 0x1b at offset 1');
    expect(binaryByte(Buffer.from([0x7b, 0xff, 0x7d]))).toBe('invalid UTF-8');
    expect(printable('a\u0000b\u001b[31m\ufffd')).toBe('a\\x00b\\x1b[31m\\uFFFD');
    expect(printable('x'.repeat(300))).toHaveLength(203);
  });
});
