// `directearn serve`: runs the reference provider on a port until SIGINT/SIGTERM. Prints exactly one
// line to stdout once listening (`directearn provider listening on URL`), which other tools parse.
import {
  DEFAULT_BASIC_PASSWORD,
  DEFAULT_BASIC_USER,
  DEFAULT_BODY_LIMIT_BYTES,
  DEFAULT_HOST,
  DEFAULT_LEDGER_WINDOW,
  DEFAULT_PORT,
  DEFAULT_READONLY_BASIC_PASSWORD,
  DEFAULT_READONLY_BASIC_USER,
  DEFAULT_READONLY_TOKEN,
  DEFAULT_REDIRECTION_BATCH_SIZE,
  DEFAULT_TOKEN,
  LOAD_CUSTOMER_COUNT,
  LOAD_CUSTOMER_ID_FIRST,
} from '../../config/defaults.js';
import { parseUserPass } from '../../input/credentials.js';
import { isLoopbackHost } from '../../input/loopback.js';
import { createProvider, FixturesError, type Provider } from '../../provider/index.js';
import { VARIANTS, variant } from '../../provider/regressions.js';
import { listen } from '../../provider/server.js';
import { withVariant } from '../../provider/variant-host.js';
import {
  boolOption,
  type Command,
  intOption,
  numberOption,
  parseFlags,
  stringOption,
  UsageError,
  UserFacingError,
} from '../command.js';

const help = `Usage: directearn serve [flags]

Runs the reference provider of POST /v2/promotion/bulk/directEarn (a stateful simulator answering
every documented case) until SIGINT or SIGTERM. Once listening it prints one line to stdout:
  directearn provider listening on http://HOST:PORT

Flags (each also read from its environment variable; the flag wins):
  --host HOST            DIRECTEARN_HOST                       listen address (default ${DEFAULT_HOST})
  --port N               DIRECTEARN_PORT                       port, 0 = any free port (default ${DEFAULT_PORT})
  --fixtures FILE        DIRECTEARN_FIXTURES                   programs, promotions and customers, JSON or YAML
                                                               (default: built-in fixtures with every ID of the
                                                               spec's examples plus customers ${LOAD_CUSTOMER_ID_FIRST}..${LOAD_CUSTOMER_ID_FIRST + LOAD_CUSTOMER_COUNT - 1})
  --basic USER:PASS      DIRECTEARN_BASIC (comma-separated)    accepted Basic credentials, repeatable
                                                               (default ${DEFAULT_BASIC_USER}:${DEFAULT_BASIC_PASSWORD})
  --token TOKEN          DIRECTEARN_TOKEN (comma-separated)    accepted OAuth tokens (Authorization: Bearer or
                                                               X-CAP-API-OAUTH-TOKEN), repeatable (default ${DEFAULT_TOKEN})
  --readonly-basic U:P   DIRECTEARN_READONLY_BASIC             credentials without write access, answered 403
                                                               (default ${DEFAULT_READONLY_BASIC_USER}:${DEFAULT_READONLY_BASIC_PASSWORD})
  --readonly-token T     DIRECTEARN_READONLY_TOKEN             token without write access, answered 403
                                                               (default ${DEFAULT_READONLY_TOKEN})
  --redirection          BULK_API_REDIRECTION_ENABLED          refuse (400) requests with more customers than the
                                                               batch size (default false)
  --batch-size N         BULK_API_BATCH_SIZE_FOR_REDIRECTION   batch size under redirection (default ${DEFAULT_REDIRECTION_BATCH_SIZE})
  --rate-limit N         DIRECTEARN_RATE_LIMIT                 requests/second (token bucket), 429 beyond; 0 = off (default 0)
  --latency MS           DIRECTEARN_LATENCY                    added latency per response (default 0)
  --jitter MS            DIRECTEARN_JITTER                     up to this much more latency, at random (default 0)
  --fault-rate P         DIRECTEARN_FAULT_RATE                 probability 0..1 of an injected 500 (default 0)
  --body-limit BYTES     DIRECTEARN_BODY_LIMIT                 largest body, 413 beyond (default ${DEFAULT_BODY_LIMIT_BYTES})
  --ledger-window N      DIRECTEARN_LEDGER_WINDOW              recent earns kept for GET /_admin/ledger (default ${DEFAULT_LEDGER_WINDOW})
  --admin                DIRECTEARN_ADMIN                      serve /_admin/provider-states, /_admin/reset,
                                                               /_admin/ledger to loopback callers (default false)
  --simulate-regression NAME                                   answer with one doc-derived regression (or benign
                                                               variant) of src/provider/regressions.ts, to rehearse
                                                               a CI: \`verify --target\` must fail on each regression

Exit code: 0 after a clean stop, 1 bad fixtures or port in use, 2 bad flags.`;

