// `directearn serve`'s flags and DIRECTEARN_PROVIDER_* variables read into the provider's and the
// listener's options; every problem is a UsageError naming the flag or variable it came from.
import {
  DEFAULT_BASIC_PASSWORD,
  DEFAULT_BASIC_USER,
  DEFAULT_BODY_LIMIT_BYTES,
  DEFAULT_HOST,
  DEFAULT_LEDGER_WINDOW,
  DEFAULT_OAUTH_KEY,
  DEFAULT_OAUTH_SECRET,
  DEFAULT_PORT,
  DEFAULT_READONLY_BASIC_PASSWORD,
  DEFAULT_READONLY_BASIC_USER,
  DEFAULT_READONLY_TOKEN,
  DEFAULT_REDIRECTION_BATCH_SIZE,
  DEFAULT_TOKEN,
  DEFAULT_TOKEN_TTL_SECONDS,
} from '../../config/defaults.js';
import { parseUserPass } from '../../input/credentials.js';
import { isLoopbackHost } from '../../input/loopback.js';
import {
  DEFAULT_CAPACITY_QUEUE_MS,
  MAX_STATE_BODY_LIMIT,
  type ProviderOptions,
} from '../../provider/index.js';
import {
  DEFAULT_HEADERS_TIMEOUT_MS,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_REQUEST_TIMEOUT_MS,
} from '../../provider/server.js';
import { type parseFlags, UsageError } from '../command.js';
import { boolOption, intOption, numberOption } from '../flags.js';
export const V = 'DIRECTEARN_PROVIDER_';

export const FLAGS = {
  host: { type: 'string' },
  port: { type: 'string' },
  fixtures: { type: 'string' },
  basic: { type: 'string', multiple: true },
  token: { type: 'string', multiple: true },
  'readonly-basic': { type: 'string', multiple: true },
  'readonly-token': { type: 'string', multiple: true },
  redirection: { type: 'boolean' },
  'batch-size': { type: 'string' },
  'rate-limit': { type: 'string' },
  'rate-limit-per-minute': { type: 'string' },
  capacity: { type: 'string' },
  'capacity-overhead': { type: 'string' },
  'capacity-queue': { type: 'string' },
  oauth: { type: 'string', multiple: true },
  'token-ttl': { type: 'string' },
  latency: { type: 'string' },
  jitter: { type: 'string' },
  'fault-rate': { type: 'string' },
  'body-limit': { type: 'string' },
  'ledger-window': { type: 'string' },
  admin: { type: 'boolean' },
  'admin-token': { type: 'string' },
  'ready-file': { type: 'string' },
  'headers-timeout': { type: 'string' },
  'request-timeout': { type: 'string' },
  'max-connections': { type: 'string' },
  'simulate-regression': { type: 'string' },
} as const;

export type Values = ReturnType<typeof parseFlags<typeof FLAGS>>['values'];

/** A setting's raw text and the name to blame for it: the flag when given, else the variable. */
interface Raw {
  value: string | undefined;
  name: string;
}

/** Where each setting is read from: its flag, else its variable; the name to blame with it. */
interface Source {
  raw(flag: keyof typeof FLAGS, envName: string): Raw;
  int(r: Raw, fallback: number, range?: { min?: number; max?: number }): number;
  num(r: Raw, fallback: number, range?: { min?: number; max?: number }): number;
}

function sourceOf(values: Values, env: NodeJS.ProcessEnv): Source {
  return {
    raw: (flag, envName) => {
      const given = values[flag];
      if (typeof given === 'string') return { value: given, name: `--${flag}` };
      const fromEnv = env[envName];
      return fromEnv !== undefined && fromEnv !== ''
        ? { value: fromEnv, name: envName }
        : { value: undefined, name: `--${flag}` };
    },
    int: (r, fallback, range) => intOption(r.value, r.name, fallback, range),
    num: (r, fallback, range) => numberOption(r.value, r.name, fallback, range),
  };
}

