// General behaviour of the `directearn` entry point: --help for every command, bad commands, flags
// and inputs answered with one line and exit 2 (never a stack trace), colours only on a TTY.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { colorEnabled, commandNames, main, usage } from '../../src/cli/main.js';
import { packageRoot } from '../../src/util/package-root.js';
import { captureIO as captureCliIO } from '../support/cli-io.js';

const captureIO = (cwd = process.cwd()) => captureCliIO({ cwd });

const STACK_LINE = /^\s+at .+\(?.+:\d+:\d+\)?$/m;

describe('directearn --help', () => {
  it('lists every command', () => {
    const text = usage();
    for (const name of commandNames()) expect(text).toMatch(new RegExp(`^  ${name}\\s+\\S`, 'm'));
  });

  it.each(commandNames())('directearn %s --help prints its usage and exits 0', async (name) => {
    const io = captureIO();
    expect(await main([name, '--help'], io)).toBe(0);
    const text = io.stdout.join('\n');
    expect(text).toMatch(new RegExp(`^Usage: directearn ${name}\\b`));
    expect(io.stderr).toEqual([]);
  });

  it('without a command prints the usage and exits 2', async () => {
    const io = captureIO();
    expect(await main([], io)).toBe(2);
    expect(io.stdout.join('\n')).toContain('Usage: directearn <command>');
  });
});

describe('bad commands, flags and inputs', () => {
  it('names an unknown command in one line, exit 2', async () => {
    const io = captureIO();
    expect(await main(['chek'], io)).toBe(2);
    expect(io.stderr).toHaveLength(1);
    expect(io.stderr[0]).toMatch(/unknown command "chek"\. Commands: check, /);
  });

  it.each(commandNames())('directearn %s --no-such-flag: one line naming the flag, exit 2', async (name) => {
    const io = captureIO();
    expect(await main([name, '--no-such-flag'], io)).toBe(2);
    expect(io.stderr).toEqual([`directearn ${name}: unknown flag --no-such-flag`]);
    expect(io.stdout).toEqual([]);
  });

  it.each([
    [['check', '--json'], /flag --json needs a value/],
    [
      ['check', '--target', 'eucrm.example.com'],
      /--target must be an absolute URL like https:\/\/.*got "eucrm.example.com"/,
    ],
    [['check', '--target', 'ftp://x.example.com'], /--target must be an http\(s\) URL/],
    [
      ['check', '--target', 'https://x.example.com', '--states', 'no-such-states.json'],
      /--states file no-such-states.json does not exist/,
    ],
    [['check', '--target', 'https://x.example.com', '--basic', 'nocolon'], /--basic must be USER:PASSWORD/],
    [
      ['check', '--target', 'https://x.example.com', '--readonly-basic', 'ro'],
      /--readonly-basic must be USER:PASSWORD/,
    ],
    [['check', '--token', 't'], /--basic, --token, --readonly-basic and --states go with --target/],
    [
      ['check', '--duration', '2.5x'],
      /--duration must be seconds or a duration from 1ms to 1h, like 5, 500ms, 5s, 1m or 1h30m; got "2.5x"/,
    ],
    [
      ['check', '--batch-sizes', '1,x'],
      /--batch-sizes must be whole numbers from 1 to 100000 separated by commas, got "1,x"/,
    ],
    [['docs', '--summary', 'missing-summary.json'], /--summary file missing-summary.json does not exist/],
  ])('%j: one line naming the input, exit 2', async (argv, message) => {
    const io = captureIO(mkdtempSync(join(tmpdir(), 'cli-')));
    expect(await main(argv, io)).toBe(2);
    expect(io.stderr).toHaveLength(1);
    expect(io.stderr[0]).toMatch(message);
    expect(io.stderr[0]).toMatch(new RegExp(`^directearn ${argv[0]}: `));
  });

  it('refuses a file as the docs folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-'));
    writeFileSync(join(dir, 'afile'), 'x');
    const io = captureIO(dir);
    expect(await main(['docs', '--out', 'afile'], io)).toBe(2);
    expect(io.stderr).toEqual(['directearn docs: --out afile is a file, not a folder']);
  });

  it('refuses a --json path it cannot write before running any stage, naming the flag', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-'));
    writeFileSync(join(dir, 'afile'), 'x');
    const io = captureIO(dir);
    expect(await main(['check', '--json', 'afile/summary.json', '--skip-load'], io)).toBe(2);
    expect(io.stderr[0]).toMatch(
      /^directearn check: --json afile\/summary\.json: .*afile is a file, not a folder$/,
    );
    expect(io.stdout).toEqual([]);
  });

  it('says how to pass a value that starts with a dash', async () => {
    const io = captureIO();
    expect(await main(['check', '--duration', '-1'], io)).toBe(2);
    expect(io.stderr[0]).toBe(
      'directearn check: flag --duration needs a value; for a value starting with "-" write --duration=VALUE',
    );
  });

  it('the built executable answers an unknown command with one line on stderr, exit 2, no stack', () => {
    const r = spawnSync(process.execPath, [join(packageRoot, 'bin', 'directearn.js'), 'nope', '--debug'], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(r.stdout).toBe('');
  });

  it('the built executable names a bad flag without a stack trace, and writes no colour to a pipe', () => {
    const r = spawnSync(process.execPath, [join(packageRoot, 'bin', 'directearn.js'), 'check', '--target'], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined },
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('directearn check: flag --target needs a value\n');
    expect(r.stderr).not.toContain('\u001b[');
  });
});

describe('colours', () => {
  it('only on a TTY, never with NO_COLOR or TERM=dumb', () => {
    expect(colorEnabled(true, {})).toBe(true);
    expect(colorEnabled(false, {})).toBe(false);
    expect(colorEnabled(undefined, {})).toBe(false);
    expect(colorEnabled(true, { NO_COLOR: '1' })).toBe(false);
    expect(colorEnabled(true, { NO_COLOR: 'false' })).toBe(false);
    // no-color.org: an empty NO_COLOR does not disable colours.
    expect(colorEnabled(true, { NO_COLOR: '' })).toBe(true);
    expect(colorEnabled(true, { TERM: 'dumb' })).toBe(false);
  });
});
