// `directearn validate`: checks one JSON payload file (a request, or a response with its status) against the spec.
import { resolve } from 'node:path';
import { MAX_INPUT_BYTES, readInputBytes } from '../../input/file.js';
import { formatIssues, validateRequest, validateResponse } from '../../openapi/index.js';
import { binaryByte } from '../../util/output-path.js';
import { printable } from '../../util/printable.js';
import { type Command, parseFlags, UsageError, UserFacingError } from '../command.js';

const help = `Usage: directearn validate FILE [--as request|response] [--status N]

Validates a JSON payload file against openapi/directEarn.yaml and lists every field at fault.

  FILE              the JSON file to check ("-" reads standard input)
  --as KIND         request (default) or response
  --status N        HTTP status of a response body (default 200; 4xx/5xx use the error body)

Exit code: 0 valid, 1 invalid or unreadable, 2 bad flags.`;

export const command: Command = {
  name: 'validate',
  summary: 'validate a JSON payload file against the spec',
  help,
  async run(args, io) {
    const { values, positionals } = parseFlags(
      args,
      { as: { type: 'string' }, status: { type: 'string' } },
      true,
    );
    if (positionals.length !== 1) throw new UsageError('give exactly one FILE to validate');
    const kind = (values.as as string | undefined) ?? 'request';
    if (kind !== 'request' && kind !== 'response') {
      throw new UsageError(`--as must be request or response, got "${kind}"`);
    }
    const statusRaw = (values.status as string | undefined) ?? '200';
    if (!/^\d{3}$/.test(statusRaw))
      throw new UsageError(`--status must be an HTTP status like 200, got "${statusRaw}"`);
    const raw = positionals[0] as string;
    // The name and any text of the file reach the terminal only escaped: no NUL or escape sequences.
    const file = printable(raw);
    let bytes: Buffer;
    try {
      bytes = raw === '-' ? await readStdin() : readInputBytes(resolve(io.cwd, raw));
    } catch (e) {
      throw new UserFacingError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    const binary = binaryByte(bytes);
    if (binary !== undefined) throw new UserFacingError(`${file} is not JSON: not a text file (${binary})`);
    let body: unknown;
    try {
      body = JSON.parse(bytes.toString('utf8'));
    } catch (e) {
      throw new UserFacingError(`${file} is not JSON: ${printable((e as Error).message)}`);
    }
    const result = kind === 'request' ? validateRequest(body) : validateResponse(Number(statusRaw), body);
    if (result.ok) {
      io.out(`${file}: valid ${kind}${kind === 'response' ? ` (status ${statusRaw})` : ''}`);
      return 0;
    }
    io.out(`${file}: invalid ${kind}, ${result.issues.length} problem(s):`);
    io.out(formatIssues(result.issues));
    return 1;
  },
};

/** Standard input up to the same cap as a file (an endless pipe is refused, not read forever). */
async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of process.stdin) {
    total += (chunk as Buffer).length;
    if (total > MAX_INPUT_BYTES) {
      process.stdin.destroy();
      throw Object.assign(new Error('standard input is too large'), {
        code: `larger than ${MAX_INPUT_BYTES / 1024 / 1024} MiB`,
      });
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