/** A repeatable flag's items, else its comma-separated variable's, else the default; none empty. */
function list(
  values: Values,
  env: NodeJS.ProcessEnv,
  flag: 'basic' | 'token' | 'readonly-basic' | 'readonly-token' | 'oauth',
  envName: string,
  fallback: string,
): string[] {
  const given = values[flag] as string[] | undefined;
  if (given !== undefined && given.length > 0) {
    for (const g of given) if (g.trim() === '') throw new UsageError(`--${flag} must not be empty`);
    return given;
  }
  const fromEnv = env[envName];
  if (fromEnv === undefined || fromEnv.trim() === '') return [fallback];
  const items = fromEnv.split(',').map((x) => x.trim());
  if (items.some((x) => x === '')) throw new UsageError(`${envName} has an empty item: "${fromEnv}"`);
  return items;
}

/** The credentials the provider accepts: Basic pairs, tokens, their read-only kinds, OAuth clients. */
function credentialsOf(
  values: Values,
  env: NodeJS.ProcessEnv,
): Pick<ProviderOptions, 'basic' | 'tokens' | 'readOnlyBasic' | 'readOnlyTokens' | 'oauthClients'> {
  const basicOf = (flag: 'basic' | 'readonly-basic', envName: string, fallback: string) => {
    const creds = list(values, env, flag, envName, fallback);
    const from = values[flag] !== undefined && (values[flag] as string[]).length > 0 ? `--${flag}` : envName;
    for (const c of creds) parseUserPass(c, from);
    return creds;
  };
  return {
    basic: basicOf('basic', `${V}BASIC`, `${DEFAULT_BASIC_USER}:${DEFAULT_BASIC_PASSWORD}`),
    tokens: list(values, env, 'token', `${V}TOKEN`, DEFAULT_TOKEN),
    readOnlyBasic: basicOf(
      'readonly-basic',
      `${V}READONLY_BASIC`,
      `${DEFAULT_READONLY_BASIC_USER}:${DEFAULT_READONLY_BASIC_PASSWORD}`,
    ),
    readOnlyTokens: list(values, env, 'readonly-token', `${V}READONLY_TOKEN`, DEFAULT_READONLY_TOKEN),
    oauthClients: list(values, env, 'oauth', `${V}OAUTH`, `${DEFAULT_OAUTH_KEY}:${DEFAULT_OAUTH_SECRET}`).map(
      (c) => {
        const at = c.indexOf(':');
        if (at <= 0 || at === c.length - 1)
          throw new UsageError(`--oauth must be KEY:SECRET, got an item without both`);
        return c;
      },
    ),
  };
}

/** The listen address and whether (and how) the /_admin routes are served: only on loopback. */
function hostAndAdmin(values: Values, env: NodeJS.ProcessEnv, s: Source) {
  const hostRaw = s.raw('host', `${V}HOST`);
  if (values.host !== undefined && (values.host as string).trim() === '')
    throw new UsageError(
      '--host must not be empty (it would listen on every interface); give an address such as 127.0.0.1',
    );
  const host = hostRaw.value ?? DEFAULT_HOST;
  const admin = values.admin === true || boolOption(env[`${V}ADMIN`], `${V}ADMIN`, false);
  if (admin && !isLoopbackHost(host)) {
    throw new UsageError(`--admin needs a loopback --host (127.0.0.1, ::1 or localhost), got "${host}"`);
  }
  const adminToken = s.raw('admin-token', `${V}ADMIN_TOKEN`);
  if (values['admin-token'] !== undefined && (values['admin-token'] as string).trim() === '')
    throw new UsageError('--admin-token must not be empty');
  return { host, admin, adminToken: adminToken.value };
}

