// `directearn check`, the main job: spec -> consumer contracts -> pacts vs spec -> provider
// verification -> k6 smoke and a short throughput run, then a table of every documented case.

import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadPermission, runCheck } from '../../check/runner.js';
import type { CheckContext } from '../../check/stages.js';
import { generateToken, oauthOption } from '../../client/oauth.js';
import { DEFAULT_CHECK_DIR, DEFAULT_CHECK_THROUGHPUT } from '../../config/defaults.js';
import { readStatesFile } from '../../contracts/states-file.js';
import { diffSinceBase, printBaseDiff } from '../../diff/base.js';
import { optionalUserPass } from '../../input/credentials.js';
import { type IdentityOptions, resolveIdentity } from '../../load/identity.js';
import { BOUNDS_HELP } from '../../util/bounded-http.js';
import { prepareOutputDir, prepareOutputFile } from '../../util/output-path.js';
import {
  type Command,
  intOption,
  optionSource,
  parseFlags,
  stringOption,
  targetOption,
  UsageError,
} from '../command.js';

const help = `Usage: directearn check [flags]

Runs the whole check and prints, case by case, whether the spec, the pacts and the provider agree:

  1. spec valid and linted        OpenAPI 3.1 meta-schema, Redocly lint, every example valid
  2. consumer contracts           Pact consumer tests, one interaction per documented case
  3. pacts vs spec                swagger-mock-validator: every interaction agrees with the spec
  4. provider verification        the pacts replayed against the provider (pact-verifier)
  5. k6 smoke                     one request per case through k6, answers checked
  6. k6 short throughput run      a few seconds per batch size, report written

Then a table with one row per catalogue case: in spec, in a pact, verified, smoke.
By default the provider is the embedded reference provider on a free loopback port.

Flags (environment variable in brackets):
  --target URL          check a real host instead of the embedded provider [DIRECTEARN_TARGET]
  --basic USER:PASS     Basic credentials for --target [DIRECTEARN_BASIC]
  --token TOKEN         OAuth token for --target (Authorization: Bearer) [DIRECTEARN_TOKEN]
  --oauth-key KEY       instead of --token: OAuth key [DIRECTEARN_OAUTH_KEY] and secret
  --oauth-secret SECRET [DIRECTEARN_OAUTH_SECRET]: a token is generated at /v3/oauth/token/generate
                        of --target before the stages run and used as --token. Never written to a
                        report
  --readonly-basic U:P  credentials WITHOUT write access to the customer group resource, for the
                        403 interaction on --target [DIRECTEARN_READONLY_BASIC]
  --states FILE         provider-state file for --target [DIRECTEARN_STATES]: verification and
                        the k6 smoke send its IDs (its pool's fresh customers where one earns); the
                        throughput run takes its active promotion and fresh pool customers
  --strict              judge inferred parts word for word (HTTP error bodies, statuses the doc
                        never gives) and fail on skipped interactions; by default a --target is
                        judged on them by status only (documented messages are always exact)
  --allow-real-issue    let the k6 stages send traffic to a non-loopback --target: this ISSUES
                        REAL PROMOTIONS to real customers; without it those stages are skipped
  --skip-load           skip the k6 stages (they count as skipped on purpose, not as failed)
  --program ID, --promotion ID, --promo-identifier TEXT, --identifier-name NAME
                        what the throughput run sends (as \`directearn load\`, same variables);
                        on a --target the smoke maps the active promotion from them too
  --customers-csv FILE  the throughput run's customers on a --target (identifier values, first
                        column, header line), each sent once; default: fresh ones from the
                        --states pool
  --batch-sizes LIST    batch sizes of the throughput run (default ${DEFAULT_CHECK_THROUGHPUT.batchSizes.join(',')})
  --duration SECONDS    seconds per batch size of the throughput run (default ${DEFAULT_CHECK_THROUGHPUT.durationSeconds})
  --json FILE           also write the summary as JSON to FILE
  --junit DIR           write JUnit XML, one file per stage, into DIR
  --report-dir DIR      where the summary and load reports go (default ${DEFAULT_CHECK_DIR});
                        DIR/summary.json is what \`directearn docs\` reads for its coverage page
  --ascii               plain ASCII marks (yes/NO/-) instead of ✓ ✗ –
  --base REF            also compare the spec with the one at git REF (directearn diff) and fail
                        on a breaking change for consumers: a last stage "API changes since REF"
                        (summary.json, JUnit api-diff.xml) and a "since base" column [DIRECTEARN_BASE]

Colours are used only on a terminal, never when NO_COLOR is set.
${BOUNDS_HELP}
Exit code: 0 every stage passed (or was skipped because you asked), 1 a stage failed or could
not run (k6 missing without --skip-load), 2 bad flags or a bad --states file (named with its line),
3 the --target is unreachable or refuses every credential (before any stage), or --base needs
oasdiff and it cannot be built.`;

