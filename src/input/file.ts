// The one way a command reads a file the user named (fixtures, states, SLOs, summaries, specs,
// payloads): with a size cap, so a device or pipe without end (/dev/urandom, a stalled FIFO
// aside) is refused instead of read forever.
import { closeSync, openSync, readSync } from 'node:fs';
import { UserFacingError } from '../errors.js';

/** Larger than any file these commands read (a 1000-customer payload is ~50 KB; the spec ~60 KB). */
export const MAX_INPUT_BYTES = 64 * 1024 * 1024;

/**
 * Reads at most `maxBytes` of `path`. Errors carry a `code` the callers already print: the system's
 * (ENOENT, EACCES, EISDIR, ...) or `larger than 64 MiB`.
 */
export function readInputBytes(path: string, maxBytes: number = MAX_INPUT_BYTES): Buffer {
  const fd = openSync(path, 'r');
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    const chunk = Buffer.allocUnsafe(1024 * 1024);
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      total += n;
      if (total > maxBytes) {
        const limit = maxBytes % (1024 * 1024) === 0 ? `${maxBytes / 1024 / 1024} MiB` : `${maxBytes} bytes`;
        throw Object.assign(new Error(`${path} is larger than ${limit}`), { code: `larger than ${limit}` });
      }
      chunks.push(Buffer.from(chunk.subarray(0, n)));
    }
    return Buffer.concat(chunks, total);
  } finally {
    closeSync(fd);
  }
}

/** `readInputBytes` as UTF-8 text. */
export function readInputText(path: string, maxBytes: number = MAX_INPUT_BYTES): string {
  return readInputBytes(path, maxBytes).toString('utf8');
}

/**
 * Reads a JSON file the user named and checks its shape with `problemOf`: a missing, non-JSON or
 * wrong file is a UserFacingError naming `what` (the flag), the file and, for a wrong shape, which
 * `kind` of file it is not and why.
 */
export function readJsonInput<T>(
  path: string,
  what: string,
  kind: string,
  problemOf: (value: unknown) => string | undefined,
): T {
  let text: string;
  try {
    text = readInputText(path);
  } catch (e) {
    throw new UserFacingError(`${what} ${path} cannot be read: ${(e as NodeJS.ErrnoException).code ?? e}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UserFacingError(`${what} ${path} is not JSON`);
  }
  const problem = problemOf(parsed);
  if (problem !== undefined) throw new UserFacingError(`${what} ${path} is not ${kind}: ${problem}`);
  return parsed as T;
}