/** How the provider behaves: redirection, rate limits, capacity, latency, faults and limits. */
function behaviourOf(values: Values, env: NodeJS.ProcessEnv, s: Source) {
  const { raw, int, num } = s;
  return {
    redirection: {
      enabled:
        values.redirection === true ||
        boolOption(env.BULK_API_REDIRECTION_ENABLED, 'BULK_API_REDIRECTION_ENABLED', false),
      batchSize: int(
        raw('batch-size', 'BULK_API_BATCH_SIZE_FOR_REDIRECTION'),
        DEFAULT_REDIRECTION_BATCH_SIZE,
        {
          min: 1,
        },
      ),
    },
    rateLimit: num(raw('rate-limit', `${V}RATE_LIMIT`), 0),
    rateLimitPerMinute: int(raw('rate-limit-per-minute', `${V}RATE_LIMIT_PER_MINUTE`), 0, {
      max: 100_000_000,
    }),
    ...capacityOf(num, raw),
    tokenTtlSeconds: int(raw('token-ttl', `${V}TOKEN_TTL`), DEFAULT_TOKEN_TTL_SECONDS, {
      min: 1,
      max: 86_400,
    }),
    latencyMs: num(raw('latency', `${V}LATENCY`), 0, { max: 600_000 }),
    jitterMs: num(raw('jitter', `${V}JITTER`), 0, { max: 600_000 }),
    faultRate: num(raw('fault-rate', `${V}FAULT_RATE`), 0, { max: 1 }),
    bodyLimit: int(raw('body-limit', `${V}BODY_LIMIT`), DEFAULT_BODY_LIMIT_BYTES, {
      min: 1,
      max: MAX_STATE_BODY_LIMIT,
    }),
    ledgerWindow: int(raw('ledger-window', `${V}LEDGER_WINDOW`), DEFAULT_LEDGER_WINDOW, { max: 100_000_000 }),
  };
}

/** Reads flags and variables into provider and listener options; every problem is a UsageError naming its source. */
export function readOptions(values: Values, env: NodeJS.ProcessEnv) {
  const s = sourceOf(values, env);
  const { raw, int } = s;
  const { host, admin, adminToken } = hostAndAdmin(values, env, s);
  const provider: ProviderOptions = {
    fixtures: raw('fixtures', `${V}FIXTURES`).value,
    ...credentialsOf(values, env),
    ...behaviourOf(values, env, s),
    admin,
    adminToken,
  };
  const readyFile = raw('ready-file', `${V}READY_FILE`);
  if (values['ready-file'] !== undefined && (values['ready-file'] as string).trim() === '')
    throw new UsageError('--ready-file must not be empty');
  return {
    provider,
    host,
    port: int(raw('port', `${V}PORT`), DEFAULT_PORT, { max: 65535 }),
    readyFile: readyFile.value === undefined ? undefined : { path: readyFile.value, name: readyFile.name },
    listener: {
      headersTimeoutMs: int(raw('headers-timeout', `${V}HEADERS_TIMEOUT`), DEFAULT_HEADERS_TIMEOUT_MS, {
        min: 100,
        max: 600_000,
      }),
      requestTimeoutMs: int(raw('request-timeout', `${V}REQUEST_TIMEOUT`), DEFAULT_REQUEST_TIMEOUT_MS, {
        min: 100,
        max: 3_600_000,
      }),
      maxConnections: int(raw('max-connections', `${V}MAX_CONNECTIONS`), DEFAULT_MAX_CONNECTIONS, {
        min: 1,
        max: 1_000_000,
      }),
    },
  };
}

/** The capacity queue's options (undefined when --capacity is 0 or absent); the two others need it. */
function capacityOf(
  num: (r: Raw, fallback: number, range?: { min?: number; max?: number }) => number,
  raw: (flag: keyof typeof FLAGS, envName: string) => Raw,
): Pick<ProviderOptions, 'capacity'> {
  const customersPerSecond = num(raw('capacity', `${V}CAPACITY`), 0, { max: 100_000_000 });
  const overhead = raw('capacity-overhead', `${V}CAPACITY_OVERHEAD`);
  const queue = raw('capacity-queue', `${V}CAPACITY_QUEUE`);
  if (customersPerSecond === 0) {
    for (const r of [overhead, queue])
      if (r.value !== undefined)
        throw new UsageError(`${r.name} goes with --capacity (customers/second above 0)`);
    return {};
  }
  return {
    capacity: {
      customersPerSecond,
      overheadMs: num(overhead, 0, { max: 60_000 }),
      queueMs: num(queue, DEFAULT_CAPACITY_QUEUE_MS, { max: 600_000 }),
    },
  };
}
