// `directearn validate` checks payload files teams keep in their repos, naming every field at fault.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { example } from '../../src/openapi/index.js';
import { captureIO as captureCliIO } from '../support/cli-io.js';

const captureIO = (cwd: string) => captureCliIO({ cwd });

const dir = mkdtempSync(join(tmpdir(), 'validate-'));
const write = (name: string, content: string) => {
  writeFileSync(join(dir, name), content);
  return name;
};

describe('directearn validate', () => {
  it('passes the doc request and says so', async () => {
    const io = captureIO(dir);
    const file = write('ok.json', JSON.stringify(example('doc-request')));
    expect(await main(['validate', file], io)).toBe(0);
    expect(io.stdout.join('\n')).toMatch(/ok\.json: valid request/);
  });

  it('lists every field at fault with its path and exits 1', async () => {
    const io = captureIO(dir);
    const bad = example<Record<string, unknown>>('doc-request');
    bad.type = 'customer';
    bad.identifierName = 'phone';
    const file = write('bad.json', JSON.stringify(bad));
    expect(await main(['validate', file], io)).toBe(1);
    const text = io.stdout.join('\n');
    expect(text).toMatch(/2 problem\(s\)/);
    expect(text).toMatch(/\/type must be one of: CUSTOMER, USERGROUP2 \(received "customer"\)/);
    expect(text).toMatch(/\/identifierName must be one of: id, mobile, email \(received "phone"\)/);
  });

  it('validates a response body for its status', async () => {
    const io = captureIO(dir);
    const file = write('resp.json', JSON.stringify(example('error-8892')));
    expect(await main(['validate', file, '--as', 'response'], io)).toBe(0);
    expect(await main(['validate', file, '--as', 'response', '--status', '401'], io)).toBe(1);
  });

  it('names a file that is not JSON or does not exist, without a stack trace', async () => {
    const io = captureIO(dir);
    const file = write('broken.json', '{"type": ');
    expect(await main(['validate', file], io)).toBe(1);
    expect(io.stderr.join('\n')).toMatch(/broken\.json is not JSON/);
    expect(await main(['validate', 'missing.json'], io)).toBe(1);
    expect(io.stderr.join('\n')).toMatch(/cannot read missing\.json: ENOENT/);
    expect(io.stderr.join('\n')).not.toMatch(/\n\s+at /);
  });

  it('refuses a bad --as or --status naming the flag, exit 2', async () => {
    const io = captureIO(dir);
    expect(await main(['validate', 'x.json', '--as', 'reply'], io)).toBe(2);
    expect(io.stderr[0]).toBe('directearn validate: --as must be request or response, got "reply"');
    expect(await main(['validate', 'x.json', '--status', 'ok'], io)).toBe(2);
    expect(io.stderr.join('\n')).toMatch(/--status must be an HTTP status/);
  });
});
