// What every CLI command is, and the helpers they share to read flags and report bad input.
import { parseArgs } from 'node:util';
import { UsageError } from '../errors.js';

export interface CliIO {
  out(line: string): void;
  err(line: string): void;
  /** Whether colours may be used (a TTY and no NO_COLOR). */
  color: boolean;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface Command {
  name: string;
  /** One line for `directearn --help`. */
  summary: string;
  /** Full `--help` text: usage, every flag with its environment variable and default. */
  help: string;
  run(args: string[], io: CliIO): Promise<number>;
}

export { ExitCode, UnreachableError, UsageError, UserFacingError } from '../errors.js';

type OptionSpec = { type: 'string' | 'boolean'; short?: string; multiple?: boolean };

/** Parses flags; unknown flags and missing values become a UsageError naming the flag. */
export function parseFlags<T extends Record<string, OptionSpec>>(
  args: string[],
  options: T,
  allowPositionals = false,
): {
  values: { [K in keyof T]?: T[K]['multiple'] extends true ? string[] : string | boolean };
  positionals: string[];
} {
  try {
    const { values, positionals } = parseArgs({
      args,
      options: { ...options, help: { type: 'boolean', short: 'h' }, debug: { type: 'boolean' } },
      allowPositionals,
      strict: true,
    });
    return { values: values as never, positionals };
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    // node's messages are long and mention internals; keep the part that names the flag.
    const unknown = /Unknown option '([^']+)'/.exec(msg);
    if (unknown) throw new UsageError(`unknown flag ${unknown[1]}`);
    const ambiguous = /Option '([^']+)' argument is ambiguous/.exec(msg);
    if (ambiguous) {
      const flag = ambiguous[1]?.split(',').pop()?.trim();
      throw new UsageError(`flag ${flag} needs a value; for a value starting with "-" write ${flag}=VALUE`);
    }
    const missing = /Option '([^']+)' argument missing/.exec(msg);
    if (missing) {
      const flag = missing[1]
        ?.split(',')
        .pop()
        ?.replace(/<value>/, '')
        .trim();
      throw new UsageError(`flag ${flag} needs a value`);
    }
    const positional = /Unexpected argument '([^']+)'/.exec(msg);
    if (positional) throw new UsageError(`unexpected argument ${positional[1]}`);
    throw new UsageError(msg.split('.')[0] ?? msg);
  }
}
