// The shared flags (src/cli/flags.ts, src/input/duration.ts): one grammar, one parser and one wording
// per flag name, whichever command reads it; checked through the commands themselves, before any traffic.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { settleCapacity } from '../../src/cli/commands/capacity-options.js';
import { main } from '../../src/cli/main.js';
import { UsageError } from '../../src/errors.js';
import { durationSeconds, parseDuration } from '../../src/input/duration.js';
import { captureIO } from '../support/cli-io.js';

const cwd = mkdtempSync(join(tmpdir(), 'directearn-flags-'));

describe('--duration: one grammar in every command', () => {
  it.each([
    ['5', 5, '5s'],
    ['2.5', 2.5, '2.5s'],
    ['500ms', 0.5, '500ms'],
    ['5s', 5, '5s'],
    [' 1m ', 60, '1m'],
    ['1h', 3600, '1h'],
    ['1m30s', 90, '1m30s'],
  ])('%j is %d seconds, %j for k6', (raw, seconds, text) => {
    expect(parseDuration(raw, '--duration')).toEqual({ seconds, text });
    expect(durationSeconds(raw)).toBe(seconds);
  });

  it.each(['', '5x', '-1s', '1.5.2s', '0', '0s', '61m', '1h1s', '1d', 's', '5 s'])(
    'refuses %j naming the flag',
    (raw) => {
      expect(() => parseDuration(raw, '--duration')).toThrow(UsageError);
      expect(() => parseDuration(raw, '--duration')).toThrow(
        /^--duration must be seconds or a duration from 1ms to 1h/,
      );
    },
  );

  it('whole seconds and zero only where a flag says so', () => {
    expect(() => parseDuration('500ms', '--step-duration', { wholeSeconds: true })).toThrow(
      /--step-duration must be whole seconds or a duration from 1s to 1h/,
    );
    expect(parseDuration('10', '--step-duration', { wholeSeconds: true }).seconds).toBe(10);
    expect(parseDuration('0', '--cool-down', { allowZero: true }).seconds).toBe(0);
    expect(parseDuration('1h30m', '--deadline', { max: Number.POSITIVE_INFINITY }).seconds).toBe(5400);
    expect(() => parseDuration('1d', '--deadline', { max: Number.POSITIVE_INFINITY })).toThrow(
      /^--deadline must be seconds or a duration from 1ms, like/,
    );
  });

  // The same bad value gets the same words from load, check, capacity and proxy.
  it.each([
    ['load', '--duration'],
    ['check', '--duration'],
    ['capacity', '--step-duration'],
    ['proxy', '--duration'],
  ])('%s %s 5x: exit 2 in the one wording', async (command, flag) => {
    const io = captureIO({ cwd, env: {} });
    const extra = command === 'proxy' ? ['--upstream', 'http://127.0.0.1:9'] : [];
    expect(await main([command, ...extra, flag, '5x'], io)).toBe(2);
    expect(io.stderr.join('\n')).toMatch(new RegExp(`${flag} must be (whole )?seconds or a duration from`));
  });
});

describe('the shared flags say the same in every command', () => {
  it.each(['load', 'capacity'])(
    '%s refuses a non-loopback --target without --allow-real-issue, exit 2',
    async (command) => {
      const io = captureIO({ cwd, env: {} });
      expect(await main([command, '--target', 'https://crm.example.com'], io)).toBe(2);
      expect(io.stderr).toEqual([
        `directearn ${command}: --target crm.example.com is not loopback: every request there issues real promotions to real customers. Add --allow-real-issue if that is intended.`,
      ]);
    },
  );

  it.each(['load', 'capacity', 'check'])('%s: --batch-sizes in one grammar', async (command) => {
    const io = captureIO({ cwd, env: {} });
    expect(await main([command, '--batch-sizes', '1,x'], io)).toBe(2);
    expect(io.stderr[0]).toBe(
      `directearn ${command}: --batch-sizes must be whole numbers from 1 to 100000 separated by commas, got "1,x"`,
    );
  });

  it.each(['load', 'capacity'])('%s: one credential at most, in one wording', async (command) => {
    const io = captureIO({ cwd, env: { DIRECTEARN_TOKEN: 't' } });
    expect(await main([command, '--basic', 'a:b'], io)).toBe(2);
    expect(io.stderr[0]).toBe(
      `directearn ${command}: give one of --basic, --token or --oauth-key/--oauth-secret`,
    );
  });

  it.each(['load', 'capacity', 'check'])(
    '%s names the variable a bad identity came from',
    async (command) => {
      const io = captureIO({ cwd, env: { DIRECTEARN_PROGRAM_ID: 'abc' } });
      expect(await main([command], io)).toBe(2);
      expect(io.stderr[0]).toBe(
        `directearn ${command}: DIRECTEARN_PROGRAM_ID must be a whole number, got "abc"`,
      );
    },
  );

  it('capacity asks for --budget-customers on a real host only, not on loopback', () => {
    const io = captureIO({ cwd, env: {} });
    const local = settleCapacity(['--target', 'http://127.0.0.1:9', '--allow-real-issue'], io);
    expect(local.options.target).toBe('http://127.0.0.1:9');
    expect(() => settleCapacity(['--target', 'https://crm.example.com', '--allow-real-issue'], io)).toThrow(
      /--allow-real-issue needs --budget-customers N/,
    );
    expect(
      settleCapacity(
        ['--target', 'https://crm.example.com', '--allow-real-issue', '--budget-customers', '500'],
        io,
      ).options.budgetCustomers,
    ).toBe(500);
  });
});
