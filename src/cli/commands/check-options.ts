// `directearn check`'s flags and variables settled into what runCheck takes (the stages' context,
// the report paths), checked before any stage runs: a UsageError names the first bad flag.
import { resolve } from 'node:path';
import { loadPermission, type RunCheckOptions } from '../../check/runner.js';
import type { CheckContext } from '../../check/stages.js';
import type { OAuthCredential } from '../../client/oauth.js';
import { DEFAULT_CHECK_DIR, DEFAULT_CHECK_THROUGHPUT } from '../../config/defaults.js';
import { optionalUserPass } from '../../input/credentials.js';
import { type CliIO, parseFlags, UsageError } from '../command.js';
import {
  batchSizesFlag,
  CREDENTIAL_FLAGS,
  credentialOptions,
  customersCsvFlag,
  durationFlag,
  IDENTITY_FLAGS,
  identityOptions,
  optionSource,
  outputDirFlag,
  outputFileFlag,
  statesFlag,
  stringOption,
  TARGET_FLAGS,
  targetOption,
  text,
} from '../flags.js';

/** The flags of `directearn check` (exported so tests can check the CI examples use real ones). */
export const CHECK_FLAGS = {
  ...TARGET_FLAGS,
  ...CREDENTIAL_FLAGS,
  ...IDENTITY_FLAGS,
  'readonly-basic': { type: 'string' },
  states: { type: 'string' },
  strict: { type: 'boolean' },
  'customers-csv': { type: 'string' },
  'skip-load': { type: 'boolean' },
  'batch-sizes': { type: 'string' },
  duration: { type: 'string' },
  json: { type: 'string' },
  junit: { type: 'string' },
  'report-dir': { type: 'string' },
  ascii: { type: 'boolean' },
  base: { type: 'string' },
} as const;

/** What `directearn check` was asked: runCheck's options, and what the command does around it. */
export interface CheckRequest {
  run: RunCheckOptions;
  /** --oauth-key/--oauth-secret: a token generated at --target before the stages, used as --token. */
  oauth?: OAuthCredential;
  /** --base (or DIRECTEARN_BASE): the git ref the spec is compared with. */
  baseRef?: string;
}

/** argv and the environment into one CheckRequest (report folders made now, the states file read now). */
export function settleCheck(args: string[], io: CliIO): CheckRequest {
  const { values } = parseFlags(args, CHECK_FLAGS);
  const env = io.env;
  const loadIdentity = identityOptions(values, env);
  // A non-loopback --target is allowed here: without --allow-real-issue the k6 stages are skipped.
  const target = targetOption(values.target, env);
  const { basic, token, oauth } = credentialOptions(values, env, false);
  const readOnlyBasic = optionalUserPass(
    stringOption(values['readonly-basic'], env, 'DIRECTEARN_READONLY_BASIC'),
    optionSource(values['readonly-basic'], '--readonly-basic', 'DIRECTEARN_READONLY_BASIC'),
  );
  const states = statesFlag(values.states, env, io.cwd);
  if (oauth !== undefined && target === undefined)
    throw new UsageError('--oauth-key/--oauth-secret go with --target (the embedded provider needs none)');
  const anyCredential =
    basic !== undefined || token !== undefined || readOnlyBasic !== undefined || oauth !== undefined;
  if (target === undefined && (anyCredential || states !== undefined))
    throw new UsageError(
      '--basic, --token, --readonly-basic and --states go with --target (the embedded provider needs none)',
    );
  const customersCsv = customersCsvFlag(values['customers-csv'], io.cwd);
  if (customersCsv !== undefined && target === undefined)
    throw new UsageError('--customers-csv goes with --target (the embedded provider has its own customers)');
  const duration = durationFlag(values.duration, '--duration');
  const batchSizes = batchSizesFlag(values['batch-sizes']) ?? [...DEFAULT_CHECK_THROUGHPUT.batchSizes];
  // Made before any stage runs: a path that cannot be written fails now, naming its flag, instead
  // of after the whole run with its results lost.
  const reportDir = outputDirFlag(
    text(values['report-dir']) ?? DEFAULT_CHECK_DIR,
    '--report-dir',
    io.cwd,
  ) as string;
  const jsonPath = outputFileFlag(values.json, '--json', io.cwd);
  const junitDir = outputDirFlag(values.junit, '--junit', io.cwd);
  const context: CheckContext = {
    target,
    credentials: anyCredential
      ? {
          basic,
          token,
          readOnlyBasic,
        }
      : undefined,
    states,
    loadAllowed: loadPermission(target, values['allow-real-issue'] === true),
    skipLoad: values['skip-load'] === true,
    loadIdentity,
    ...(values.strict === true ? { strict: true } : {}),
    ...(customersCsv !== undefined ? { customersCsv } : {}),
    reportDir,
    throughput: {
      batchSizes,
      durationSeconds: duration?.seconds ?? DEFAULT_CHECK_THROUGHPUT.durationSeconds,
    },
    progress: (line) => io.out(line),
  };
  const baseRef = stringOption(values.base, env, 'DIRECTEARN_BASE');
  return {
    run: {
      context,
      render: { color: io.color, ascii: values.ascii === true },
      summaryPath: resolve(reportDir, 'summary.json'),
      ...(jsonPath === undefined ? {} : { jsonPath }),
      ...(junitDir === undefined ? {} : { junitDir }),
    },
    ...(oauth !== undefined ? { oauth } : {}),
    ...(baseRef !== undefined ? { baseRef } : {}),
  };
}
