// The flags several commands share (target, credentials, identity, batch sizes, durations, SLOs,
// customers, output paths), each settled here from argv and its DIRECTEARN_* variable into one
// checked value: one grammar, one parser and one wording per flag name, whichever command reads it.
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { type OAuthCredential, oauthOption } from '../client/oauth.js';
import { readStatesFile, type StatesFile } from '../contracts/states-file.js';
import { UsageError } from '../errors.js';
import { type BasicCredential, optionalUserPass, parseToken } from '../input/credentials.js';
import { type Duration, type DurationBounds, parseDuration } from '../input/duration.js';
import { isLoopbackUrl } from '../input/loopback.js';
import { hostOf, parseHttpUrl } from '../input/url.js';
import { type IdentityOptions, resolveIdentity } from '../load/identity.js';
import { parseSlo, readSloFile, type Slo } from '../load/slo.js';
import { prepareOutputDir, prepareOutputFile } from '../util/output-path.js';

/** What parseFlags hands a command: a flag's text, a switch, or a repeatable flag's texts. */
export type FlagValue = string | boolean | string[] | undefined;
export type FlagValues = Record<string, FlagValue>;

export const TARGET_FLAGS = {
  target: { type: 'string' },
  'allow-real-issue': { type: 'boolean' },
} as const;

export const CREDENTIAL_FLAGS = {
  basic: { type: 'string' },
  token: { type: 'string' },
  'oauth-key': { type: 'string' },
  'oauth-secret': { type: 'string' },
} as const;

export const IDENTITY_FLAGS = {
  program: { type: 'string' },
  promotion: { type: 'string' },
  'promo-identifier': { type: 'string' },
  'identifier-name': { type: 'string' },
} as const;

export const SLO_FLAGS = {
  slo: { type: 'string', multiple: true },
  'slo-file': { type: 'string' },
} as const;

/** A flag's text when it was given as text. */
export const text = (v: FlagValue): string | undefined => (typeof v === 'string' ? v : undefined);

/** A string flag, else its environment variable (when not empty), else the default. */
export function stringOption(
  flag: FlagValue,
  env: NodeJS.ProcessEnv,
  envName: string,
  fallback?: string,
): string | undefined {
  if (typeof flag === 'string') return flag;
  const fromEnv = env[envName];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return fallback;
}

/** The name of where a value came from, for errors: the flag when it was given, else the variable. */
export function optionSource(flag: FlagValue, flagName: string, envName: string): string {
  return typeof flag === 'string' ? flagName : envName;
}

/**
 * The target host: `--target`, else DIRECTEARN_TARGET, checked as an http(s) URL by the one URL
 * rule (src/input/url.ts), the error naming whichever was given; undefined when neither is.
 */
export function targetOption(flag: FlagValue, env: NodeJS.ProcessEnv): string | undefined {
  const raw = stringOption(flag, env, 'DIRECTEARN_TARGET');
  return raw === undefined
    ? undefined
    : parseHttpUrl(raw, optionSource(flag, '--target', 'DIRECTEARN_TARGET'));
}

/**
 * The one loopback rule of traffic that issues: a URL whose host is not this machine is refused
 * (exit 2) unless `--allow-real-issue` was given. `flag` names the URL's flag in the one wording.
 */
export function refuseRealIssue(url: string | undefined, allowRealIssue: boolean, flag = '--target'): void {
  if (url === undefined || isLoopbackUrl(url) || allowRealIssue) return;
  throw new UsageError(
    `${flag} ${hostOf(url)} is not loopback: every request there issues real promotions to real customers. Add --allow-real-issue if that is intended.`,
  );
}

/** `--target` (or DIRECTEARN_TARGET) of a command that sends traffic: a URL, loopback or allowed. */
export function trafficTarget(values: FlagValues, env: NodeJS.ProcessEnv): string | undefined {
  const target = targetOption(values.target, env);
  refuseRealIssue(target, values['allow-real-issue'] === true);
  return target;
}

/** Basic, token and OAuth credentials as given, each checked in its form; absent ones stay absent. */
export interface CredentialOptions {
  basic?: BasicCredential;
  token?: string;
  oauth?: OAuthCredential;
}

/**
 * --basic, --token and --oauth-key/--oauth-secret (or DIRECTEARN_BASIC, DIRECTEARN_TOKEN,
 * DIRECTEARN_OAUTH_KEY/SECRET), each checked; `one`: at most one kind may be given (a load run
 * sends one), else only a token and an OAuth key exclude each other (both would be the token).
 */
