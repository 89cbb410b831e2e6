// The input rules every command and library shares (src/input): one loopback decision, one USER:PASS
// parser, one URL check, each naming the input at fault.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPermission } from '../../src/check/runner.js';
import { main } from '../../src/cli/main.js';
import { UsageError } from '../../src/errors.js';
import { formatUserPass, parseToken, parseUserPass } from '../../src/input/credentials.js';
import { readInputBytes, readInputText } from '../../src/input/file.js';
import { isLoopbackHost, isLoopbackPeer, isLoopbackUrl } from '../../src/input/loopback.js';
import { hostOf, parseHttpUrl } from '../../src/input/url.js';
import { isLoopbackUrl as loadIsLoopbackUrl } from '../../src/load/run-load.js';
import { isLoopback as providerIsLoopback } from '../../src/provider/index.js';
import { captureIO } from '../support/cli-io.js';

describe('loopback: one decision for load, check and the admin routes', () => {
  const loopback = [
    'http://127.0.0.1:8080',
    'http://127.8.9.1',
    'http://localhost:1',
    'http://LOCALHOST',
    'http://api.localhost:3000',
    'http://[::1]:9',
    'http://[0:0:0:0:0:0:0:1]/',
    'http://[::ffff:127.0.0.1]/',
  ];
  const remote = [
    'https://eucrm.cc.capillarytech.com',
    'http://127.0.0.1.example.com',
    'http://localhost.example.com',
    'http://10.0.0.1',
    'http://128.0.0.1',
    'http://[::2]',
    'http://[::ffff:10.0.0.1]',
    'not a url',
  ];

  it.each(loopback)('%s is loopback, to every caller', (url) => {
    expect(isLoopbackUrl(url)).toBe(true);
    expect(loadIsLoopbackUrl(url)).toBe(true);
    expect(loadPermission(url, false)).toEqual({ ok: true });
  });

  it.each(remote)('%s is not loopback, to every caller', (url) => {
    expect(isLoopbackUrl(url)).toBe(false);
    expect(loadIsLoopbackUrl(url)).toBe(false);
  });

  it('judges bare hosts (serve --host) and socket peers (admin routes) the same way', () => {
    for (const host of ['127.0.0.1', '::1', '[::1]', 'localhost', 'a.localhost'])
      expect(isLoopbackHost(host)).toBe(true);
    for (const host of ['0.0.0.0', '::', '192.168.1.2', 'example.com', ''])
      expect(isLoopbackHost(host)).toBe(false);
    expect(isLoopbackPeer('::ffff:127.0.0.1')).toBe(true);
    expect(isLoopbackPeer(undefined)).toBe(true);
    expect(isLoopbackPeer('10.1.2.3')).toBe(false);
    expect(providerIsLoopback('::ffff:10.1.2.3')).toBe(false);
  });
});

describe('credentials', () => {
  it('splits USER:PASS at the first colon; the password may hold colons or be empty', () => {
    expect(parseUserPass('ann:se:cret', '--basic')).toEqual({ user: 'ann', password: 'se:cret' });
    expect(parseUserPass('ann:', '--basic')).toEqual({ user: 'ann', password: '' });
    expect(formatUserPass({ user: 'ann', password: 'se:cret' })).toBe('ann:se:cret');
  });

  it.each([
    ['nocolon', 'DIRECTEARN_BASIC', /^DIRECTEARN_BASIC must be USER:PASSWORD .*no colon$/],
    [':secret', '--readonly-basic', /^--readonly-basic must be USER:PASSWORD .*no user before the colon$/],
  ])('rejects %j naming %s, without echoing the value', (value, source, message) => {
    expect(() => parseUserPass(value, source)).toThrow(UsageError);
    expect(() => parseUserPass(value, source)).toThrow(message);
    try {
      parseUserPass(value, source);
    } catch (e) {
      expect((e as Error).message).not.toContain('secret');
    }
  });

  it('takes one token and rejects a blank or spaced one, naming the input', () => {
    expect(parseToken(' abc.def ', '--token')).toBe('abc.def');
    expect(() => parseToken('  ', 'DIRECTEARN_TOKEN')).toThrow(/^DIRECTEARN_TOKEN must not be empty$/);
    expect(() => parseToken('Bearer abc', '--token')).toThrow(/^--token must be one token without spaces$/);
  });
});

describe('target URLs', () => {
  it('accepts http(s) and drops trailing slashes', () => {
    expect(parseHttpUrl('https://crm.example.com//', '--target')).toBe('https://crm.example.com');
    expect(parseHttpUrl('http://127.0.0.1:8080', '--target')).toBe('http://127.0.0.1:8080');
  });

  it.each([
    ['eucrm.example.com', /^--target must be an absolute URL like .*got "eucrm.example.com"$/],
    ['ftp://x.example.com', /^--target must be an http\(s\) URL/],
    ['https://u:p@x.example.com', /^--target must not carry credentials in the URL/],
  ])('rejects %j naming the flag', (raw, message) => {
    expect(() => parseHttpUrl(raw, '--target')).toThrow(UsageError);
    expect(() => parseHttpUrl(raw, '--target')).toThrow(message);
  });

  it('names the host for messages, or the raw text when it is not a URL', () => {
    expect(hostOf('https://crm.example.com:8443/x')).toBe('crm.example.com:8443');
    expect(hostOf('nonsense')).toBe('nonsense');
  });
});

describe('files the user names', () => {
  it('are read whole up to the cap', () => {
    expect(readInputText(join(import.meta.dirname, '..', '..', 'fixtures', 'example.yaml'))).toContain(
      'programs',
    );
  });

  it('are refused past the cap, so a device without end is not read forever', () => {
    expect(() => readInputBytes('/dev/zero', 4096)).toThrow(/larger than 4096 bytes/);
  });

  it('reach the user as one line naming the flag, for every command that reads one', async () => {
    const io = captureIO();
    expect(await main(['plan', '--customers', '10', '--summary', '/dev/zero'], io)).toBe(1);
    expect(io.stderr).toEqual(['directearn plan: --summary /dev/zero cannot be read: larger than 64 MiB']);
  });
});
