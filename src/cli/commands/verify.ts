// `directearn verify`: replays the pacts against the embedded reference provider or a real host,
// and says per interaction passed / failed / not verified (with JUnit XML for CI).
import { generateToken } from '../../client/oauth.js';
import { type BrokerVerifyResult, verifyFromBroker } from '../../contracts/broker-verify.js';
import { verificationJUnit } from '../../contracts/junit.js';
import { findingLine, type UndocumentedRecord } from '../../contracts/undocumented.js';
import { poolLine, type VerifyResult, verifyPacts } from '../../contracts/verification.js';
import { UnreachableError } from '../../errors.js';
import { BOUNDS_HELP } from '../../util/bounded-http.js';
import { printable } from '../../util/output-path.js';
import { MissingPackageError, requirePackages } from '../../util/process.js';
import { writeFileSafe } from '../../util/safe-write.js';
import { type CliIO, type Command, UsageError, UserFacingError } from '../command.js';
import { BROKER_HELP } from './verify-broker.js';
import { settleVerify, type VerifyRequest } from './verify-options.js';

/** What verify runs besides Node: optional dependencies, absent after `npm install --omit=optional`. */
const VERIFY_PACKAGES = ['@pact-foundation/pact-cli', '@pactflow/swagger-mock-validator'] as const;

const help = `Usage: directearn verify [--target URL] [--basic USER:PASS] [--token TOKEN] [--readonly-basic USER:PASS]
                         [--states FILE.yaml] [--state-change-url URL] [--strict]
                         [--pacts DIR | --broker-url URL [broker flags]] [--junit FILE] [--record FILE]

Replays every interaction of the pacts (contracts/pacts) against a provider with the Rust
pact-verifier and prints, per interaction, PASS, FAIL (with the mismatch or the broken invariant
of the doc), SKIPPED or NOT VERIFIED (with the reason).

Without --target it verifies against the embedded reference provider (started on a free loopback
port; provider states are set through its admin route).

  --target URL            a real host, e.g. https://eucrm.cc.capillarytech.com [DIRECTEARN_TARGET]
                          Verifying against a real host SENDS the pacts' requests: the "earned"
                          interactions issue real promotions to the customers your states file names.
  Each interaction sends the credential of its kind, whatever else is given; one whose credential
  is not given is SKIPPED with the flag it needs:
  --basic USER:PASS       Basic credentials, for the Basic interactions [DIRECTEARN_BASIC]
  --token TOKEN           OAuth token: the Bearer interaction sends Authorization: Bearer, the
                          header-token one X-CAP-API-OAUTH-TOKEN [DIRECTEARN_TOKEN]
  --oauth-key KEY         instead of --token: an OAuth key [DIRECTEARN_OAUTH_KEY] and secret
  --oauth-secret SECRET   [DIRECTEARN_OAUTH_SECRET]; a token is generated at /v3/oauth/token/generate
                          of --target before the run and used as --token (a run takes seconds, a
                          token lives ttlSeconds). Neither is written to any report
  --readonly-basic U:P    credentials WITHOUT write access to the customer group resource, for the 403
                          interaction [DIRECTEARN_READONLY_BASIC]
  --states FILE.yaml      maps each provider-state sentence to real IDs of your organisation
                          [DIRECTEARN_STATES], e.g.
                            "program {programId} has active promotion {promotionId}":
                              programId: 1234
                              promotionId: 5678
                            "customer {customerId} exists":
                              customerId: 424242
                          Their IDs replace the pacts' IDs in requests and expected bodies. An
                          interaction with a state the file does not map is NOT VERIFIED (never passed).
                          With --target and neither --states nor --state-change-url, nothing is mapped.
                          A "pool:" section lists fresh customers for the interactions that earn, so
                          runs repeat on a host with earn limits (docs/states.md "ID pool"); the IDs used are
                          recorded in FILE.yaml.pool-used.json and each run says how many runs are left.
                          A run reserves its customers there under a lock before it sends anything
                          (never through a symbolic link) and gives back those it never sent.
                          The 413 and 429 interactions pin inferred limits no states file can set: on a
                          --target they are SKIPPED (never sent) unless --state-change-url sets them.
  --state-change-url URL  a URL of the target that sets provider states (Pact's {state, params, action}),
                          e.g. http://127.0.0.1:8080/_admin/provider-states of \`directearn serve --admin\`
  --pacts DIR             folder of pact files (default contracts/pacts of this package)
${BROKER_HELP}
  --strict                fail on every interaction not verified, skipped ones included, and on
                          every note: on a --target, parts the doc never gives (HTTP error bodies,
                          their messages and headers: catalogue cases marked inferred) are judged
                          by status only and a difference is a note, not a FAIL, unless --strict
  --junit FILE            also write JUnit XML (one test case per interaction; skipped and not
                          verified are <skipped> with the reason)
  --record FILE           also write, as JSON, what the host answered that the catalogue does not
                          document (codes, other messages of a code, fields, HTTP statuses: each an
                          UNDOCUMENTED line, never a failure); \`directearn docs --seen FILE\` adds
                          them to the codes table's "seen on hosts" section

${BOUNDS_HELP}

Exit code: 0 no interaction failed and every documented case (catalogue entries not marked inferred)
was verified; 1 an interaction failed, a documented case was not verified, or the host takes a
credential in one form and refuses it in the other; 2 bad flags, a bad --states file (named with
its line) or an ID pool record that is a symbolic link; 3 the --target is unreachable or refuses a
credential in every form it is sent in (one line naming the URL and how each credential was taken,
after a preflight of a few seconds; nothing is sent before it), another run held the ID pool
record's lock for 15 s, or the --broker-url cannot be reached, refuses its credentials or answers
what is not a broker. From a broker: a pending pact's failures never fail the run; a broker that
selects no pact is 1.`;