export function credentialOptions(
  values: FlagValues,
  env: NodeJS.ProcessEnv,
  one: boolean,
): CredentialOptions {
  const basic = optionalUserPass(
    stringOption(values.basic, env, 'DIRECTEARN_BASIC'),
    optionSource(values.basic, '--basic', 'DIRECTEARN_BASIC'),
  );
  const tokenText = stringOption(values.token, env, 'DIRECTEARN_TOKEN');
  const token =
    tokenText === undefined
      ? undefined
      : parseToken(tokenText, optionSource(values.token, '--token', 'DIRECTEARN_TOKEN'));
  const oauth = oauthOption(text(values['oauth-key']), text(values['oauth-secret']), env);
  if (one && [basic, token, oauth].filter((x) => x !== undefined).length > 1)
    throw new UsageError('give one of --basic, --token or --oauth-key/--oauth-secret');
  if (oauth !== undefined && token !== undefined)
    throw new UsageError('give --token or --oauth-key/--oauth-secret, not both');
  return {
    ...(basic !== undefined ? { basic } : {}),
    ...(token !== undefined ? { token } : {}),
    ...(oauth !== undefined ? { oauth } : {}),
  };
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

/** A whole-number flag when given; a UsageError names it when it is not one in range. */
export function intFlag(raw: FlagValue, flag: string, min: number, max: number): number | undefined {
  return typeof raw === 'string' ? intOption(raw, flag, 0, { min, max }) : undefined;
}

/**
 * --program, --promotion, --promo-identifier and --identifier-name as given, checked together with
 * their variables now (a UsageError names the one at fault), before anything is looked for or sent.
 */
export function identityOptions(values: FlagValues, env: NodeJS.ProcessEnv): IdentityOptions {
  const program = intFlag(values.program, '--program', 0, Number.MAX_SAFE_INTEGER);
  const promotion = intFlag(values.promotion, '--promotion', 0, Number.MAX_SAFE_INTEGER);
  const promoIdentifier = text(values['promo-identifier']);
  const identifierName = text(values['identifier-name']);
  const options: IdentityOptions = {
    ...(program !== undefined ? { programId: program } : {}),
    ...(promotion !== undefined ? { promotionId: promotion } : {}),
    ...(promoIdentifier !== undefined ? { promoIdentifier } : {}),
    ...(identifierName !== undefined ? { identifierName } : {}),
  };
  resolveIdentity(options, env);
  return options;
}

/** --batch-sizes: whole numbers from 1 to 100000, comma-separated; undefined when not given. */
export function batchSizesFlag(raw: FlagValue): number[] | undefined {
  if (typeof raw !== 'string') return undefined;
  return raw.split(',').map((p) => {
    if (!/^\d+$/.test(p.trim()) || Number(p) < 1 || Number(p) > 100_000)
      throw new UsageError(
        `--batch-sizes must be whole numbers from 1 to 100000 separated by commas, got "${raw}"`,
      );
    return Number(p);
  });
}

/** A duration flag in the one grammar (src/input/duration.ts); undefined when not given. */
export function durationFlag(raw: FlagValue, flag: string, bounds?: DurationBounds): Duration | undefined {
  return typeof raw === 'string' ? parseDuration(raw, flag, bounds) : undefined;
}

/** --slo-file's SLOs, then every --slo; empty when neither is given. */
export function sloFlags(values: FlagValues, cwd: string): Slo[] {
  const file = text(values['slo-file']);
  const fromFile = file !== undefined ? readSloFile(resolve(cwd, file)) : [];
  const fromFlags = ((values.slo as string[] | undefined) ?? []).map((s) => parseSlo(s));
  return [...fromFile, ...fromFlags];
}

/** --customers-csv: a regular file (k6 opens it in every VU: a pipe or device would read otherwise), absolute. */
export function customersCsvFlag(raw: FlagValue, cwd: string): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const path = resolve(cwd, raw);
  if (!existsSync(path)) throw new UsageError(`--customers-csv ${raw} does not exist`);
  if (!statSync(path).isFile()) throw new UsageError(`--customers-csv ${raw} is not a regular file`);
  return path;
}

/** An output folder flag, made and proved writable now (a UsageError names it); absolute. */
export function outputDirFlag(raw: FlagValue, flag: string, cwd: string): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const path = resolve(cwd, raw);
  prepareOutputDir(path, flag, raw);
  return path;
}

/** An output file flag, its folder made and the file proved writable now; absolute. */
export function outputFileFlag(raw: FlagValue, flag: string, cwd: string): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const path = resolve(cwd, raw);
  prepareOutputFile(path, flag, raw);
  return path;
}

/**
 * --states (or DIRECTEARN_STATES): the provider-state file, read and checked now, so a bad one is a
 * usage error (exit 2, file and line) before anything is sent.
 */
export function statesFlag(flag: FlagValue, env: NodeJS.ProcessEnv, cwd: string): StatesFile | undefined {
  const raw = stringOption(flag, env, 'DIRECTEARN_STATES');
  if (raw === undefined) return undefined;
  const path = resolve(cwd, raw);
  if (!existsSync(path) || !statSync(path).isFile())
    throw new UsageError(`--states file ${raw} does not exist`);
  return readStatesFile(path);
}
