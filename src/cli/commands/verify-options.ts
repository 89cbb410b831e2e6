// `directearn verify`'s flags and variables settled into one checked request before anything is
// sent: the target, its credentials, the states file (read now), the pacts' source and the outputs.
import { resolve } from 'node:path';
import type { OAuthCredential } from '../../client/oauth.js';
import { PACT_DIR, pactFiles } from '../../contracts/pacts.js';
import type { StatesFile } from '../../contracts/states-file.js';
import type { Credentials } from '../../contracts/verification.js';
import { optionalUserPass } from '../../input/credentials.js';
import { parseHttpUrl } from '../../input/url.js';
import { type CliIO, parseFlags, UsageError, UserFacingError } from '../command.js';
import {
  CREDENTIAL_FLAGS,
  credentialOptions,
  optionSource,
  outputFileFlag,
  statesFlag,
  stringOption,
  targetOption,
  text,
} from '../flags.js';
import { BROKER_FLAGS, type BrokerRun, parseBrokerRun } from './verify-broker.js';

export const VERIFY_FLAGS = {
  target: { type: 'string' },
  ...CREDENTIAL_FLAGS,
  'readonly-basic': { type: 'string' },
  states: { type: 'string' },
  'state-change-url': { type: 'string' },
  pacts: { type: 'string' },
  junit: { type: 'string' },
  record: { type: 'string' },
  strict: { type: 'boolean' },
  ...BROKER_FLAGS,
} as const;

/** What `directearn verify` was asked, every part checked. */
export interface VerifyRequest {
  target?: string;
  credentials?: Credentials;
  /** --oauth-key/--oauth-secret: a token generated at --target before the run, used as --token. */
  oauth?: OAuthCredential;
  states?: StatesFile;
  stateChangeUrl?: string;
  strict: boolean;
  /** The pacts' folder (with pact files in it) when no broker is asked. */
  dir: string;
  broker?: BrokerRun;
  /** --junit and --record: absolute, checked writable; `shown` as given, for messages. */
  junit?: { path: string; shown: string };
  record?: { path: string; shown: string };
}

/** argv and the environment into one VerifyRequest; a UsageError names the first bad flag. */
export function settleVerify(args: string[], io: CliIO): VerifyRequest {
  const { values } = parseFlags(args, VERIFY_FLAGS);
  const env = io.env;
  const target = targetOption(values.target, env);
  const { basic, token, oauth } = credentialOptions(values, env, false);
  if (oauth !== undefined && target === undefined)
    throw new UsageError('--oauth-key/--oauth-secret go with --target (the embedded provider needs none)');
  const readOnlyBasic = optionalUserPass(
    stringOption(values['readonly-basic'], env, 'DIRECTEARN_READONLY_BASIC'),
    optionSource(values['readonly-basic'], '--readonly-basic', 'DIRECTEARN_READONLY_BASIC'),
  );
  const credentials: Credentials | undefined =
    basic === undefined && token === undefined && readOnlyBasic === undefined
      ? undefined
      : {
          ...(basic !== undefined ? { basic } : {}),
          ...(readOnlyBasic !== undefined ? { readOnlyBasic } : {}),
          ...(token !== undefined ? { token } : {}),
        };
  const stateChangeRaw = text(values['state-change-url']);
  const stateChangeUrl =
    stateChangeRaw === undefined ? undefined : parseHttpUrl(stateChangeRaw, '--state-change-url');
  if (stateChangeUrl !== undefined && target === undefined)
    throw new UsageError('--state-change-url goes with --target (the embedded provider sets its own states)');
  // A bad states file is a usage error (exit 2) naming the file and line, never a regression.
  const states = statesFlag(values.states, env, io.cwd);
  const broker = parseBrokerRun(values, env, values.pacts !== undefined);
  const pacts = text(values.pacts);
  const dir = pacts === undefined ? PACT_DIR : resolve(io.cwd, pacts);
  if (broker === undefined && pactFiles(dir).length === 0)
    throw new UserFacingError(`no pact files in ${dir}: run npm run pact:consumer to write them`);
  // Refused before replaying anything: a path that cannot be written must not cost a whole run.
  const junit = outputFileFlag(values.junit, '--junit', io.cwd);
  const record = outputFileFlag(values.record, '--record', io.cwd);
  return {
    ...(target !== undefined ? { target } : {}),
    ...(credentials !== undefined ? { credentials } : {}),
    ...(oauth !== undefined ? { oauth } : {}),
    ...(states !== undefined ? { states } : {}),
    ...(stateChangeUrl !== undefined ? { stateChangeUrl } : {}),
    strict: values.strict === true,
    dir,
    ...(broker !== undefined ? { broker } : {}),
    ...(junit !== undefined ? { junit: { path: junit, shown: values.junit as string } } : {}),
    ...(record !== undefined ? { record: { path: record, shown: values.record as string } } : {}),
  };
}
