// The one way the suite writes a file (reports, JUnit, summaries, manifests, ready files, the ID
// pool's record): atomically, through a fresh temporary file renamed over the target, and never
// through a symbolic link, so a link planted where an output goes (dangling or not) cannot make the
// suite overwrite or create a file elsewhere, and a reader never sees half a file.
import {
  closeSync,
  constants,
  fsyncSync,
  lstatSync,
  openSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** The `code` of the error thrown for a path that is a symbolic link (callers print `code`). */
export const SYMLINK_REFUSED = 'a symbolic link (never written through)';

/** Throws (code SYMLINK_REFUSED) when `path` itself is a symbolic link, dangling or not. */
export function refuseSymlink(path: string): void {
  let isLink = false;
  try {
    isLink = lstatSync(path).isSymbolicLink();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  if (isLink) {
    throw Object.assign(new Error(`${path} is a symbolic link: the suite never writes through one`), {
      code: SYMLINK_REFUSED,
    });
  }
}

// O_EXCL with O_CREAT fails on any existing name, a link included; O_NOFOLLOW says the same twice.
const CREATE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);

export interface WriteOptions {
  /**
   * fsync the file before the rename and its folder after it, so the content survives a crash or
   * power loss once this returns (for records that prevent double issue; reports do not need it).
   */
  durable?: boolean;
}

/**
 * Writes `data` to `path` atomically (a temporary file in the same folder, renamed over `path`) and
 * refuses a `path` that is a symbolic link. A link put there between the check and the rename is
 * replaced, never followed: rename(2) acts on the name, not on what a link names.
 */
export function writeFileSafe(path: string, data: string | Uint8Array, options: WriteOptions = {}): void {
  refuseSymlink(path);
  const tmp = join(
    dirname(path),
    `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`,
  );
  const fd = openSync(tmp, CREATE_NEW, 0o644);
  let open = true;
  let renamed = false;
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let at = 0;
    while (at < bytes.length) at += writeSync(fd, bytes, at, bytes.length - at);
    if (options.durable === true) fsyncSync(fd);
    open = false;
    closeSync(fd);
    renameSync(tmp, path);
    renamed = true;
    if (options.durable === true) syncFolder(dirname(path));
  } finally {
    if (!renamed) {
      if (open) closeSync(fd);
      try {
        unlinkSync(tmp);
      } catch {
        // never created or already gone
      }
    }
  }
}

/** fsync a folder so a rename in it is on disk; file systems that cannot (EINVAL, EISDIR) are left. */
function syncFolder(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, constants.O_RDONLY | (constants.O_DIRECTORY ?? 0));
    fsyncSync(fd);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'EISDIR' && code !== 'EPERM' && code !== 'EBADF') throw e;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