export const command: Command = {
  name: 'verify',
  summary: 'verify the pacts against a provider (the reference provider or --target URL)',
  help,
  async run(args, io) {
    const request = settleVerify(args, io);
    try {
      requirePackages(VERIFY_PACKAGES);
    } catch (e) {
      if (!(e instanceof MissingPackageError)) throw e;
      throw new UnreachableError(
        `verify needs the npm package ${e.pkg} (an optional dependency of the suite): install the suite without --omit=optional, or npm install ${e.pkg}`,
      );
    }
    let credentials = request.credentials;
    if (request.oauth !== undefined && request.target !== undefined) {
      // Unreachable, or the key and secret refused: UnreachableError, exit 3.
      const generated = await generateToken(request.target, request.oauth);
      credentials = { ...(credentials ?? {}), token: generated.accessToken };
      io.out(`OAuth: token generated at ${request.target}, lives ${generated.ttlSeconds} s`);
    }
    const how = {
      ...(request.target === undefined ? {} : { providerBaseUrl: request.target }),
      ...(request.states === undefined ? {} : { states: request.states }),
      ...(credentials === undefined ? {} : { credentials }),
      ...(request.stateChangeUrl === undefined ? {} : { stateChangeUrl: request.stateChangeUrl }),
      strict: request.strict,
    };
    let result: VerifyResult;
    try {
      result =
        request.broker === undefined
          ? await verifyPacts({ dir: request.dir, ...how })
          : await verifyFromBroker(how, request.broker.broker, request.broker.select, request.broker.publish);
    } catch (e) {
      if (e instanceof UnreachableError || e instanceof UsageError) throw e;
      throw new UserFacingError(`verification could not run: ${(e as Error).message}`);
    }
    for (const line of report(result)) io.out(line);
    if ('pacts' in result)
      for (const p of (result as BrokerVerifyResult).pacts)
        io.out(
          `Pact ${printable(p.description)}: ${p.ok ? 'verified' : 'FAILED'}${p.pending ? ` (pending${p.wip ? ', work in progress' : ''}: does not fail the run)` : ''}${p.published ? '; result published to the broker' : ''}`,
        );
    writeOutputs(request, result, io);
    return result.ok ? 0 : 1;
  },
};

/** --junit and --record, each said in one line once written. */
function writeOutputs(request: VerifyRequest, result: VerifyResult, io: CliIO): void {
  const write = (to: { path: string; shown: string }, flag: string, text: string) => {
    try {
      writeFileSafe(to.path, text);
    } catch (e) {
      throw new UserFacingError(
        `cannot write ${flag} ${to.shown}: ${(e as NodeJS.ErrnoException).code ?? e}`,
      );
    }
  };
  if (request.junit !== undefined) {
    write(request.junit, '--junit', verificationJUnit(result));
    io.out(`JUnit XML written to ${request.junit.path}`);
  }
  if (request.record !== undefined) {
    const record: UndocumentedRecord = {
      by: 'verify',
      target: result.target,
      at: new Date().toISOString(),
      undocumented: result.undocumented,
    };
    write(request.record, '--record', `${JSON.stringify(record, null, 2)}\n`);
    io.out(`${result.undocumented.length} undocumented finding(s) written to ${request.record.path}`);
  }
}

const MARK = {
  passed: 'PASS        ',
  failed: 'FAIL        ',
  skipped: 'SKIPPED     ',
  'not-verified': 'NOT VERIFIED',
};

/** The report lines: one per interaction (reasons indented), the counts, the pool, the verdict. */
export function report(result: VerifyResult): string[] {
  const lines = [`Verifying ${result.counts.total} interaction(s) against ${result.target}`];
  let pact: string | undefined;
  for (const i of result.interactions) {
    if (i.pact !== undefined && i.pact !== pact) {
      pact = i.pact;
      lines.push(`Pact ${printable(pact)}${i.pending ? ' (pending: its failures do not fail the run)' : ''}`);
    }
    lines.push(`${MARK[i.status]}  ${i.case.padEnd(8)}  ${printable(i.description)}`);
    if (i.message) for (const line of i.message.split('\n')) lines.push(`              ${line}`);
    for (const note of i.notes ?? []) lines.push(`              note (inferred, not in the doc): ${note}`);
  }
  const { passed, failed, skipped, notVerified, total } = result.counts;
  lines.push(
    `${total} interaction(s): ${passed} passed, ${failed} failed, ${skipped} skipped, ${notVerified} not verified`,
  );
  if (result.counts.noted > 0)
    lines.push(
      `${result.counts.noted} interaction(s) with notes: the host answers parts the doc never gives (HTTP error bodies, their messages and headers) otherwise than the suite infers; judged by status only, --strict fails on them`,
    );
  for (const f of result.undocumented) lines.push(`UNDOCUMENTED  ${printable(findingLine(f), 400)}`);
  if (result.undocumented.length > 0)
    lines.push(
      `${result.undocumented.length} undocumented finding(s): the host answered what the catalogue does not document (not a failure; --record FILE keeps them for directearn docs --seen)`,
    );
  if (result.pool !== undefined) lines.push(poolLine(result.pool));
  lines.push(result.ok ? 'Verdict: PASSED' : `Verdict: FAILED: ${result.reasons.join('; ')}`);
  return lines;
}