export const command: Command = {
  name: 'serve',
  summary: 'run the reference provider of the endpoint',
  help,
  async run(args, io) {
    const { values } = parseFlags(args, {
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
      latency: { type: 'string' },
      jitter: { type: 'string' },
      'fault-rate': { type: 'string' },
      'body-limit': { type: 'string' },
      'ledger-window': { type: 'string' },
      admin: { type: 'boolean' },
      'simulate-regression': { type: 'string' },
    } as const);
    const env = io.env;
    const str = (flag: string, envName: string) =>
      stringOption(values[flag as keyof typeof values] as string | undefined, env, envName);
    const list = (flag: string, envName: string, fallback: string): string[] => {
      const given = values[flag as keyof typeof values] as string[] | undefined;
      if (given !== undefined && given.length > 0) return given;
      const fromEnv = env[envName];
      if (fromEnv !== undefined && fromEnv.trim() !== '')
        return fromEnv
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== '');
      return [fallback];
    };

    const host = str('host', 'DIRECTEARN_HOST') ?? DEFAULT_HOST;
    const port = intOption(str('port', 'DIRECTEARN_PORT'), '--port', DEFAULT_PORT, { max: 65535 });
    const basic = list('basic', 'DIRECTEARN_BASIC', `${DEFAULT_BASIC_USER}:${DEFAULT_BASIC_PASSWORD}`);
    const readOnlyBasic = list(
      'readonly-basic',
      'DIRECTEARN_READONLY_BASIC',
      `${DEFAULT_READONLY_BASIC_USER}:${DEFAULT_READONLY_BASIC_PASSWORD}`,
    );
    for (const [name, creds] of [
      ['--basic', basic],
      ['--readonly-basic', readOnlyBasic],
    ] as const) {
      for (const c of creds) parseUserPass(c, name);
    }
    const admin = values.admin === true || boolOption(env.DIRECTEARN_ADMIN, 'DIRECTEARN_ADMIN', false);
    if (admin && !isLoopbackHost(host)) {
      throw new UsageError(`--admin needs a loopback --host (127.0.0.1, ::1 or localhost), got "${host}"`);
    }
    const options = {
      fixtures: str('fixtures', 'DIRECTEARN_FIXTURES'),
      basic,
      tokens: list('token', 'DIRECTEARN_TOKEN', DEFAULT_TOKEN),
      readOnlyBasic,
      readOnlyTokens: list('readonly-token', 'DIRECTEARN_READONLY_TOKEN', DEFAULT_READONLY_TOKEN),
      redirection: {
        enabled:
          values.redirection === true ||
          boolOption(env.BULK_API_REDIRECTION_ENABLED, 'BULK_API_REDIRECTION_ENABLED', false),
        batchSize: intOption(
          str('batch-size', 'BULK_API_BATCH_SIZE_FOR_REDIRECTION'),
          '--batch-size',
          DEFAULT_REDIRECTION_BATCH_SIZE,
          { min: 1 },
        ),
      },
      rateLimit: numberOption(str('rate-limit', 'DIRECTEARN_RATE_LIMIT'), '--rate-limit', 0),
      latencyMs: numberOption(str('latency', 'DIRECTEARN_LATENCY'), '--latency', 0, { max: 600_000 }),
      jitterMs: numberOption(str('jitter', 'DIRECTEARN_JITTER'), '--jitter', 0, { max: 600_000 }),
      faultRate: numberOption(str('fault-rate', 'DIRECTEARN_FAULT_RATE'), '--fault-rate', 0, { max: 1 }),
      bodyLimit: intOption(
        str('body-limit', 'DIRECTEARN_BODY_LIMIT'),
        '--body-limit',
        DEFAULT_BODY_LIMIT_BYTES,
        {
          min: 1,
        },
      ),
      ledgerWindow: intOption(
        str('ledger-window', 'DIRECTEARN_LEDGER_WINDOW'),
        '--ledger-window',
        DEFAULT_LEDGER_WINDOW,
        { max: 100_000_000 },
      ),
      admin,
    };

    let provider: Provider;
    try {
      provider = createProvider(options);
    } catch (e) {
      if (e instanceof FixturesError) throw new UserFacingError(e.message);
      throw e;
    }
    const regression = values['simulate-regression'] as string | undefined;
    if (regression !== undefined) {
      if (variant(regression) === undefined)
        throw new UsageError(
          `--simulate-regression: unknown name "${regression}"; known: ${VARIANTS.map((v) => v.name).join(', ')}`,
        );
      provider = withVariant(provider, regression);
    }
    let server: Awaited<ReturnType<typeof listen>>;
    try {
      server = await listen(provider, { host, port });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE')
        throw new UserFacingError(
          `port ${port} on ${host} is in use; pick another with --port (0 = any free port)`,
        );
      if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
        throw new UserFacingError(`cannot listen on host "${host}" (${code}); check --host`);
      if (code === 'EACCES')
        throw new UserFacingError(`no permission to listen on port ${port}; use a port above 1023`);
      throw e;
    }
    io.out(`directearn provider listening on ${server.url}`);
    const signal = await new Promise<string>((resolve) => {
      const stop = (name: string) => () => {
        process.off('SIGINT', onInt);
        process.off('SIGTERM', onTerm);
        resolve(name);
      };
      const onInt = stop('SIGINT');
      const onTerm = stop('SIGTERM');
      process.once('SIGINT', onInt);
      process.once('SIGTERM', onTerm);
    });
    await server.close();
    const { earned, requests } = provider.stats();
    io.err(`directearn serve: stopped on ${signal} after ${requests} request(s), ${earned} earn(s)`);
    return 0;
  },
};