function parseBatchSizes(raw: string | undefined): number[] {
  if (raw === undefined) return [...DEFAULT_CHECK_THROUGHPUT.batchSizes];
  const sizes = raw.split(',').map((s) => intOption(s.trim(), '--batch-sizes', 0, { min: 1, max: 100_000 }));
  if (sizes.length === 0) throw new UsageError('--batch-sizes needs at least one size, e.g. 1,100');
  return sizes;
}

/** The throughput run's program, promotion and identifier flags, checked now (a UsageError names the flag). */
function loadIdentityOptions(values: Record<string, unknown>, env: NodeJS.ProcessEnv): IdentityOptions {
  const id = (flag: string) =>
    typeof values[flag] === 'string' ? intOption(values[flag], `--${flag}`, 0, { min: 0 }) : undefined;
  const options: IdentityOptions = {
    ...(id('program') !== undefined ? { programId: id('program') } : {}),
    ...(id('promotion') !== undefined ? { promotionId: id('promotion') } : {}),
    ...(typeof values['promo-identifier'] === 'string'
      ? { promoIdentifier: values['promo-identifier'] }
      : {}),
    ...(typeof values['identifier-name'] === 'string' ? { identifierName: values['identifier-name'] } : {}),
  };
  resolveIdentity(options, env);
  return options;
}

/** The flags of `directearn check` (exported so tests can check the CI examples use real ones). */
export const CHECK_FLAGS = {
  target: { type: 'string' },
  basic: { type: 'string' },
  token: { type: 'string' },
  'oauth-key': { type: 'string' },
  'oauth-secret': { type: 'string' },
  'readonly-basic': { type: 'string' },
  states: { type: 'string' },
  strict: { type: 'boolean' },
  'customers-csv': { type: 'string' },
  'allow-real-issue': { type: 'boolean' },
  program: { type: 'string' },
  promotion: { type: 'string' },
  'promo-identifier': { type: 'string' },
  'identifier-name': { type: 'string' },
  'skip-load': { type: 'boolean' },
  'batch-sizes': { type: 'string' },
  duration: { type: 'string' },
  json: { type: 'string' },
  junit: { type: 'string' },
  'report-dir': { type: 'string' },
  ascii: { type: 'boolean' },
  base: { type: 'string' },
} as const;

