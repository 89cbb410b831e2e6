// Output folders and files named by flags (--out, --junit, --json, --report-dir, --emit-k8s), prepared
// before a command runs: one line naming the flag when a path cannot be used (a symbolic link where a
// file goes is refused: src/util/safe-write.ts never writes through one).
// Node's own `mkdir({ recursive: true })` loops forever at 100% CPU on /proc and /sys (it keeps
// retrying the ENOENT those file systems answer), so folders are made one level at a time here.
import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  mkdirSync,
  openSync,
  statSync,
  unlinkSync,
} from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { printable } from './printable.js';
import { refuseSymlink, SYMLINK_REFUSED } from './safe-write.js';

/** The output hygiene rule lives in src/util/printable.ts; re-exported for the modules that import it here. */
export { printable };

const WHY: Record<string, string> = {
  ENOENT: 'this file system does not allow creating it',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EEXIST: 'it exists and is not a folder',
  EISDIR: 'it is a folder',
  ENOSPC: 'no space left on the device',
};

function reason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return code === undefined ? String(e) : `${WHY[code] ?? code} (${code})`;
}

/**
 * Makes `dir` (and any missing parents) or throws a UsageError naming `flag` and its value `shown`
 * (default `dir`): "--out /proc/x: cannot create the folder: ...". Then proves the folder is
 * writable by creating and removing a file.
 */
export function prepareOutputDir(dir: string, flag: string, shown: string = dir): void {
  const abs = resolve(dir);
  const fail = (what: string, path: string, e: unknown): never => {
    const where = path === resolve(shown) ? '' : ` ${printable(path)}`;
    throw new UsageError(`${flag} ${printable(shown)}: ${what}${where}: ${reason(e)}`);
  };
  // Walk up to the nearest existing ancestor, then create the missing levels top-down.
  const missing: string[] = [];
  let at = abs;
  for (;;) {
    let st: ReturnType<typeof statSync> | undefined;
    try {
      st = statSync(at);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // ENOTDIR: a file further up; the walk finds it and names it.
      if (code !== 'ENOENT' && code !== 'ENOTDIR') fail('cannot use the folder', at, e);
    }
    if (st !== undefined) {
      if (!st.isDirectory()) {
        throw new UsageError(`${flag} ${printable(shown)}: ${printable(at)} is a file, not a folder`);
      }
      break;
    }
    missing.unshift(at);
    const up = dirname(at);
    if (up === at) break;
    at = up;
  }
  for (const level of missing) {
    try {
      mkdirSync(level);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') fail('cannot create the folder', level, e);
    }
  }
  const probe = resolve(abs, `.directearn-write-test-${process.pid}`);
  try {
    closeSync(openSync(probe, 'wx'));
    unlinkSync(probe);
  } catch (e) {
    fail('cannot write into the folder', abs, e);
  }
}

/**
 * Makes the folder of `file` and proves `file` can be written (it is not a folder, and opening it
 * for writing works; a file created by the probe is removed again), or throws a UsageError naming `flag`.
 */
export function prepareOutputFile(file: string, flag: string, shown: string = file): void {
  const abs = resolve(file);
  prepareOutputDir(dirname(abs), flag, shown);
  try {
    refuseSymlink(abs);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== SYMLINK_REFUSED) throw e;
    throw new UsageError(
      `${flag} ${printable(shown)}: a symbolic link; the suite never writes through one: remove it or name another path`,
    );
  }
  const existed = existsSync(abs);
  if (existed && statSync(abs).isDirectory()) {
    throw new UsageError(`${flag} ${printable(shown)}: a folder, not a file`);
  }
  try {
    if (existed) {
      // O_NOFOLLOW: a link put there since the check is not followed either.
      closeSync(openSync(abs, constants.O_WRONLY | constants.O_APPEND | (constants.O_NOFOLLOW ?? 0)));
    } else {
      // The file is written later by a temporary file renamed into this folder (writeFileSafe), so
      // the folder is what must be writable. Creating the file here to test it would show a reader
      // polling for it (a --ready-file) an empty file for a moment.
      accessSync(dirname(abs), constants.W_OK | constants.X_OK);
    }
  } catch (e) {
    throw new UsageError(`${flag} ${printable(shown)}: cannot write the file: ${reason(e)}`);
  }
}

/**
 * Where a supposed text file holds a byte no text file (JSON, YAML, CSV) should: a NUL or other
 * control character than tab/newline/carriage return, or invalid UTF-8. Undefined when it is text.
 */
export function binaryByte(bytes: Uint8Array): string | undefined {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) {
      return `byte 0x${b.toString(16).padStart(2, '0')} at offset ${i}`;
    }
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return 'invalid UTF-8';
  }
  return undefined;
}
