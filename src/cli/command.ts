// What every CLI command is, and the helpers they share to read flags and report bad input.
import { parseArgs } from 'node:util';
import { UsageError } from '../errors.js';
import { parseHttpUrl } from '../input/url.js';

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

/** A string flag, else its environment variable, else the default. */
export function stringOption(
  flag: string | boolean | string[] | undefined,
  env: NodeJS.ProcessEnv,
  envName: string,
  fallback?: string,
): string | undefined {
  if (typeof flag === 'string') return flag;
  const fromEnv = env[envName];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return fallback;
}

/** Parses an integer flag or variable, naming it when the value is not a whole number in range. */
export function intOption(
  raw: string | undefined,
  name: string,
  fallback: number,
  { min = 0, max = Number.MAX_SAFE_INTEGER }: { min?: number; max?: number } = {},
): number {
  if (raw === undefined) return fallback;
  if (!/^-?\d+$/.test(raw.trim())) throw new UsageError(`${name} must be a whole number, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new UsageError(`${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

/** Parses a number flag (decimals allowed), naming it when the value is not a number in range. */
export function numberOption(
  raw: string | undefined,
  name: string,
  fallback: number,
  { min = 0, max = Number.MAX_VALUE }: { min?: number; max?: number } = {},
): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n))
    throw new UsageError(`${name} must be a number, got "${raw}"`);
  if (n < min || n > max) throw new UsageError(`${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

/** Parses a boolean environment variable or flag value ("true"/"false", "1"/"0", "yes"/"no"). */
export function boolOption(raw: string | boolean | undefined, name: string, fallback: boolean): boolean {
  if (raw === undefined) return fallback;
  if (typeof raw === 'boolean') return raw;
  const v = raw.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off', ''].includes(v)) return false;
  throw new UsageError(`${name} must be true or false, got "${raw}"`);
}

/** The name of where a value came from, for errors: the flag when it was given, else the variable. */
export function optionSource(
  flag: string | boolean | string[] | undefined,
  flagName: string,
  envName: string,
): string {
  return typeof flag === 'string' ? flagName : envName;
}

/**
 * The target host: `--target`, else DIRECTEARN_TARGET, checked as an http(s) URL by the one URL
 * rule (src/input/url.ts), the error naming whichever was given; undefined when neither is.
 */
export function targetOption(
  flag: string | boolean | string[] | undefined,
  env: NodeJS.ProcessEnv,
): string | undefined {
  const raw = stringOption(flag, env, 'DIRECTEARN_TARGET');
  return raw === undefined
    ? undefined
    : parseHttpUrl(raw, optionSource(flag, '--target', 'DIRECTEARN_TARGET'));
}
