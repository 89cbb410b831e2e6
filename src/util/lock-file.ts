// An exclusive lock between processes on one machine: a lock file created with O_EXCL beside the
// thing it guards, holding the owner's pid and host. A second process waits for it (the holders in
// this suite keep it for milliseconds) and, past its patience, fails with one line naming the lock,
// the process that holds it and what to do. A lock whose owner died on this host is taken over.
import { closeSync, constants, fstatSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { UnreachableError } from '../errors.js';

/** Another process held the lock for longer than the wait allowed: the command could not run (exit 3). */
export class LockBusyError extends UnreachableError {
  override name = 'LockBusyError';
}

export interface LockOptions {
  /** How long to wait for another holder, ms (default 15 s). */
  waitMs?: number;
  /** Poll interval while waiting, ms (default 25). */
  pollMs?: number;
}

interface Owner {
  pid: number;
  host: string;
  since: string;
}

const CREATE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);
/** A lock file without a readable owner (its writer died between create and write) after this long is stale. */
const UNREADABLE_STALE_MS = 10_000;

function tryCreate(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, CREATE_NEW, 0o644);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try {
    const owner: Owner = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
    writeSync(fd, `${JSON.stringify(owner)}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

/** The lock's owner, 'link' when the lock path is a symbolic link, undefined when unreadable or gone. */
function readOwner(path: string): { owner: Owner | undefined; ageMs: number } | 'link' | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') return 'link';
    throw e;
  }
  try {
    const ageMs = Date.now() - fstatSync(fd).mtimeMs;
    const buf = Buffer.alloc(4096);
    const n = readSync(fd, buf, 0, buf.length, 0);
    try {
      const o = JSON.parse(buf.subarray(0, n).toString('utf8')) as Partial<Owner>;
      if (typeof o.pid === 'number' && typeof o.host === 'string')
        return { owner: { pid: o.pid, host: o.host, since: String(o.since) }, ageMs };
    } catch {
      // a lock file being written, or not ours
    }
    return { owner: undefined, ageMs };
  } finally {
    closeSync(fd);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Runs `fn` holding the lock file `lockPath` (`what` names the guarded thing in errors), then
 * removes the lock, also when `fn` throws.
 */
export async function withLock<T>(
  lockPath: string,
  what: string,
  fn: () => T | Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  const deadline = Date.now() + (options.waitMs ?? 15_000);
  for (;;) {
    if (tryCreate(lockPath)) break;
    const seen = readOwner(lockPath);
    if (seen === 'link') {
      throw new LockBusyError(
        `${what}: its lock ${lockPath} is a symbolic link; the suite never follows one: delete it`,
      );
    }
    if (seen !== undefined) {
      const { owner, ageMs } = seen;
      // Taken over only when its owner is provably gone: same host and no such process, or a lock
      // file that never got an owner written.
      const stale =
        owner === undefined ? ageMs > UNREADABLE_STALE_MS : owner.host === hostname() && !alive(owner.pid);
      if (stale) {
        try {
          unlinkSync(lockPath);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
        }
        continue;
      }
      if (Date.now() > deadline) {
        const by =
          owner === undefined
            ? 'another process'
            : `process ${owner.pid} on ${owner.host} since ${owner.since}`;
        throw new LockBusyError(
          `${what} is locked by ${by} (${lockPath}): another run is drawing from it; run again when it is done, or delete ${lockPath} if no run is`,
        );
      }
    }
    await new Promise((r) => setTimeout(r, options.pollMs ?? 25));
  }
  try {
    return await fn();
  } finally {
    try {
      unlinkSync(lockPath);
    } catch {
      // removed by hand meanwhile
    }
  }
}
