// `directearn can-i-deploy` and `directearn record-deployment`: the Pact CLI's broker client
// (@pact-foundation/pact-cli, an optional dependency) with every argument passed through, its output
// made printable, and its exit code mapped onto the suite's: a broker that cannot be reached is 3,
// not the 1 of "you cannot deploy".
import { pactBrokerCommand, runTool } from '../../contracts/process.js';
import { UnreachableError } from '../../errors.js';
import { printable } from '../../util/output-path.js';
import { MissingPackageError, requirePackages } from '../../util/process.js';
import { type Command, UsageError } from '../command.js';

/** How long the broker client may take, ms (it polls when given --retry-while-unknown). */
const TIMEOUT_MS = 10 * 60_000;

/** What the Rust broker client prints when it could not talk to the broker at all. */
const UNREACHABLE = /Failed to access pact broker|IO Error|error sending request|Connection refused/i;

/** One line of the client's usage error: the unknown flag, or the missing ones. */
function usageLine(stderr: string): string {
  const unknown = /unexpected argument '([^']+)'/.exec(stderr);
  if (unknown?.[1] !== undefined) return `unknown flag ${printable(unknown[1])}`;
  const lines = stderr.split('\n').map((l) => l.trim());
  const at = lines.findIndex((l) => /required arguments were not provided/.test(l));
  if (at >= 0) {
    const missing = lines
      .slice(at + 1)
      .filter((l) => l.startsWith('--'))
      .map((l) => l.split(' ')[0]);
    return `missing ${missing.join(', ')}`;
  }
  return printable(lines.find((l) => l.startsWith('error:'))?.replace(/^error:\s*/, '') ?? 'bad flags', 300);
}

function passthrough(name: 'can-i-deploy' | 'record-deployment', summary: string, example: string): Command {
  return {
    name,
    summary,
    help: `Usage: directearn ${name} [flags of pact broker ${name}]

${summary}. Runs the Pact CLI's broker client (\`pact broker ${name}\` of the optional
dependency @pact-foundation/pact-cli) with every flag passed through unchanged, e.g.

  ${example}

Its own flags: npx pact-broker ${name} --help (the broker URL and credentials also come from
PACT_BROKER_BASE_URL, PACT_BROKER_TOKEN or PACT_BROKER_USERNAME/PACT_BROKER_PASSWORD). A broker
that refuses connections is retried for about a minute unless --retries N says otherwise.

Exit code: 0 ${name === 'can-i-deploy' ? 'safe to deploy' : 'recorded'}, 1 ${name === 'can-i-deploy' ? 'not safe to deploy (a verification is missing or failed)' : 'the broker refused to record it'}, 2 bad flags (the client's
usage error), 3 the broker could not be reached or @pact-foundation/pact-cli is not installed.`,
    async run(args, io) {
      try {
        requirePackages(['@pact-foundation/pact-cli']);
      } catch (e) {
        if (!(e instanceof MissingPackageError)) throw e;
        throw new UnreachableError(
          `${name} needs the npm package ${e.pkg} (an optional dependency of the suite): install the suite without --omit=optional`,
        );
      }
      const [cmd, ...lead] = pactBrokerCommand();
      // The command's environment (PACT_BROKER_BASE_URL, PACT_BROKER_TOKEN, ...) reaches the client.
      const r = await runTool(cmd, [...lead, name, ...args], TIMEOUT_MS, { ...process.env, ...io.env });
      // The client's usage errors (clap, exit 2) become ours: one line naming the flag.
      if (r.code === 2) throw new UsageError(usageLine(r.stderr));
      // The broker's words reach the terminal: made printable, line by line.
      for (const line of r.stdout.split('\n').filter((l) => l.trim() !== '')) io.out(printable(line, 2000));
      for (const line of r.stderr.split('\n').filter((l) => l.trim() !== '')) io.err(printable(line, 2000));
      if (r.code === 0) return 0;
      if (UNREACHABLE.test(`${r.stdout}\n${r.stderr}`))
        throw new UnreachableError(
          `${name}: the Pact Broker could not be reached (see the client's line above)`,
        );
      return 1;
    },
  };
}

export const canIDeploy = passthrough(
  'can-i-deploy',
  'Asks the Pact Broker whether a version can be deployed to an environment',
  'directearn can-i-deploy --pacticipant loyalty-directearn --version "$GIT_SHA" --to-environment production --broker-base-url "$PACT_BROKER_BASE_URL"',
);

export const recordDeployment = passthrough(
  'record-deployment',
  'Records in the Pact Broker that a version was deployed to an environment',
  'directearn record-deployment --pacticipant loyalty-directearn --version "$GIT_SHA" --environment production --broker-base-url "$PACT_BROKER_BASE_URL"',
);