export const command: Command = {
  name: 'check',
  summary: 'run the whole check (spec, contracts, verification, k6) and print what passed per case',
  help,
  async run(args, io) {
    const { values } = parseFlags(args, CHECK_FLAGS);
    const env = io.env;
    const loadIdentity = loadIdentityOptions(values, env);
    const target = targetOption(values.target, env);
    const basic = optionalUserPass(
      stringOption(values.basic, env, 'DIRECTEARN_BASIC'),
      optionSource(values.basic, '--basic', 'DIRECTEARN_BASIC'),
    );
    let token = stringOption(values.token, env, 'DIRECTEARN_TOKEN');
    const oauth = oauthOption(
      values['oauth-key'] as string | undefined,
      values['oauth-secret'] as string | undefined,
      env,
    );
    if (oauth !== undefined && token !== undefined)
      throw new UsageError('give --token or --oauth-key/--oauth-secret, not both');
    const readOnlyBasic = optionalUserPass(
      stringOption(values['readonly-basic'], env, 'DIRECTEARN_READONLY_BASIC'),
      optionSource(values['readonly-basic'], '--readonly-basic', 'DIRECTEARN_READONLY_BASIC'),
    );
    const statesRaw = stringOption(values.states, env, 'DIRECTEARN_STATES');
    const states = statesRaw === undefined ? undefined : resolve(io.cwd, statesRaw);
    if (states !== undefined && (!existsSync(states) || !statSync(states).isFile())) {
      throw new UsageError(`--states file ${statesRaw} does not exist`);
    }
    // Read now: a bad states file is a usage error (exit 2, file and line), not a failed stage.
    if (states !== undefined) readStatesFile(states);
    if (oauth !== undefined && target === undefined)
      throw new UsageError('--oauth-key/--oauth-secret go with --target (the embedded provider needs none)');
    const anyCredential =
      basic !== undefined || token !== undefined || readOnlyBasic !== undefined || oauth !== undefined;
    if (target === undefined && (anyCredential || states !== undefined)) {
      throw new UsageError(
        '--basic, --token, --readonly-basic and --states go with --target (the embedded provider needs none)',
      );
    }
    const csvRaw = values['customers-csv'] as string | undefined;
    const customersCsv = csvRaw === undefined ? undefined : resolve(io.cwd, csvRaw);
    if (customersCsv !== undefined && (!existsSync(customersCsv) || !statSync(customersCsv).isFile()))
      throw new UsageError(`--customers-csv ${csvRaw} is not a regular file`);
    if (customersCsv !== undefined && target === undefined)
      throw new UsageError(
        '--customers-csv goes with --target (the embedded provider has its own customers)',
      );
    const durationSeconds = intOption(
      values.duration as string | undefined,
      '--duration',
      DEFAULT_CHECK_THROUGHPUT.durationSeconds,
      { min: 1, max: 3600 },
    );
    const batchSizes = parseBatchSizes(values['batch-sizes'] as string | undefined);
    const reportDir = resolve(io.cwd, (values['report-dir'] as string | undefined) ?? DEFAULT_CHECK_DIR);
    const jsonPath = typeof values.json === 'string' ? resolve(io.cwd, values.json) : undefined;
    const junitDir = typeof values.junit === 'string' ? resolve(io.cwd, values.junit) : undefined;
    const allowRealIssue = values['allow-real-issue'] === true;
    // Make the report folders before any stage runs: a path that cannot be written fails now,
    // naming its flag, instead of after the whole run with its results lost.
    prepareOutputDir(
      reportDir,
      '--report-dir',
      (values['report-dir'] as string | undefined) ?? DEFAULT_CHECK_DIR,
    );
    if (jsonPath !== undefined) prepareOutputFile(jsonPath, '--json', values.json as string);
    if (junitDir !== undefined) prepareOutputDir(junitDir, '--junit', values.junit as string);

    if (oauth !== undefined && target !== undefined) {
      // Unreachable, or the key and secret refused: UnreachableError, exit 3.
      const generated = await generateToken(target, oauth);
      token = generated.accessToken;
      io.out(`OAuth: token generated at ${target}, lives ${generated.ttlSeconds} s`);
    }
    const context: CheckContext = {
      target,
      credentials: anyCredential ? { basic, token, readOnlyBasic } : undefined,
      statesFile: states,
      loadAllowed: loadPermission(target, allowRealIssue),
      skipLoad: values['skip-load'] === true,
      loadIdentity,
      ...(values.strict === true ? { strict: true } : {}),
      ...(customersCsv !== undefined ? { customersCsv } : {}),
      reportDir,
      throughput: { batchSizes, durationSeconds },
      progress: (line) => io.out(line),
    };
    io.out(
      target === undefined
        ? 'directearn check against the embedded reference provider (a fresh one per stage, on loopback)'
        : `directearn check against ${target}`,
    );
    // Compared first, so a bad ref fails now and not after every stage has run.
    const baseRef = stringOption(values.base, env, 'DIRECTEARN_BASE');
    const isFile = (p: string) => existsSync(resolve(io.cwd, p));
    const apiDiff =
      baseRef === undefined
        ? undefined
        : await diffSinceBase(baseRef, { cwd: io.cwd, env, isFile, onProgress: (l) => io.out(l) });
    const summary = await runCheck(
      {
        context,
        render: { color: io.color, ascii: values.ascii === true },
        summaryPath: resolve(reportDir, 'summary.json'),
        ...(jsonPath === undefined ? {} : { jsonPath }),
        ...(junitDir === undefined ? {} : { junitDir }),
        ...(apiDiff === undefined ? {} : { apiDiff }),
      },
      io,
    );
    // The whole diff under the verdict; its verdict is already the api-diff stage's (summary.ok).
    if (apiDiff !== undefined) printBaseDiff(apiDiff, (l) => io.out(l), io.color);
    return summary.ok ? 0 : 1;
  },
};
