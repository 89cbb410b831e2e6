// The one way a command reads a file the user named (fixtures, states, SLOs, summaries, specs,
// payloads): with a size cap, so a device or pipe without end (/dev/urandom, a stalled FIFO
// aside) is refused instead of read forever.
import { closeSync, openSync, readSync } from 'node:fs';

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
