// The suite's one file writer and its inter-process lock: files are replaced atomically and never
// written through a symbolic link (also when a flag names one); a lock makes a second holder wait,
// fails it with one line past its patience, and is taken over when its owner died.
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { UnreachableError } from '../../src/errors.js';
import { startProvider } from '../../src/provider/server.js';
import { LockBusyError, withLock } from '../../src/util/lock-file.js';
import { SYMLINK_REFUSED, writeFileSafe } from '../../src/util/safe-write.js';
import { captureIO } from '../support/cli-io.js';

const fresh = () => mkdtempSync(join(tmpdir(), 'directearn-safe-write-'));

describe('writeFileSafe', () => {
  it('creates and replaces a file, leaving no temporary file behind', () => {
    const dir = fresh();
    const path = join(dir, 'report.json');
    writeFileSafe(path, 'one\n');
    writeFileSafe(path, 'two\n', { durable: true });
    expect(readFileSync(path, 'utf8')).toBe('two\n');
    expect(readdirSync(dir)).toEqual(['report.json']);
  });

  it.each([
    ['an existing file', true],
    ['nothing (dangling)', false],
  ])('refuses a path that is a symbolic link to %s and leaves its target alone', (_, exists) => {
    const dir = fresh();
    const target = join(dir, 'precious');
    if (exists) writeFileSync(target, 'keep\n');
    symlinkSync(target, join(dir, 'out.xml'));
    let code: unknown;
    try {
      writeFileSafe(join(dir, 'out.xml'), '<x/>');
    } catch (e) {
      code = (e as NodeJS.ErrnoException).code;
    }
    expect(code).toBe(SYMLINK_REFUSED);
    if (exists) expect(readFileSync(target, 'utf8')).toBe('keep\n');
    else expect(existsSync(target)).toBe(false);
    expect(readdirSync(dir).sort()).toEqual(exists ? ['out.xml', 'precious'] : ['out.xml']);
  });
});

describe('withLock', () => {
  it('makes a second holder wait until the first is done', async () => {
    const lock = join(fresh(), 'x.lock');
    const order: string[] = [];
    let release: () => void = () => {};
    const first = withLock(lock, 'x', async () => {
      order.push('first in');
      await new Promise<void>((r) => (release = r));
      order.push('first out');
    });
    await new Promise((r) => setTimeout(r, 20));
    const second = withLock(lock, 'x', () => void order.push('second'), { pollMs: 5 });
    await new Promise((r) => setTimeout(r, 50));
    expect(order).toEqual(['first in']);
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(['first in', 'first out', 'second']);
    expect(existsSync(lock)).toBe(false);
  });

  it('fails past its wait with one line naming the lock and the live process holding it (exit 3)', async () => {
    const lock = join(fresh(), 'x.lock');
    writeFileSync(lock, JSON.stringify({ pid: process.pid, host: hostname(), since: 'now' }));
    const e = await withLock(lock, 'the ID pool record R', () => 1, { waitMs: 50, pollMs: 5 }).catch(
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(LockBusyError);
    expect(e).toBeInstanceOf(UnreachableError);
    expect((e as Error).message).toBe(
      `the ID pool record R is locked by process ${process.pid} on ${hostname()} since now (${lock}): another run is drawing from it; run again when it is done, or delete ${lock} if no run is`,
    );
    expect(existsSync(lock)).toBe(true);
  });

  it('takes over a lock whose owner died on this host', async () => {
    const lock = join(fresh(), 'x.lock');
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    writeFileSync(lock, JSON.stringify({ pid: Number(dead.stdout), host: hostname(), since: 'then' }));
    await expect(withLock(lock, 'x', () => 'got it', { waitMs: 50 })).resolves.toBe('got it');
  });

  it('refuses a lock path that is a symbolic link', async () => {
    const dir = fresh();
    symlinkSync(join(dir, 'nowhere'), join(dir, 'x.lock'));
    await expect(withLock(join(dir, 'x.lock'), 'x', () => 1, { waitMs: 50 })).rejects.toThrow(
      /is a symbolic link; the suite never follows one/,
    );
    expect(existsSync(join(dir, 'nowhere'))).toBe(false);
  });
});

describe('outputs named by flags are refused when they are symbolic links (exit 2, before any work)', () => {
  it('verify --junit LINK', async () => {
    const dir = fresh();
    symlinkSync(join(dir, 'elsewhere.xml'), join(dir, 'junit.xml'));
    const io = captureIO({ cwd: dir });
    expect(await main(['verify', '--junit', 'junit.xml'], io)).toBe(2);
    expect(io.stderr.join('\n')).toBe(
      'directearn verify: --junit junit.xml: a symbolic link; the suite never writes through one: remove it or name another path',
    );
    expect(existsSync(join(dir, 'elsewhere.xml'))).toBe(false);
  });

  it('proxy --junit LINK (before any traffic)', async () => {
    const dir = fresh();
    symlinkSync(join(dir, 'elsewhere.xml'), join(dir, 'proxy.xml'));
    const io = captureIO({ cwd: dir });
    expect(await main(['proxy', '--upstream', 'http://127.0.0.1:9', '--junit', 'proxy.xml'], io)).toBe(2);
    expect(io.stderr.join('\n')).toMatch(/^directearn proxy: --junit proxy.xml: a symbolic link/);
    expect(existsSync(join(dir, 'elsewhere.xml'))).toBe(false);
  });

  it('load --emit-k8s DIR whose testrun.yaml is a link', async () => {
    const dir = fresh();
    mkdirSync(join(dir, 'k8s'));
    writeFileSync(join(dir, 'precious.yaml'), 'keep\n');
    symlinkSync(join(dir, 'precious.yaml'), join(dir, 'k8s', 'testrun.yaml'));
    const io = captureIO({ cwd: dir });
    expect(
      await main(
        ['load', '--target', 'http://crm.example.com', '--allow-real-issue', '--emit-k8s', 'k8s'],
        io,
      ),
    ).toBe(2);
    expect(io.stderr.join('\n')).toMatch(/^directearn load: --emit-k8s k8s: a symbolic link/);
    expect(readFileSync(join(dir, 'precious.yaml'), 'utf8')).toBe('keep\n');
    expect(existsSync(join(dir, 'k8s', 'configmap.yaml'))).toBe(false);
  });
});

describe('ready files', () => {
  it('proxy --ready-file PATH with PATH.tmp planted as a link: the link target is untouched, PATH is a fresh file', async () => {
    const dir = fresh();
    writeFileSync(join(dir, 'precious'), 'keep\n');
    symlinkSync(join(dir, 'precious'), join(dir, 'ready.json.tmp'));
    const upstream = await startProvider({ port: 0 });
    try {
      const io = captureIO({ cwd: dir });
      const done = main(
        [
          'proxy',
          '--upstream',
          upstream.url,
          '--port',
          '0',
          '--max-requests',
          '1',
          '--ready-file',
          'ready.json',
        ],
        io,
      );
      for (let i = 0; i < 200 && !existsSync(join(dir, 'ready.json')); i++)
        await new Promise((r) => setTimeout(r, 25));
      const ready = JSON.parse(readFileSync(join(dir, 'ready.json'), 'utf8')) as { url: string };
      expect(lstatSync(join(dir, 'ready.json')).isFile()).toBe(true);
      await (
        await fetch(`${ready.url}/v2/promotion/bulk/directEarn`, { method: 'POST', body: '{}' })
      ).arrayBuffer();
      expect(await done).toBe(1);
      expect(readFileSync(join(dir, 'precious'), 'utf8')).toBe('keep\n');
    } finally {
      await upstream.close();
    }
  });
});
