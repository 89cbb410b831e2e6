// `directearn check`, the main job: spec -> consumer contracts -> pacts vs spec -> provider
// verification -> k6 smoke and a short throughput run, then a table of every documented case.

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { runCheck } from '../../check/runner.js';
import { generateToken } from '../../client/oauth.js';
import { DEFAULT_CHECK_DIR, DEFAULT_CHECK_THROUGHPUT } from '../../config/defaults.js';
import { diffSinceBase, printBaseDiff } from '../../diff/base.js';
import { BOUNDS_HELP } from '../../util/bounded-http.js';
import type { Command } from '../command.js';
import { settleCheck } from './check-options.js';

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
  --duration D          per batch size of the throughput run, up to 1h: seconds (3) or a number
                        with ms, s, m or h (500ms, 3s, 1m), as for \`load\` (default ${DEFAULT_CHECK_THROUGHPUT.durationSeconds}s)
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

export const command: Command = {
  name: 'check',
  summary: 'run the whole check (spec, contracts, verification, k6) and print what passed per case',
  help,
  async run(args, io) {
    const { run, oauth, baseRef } = settleCheck(args, io);
    const { context } = run;
    if (oauth !== undefined && context.target !== undefined) {
      // Unreachable, or the key and secret refused: UnreachableError, exit 3.
      const generated = await generateToken(context.target, oauth);
      context.credentials = { ...context.credentials, token: generated.accessToken };
      io.out(`OAuth: token generated at ${context.target}, lives ${generated.ttlSeconds} s`);
    }
    io.out(
      context.target === undefined
        ? 'directearn check against the embedded reference provider (a fresh one per stage, on loopback)'
        : `directearn check against ${context.target}`,
    );
    // Compared first, so a bad ref fails now and not after every stage has run.
    const isFile = (p: string) => existsSync(resolve(io.cwd, p));
    const apiDiff =
      baseRef === undefined
        ? undefined
        : await diffSinceBase(baseRef, { cwd: io.cwd, env: io.env, isFile, onProgress: (l) => io.out(l) });
    const summary = await runCheck({ ...run, ...(apiDiff === undefined ? {} : { apiDiff }) }, io);
    // The whole diff under the verdict; its verdict is already the api-diff stage's (summary.ok).
    if (apiDiff !== undefined) printBaseDiff(apiDiff, (l) => io.out(l), io.color);
    return summary.ok ? 0 : 1;
  },
};
