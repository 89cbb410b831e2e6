// The Pact Broker flags of `directearn verify`, settled once into typed options (or a UsageError
// naming the flag): where the broker is, which pacts to ask for, and whether to publish results.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type {
  BrokerOptions,
  ConsumerVersionSelector,
  ForVerificationOptions,
} from '../../contracts/broker.js';
import type { PublishOptions } from '../../contracts/broker-verify.js';
import { parseHttpUrl } from '../../input/url.js';
import { packageRoot } from '../../util/package-root.js';
import { UsageError } from '../command.js';
import { stringOption } from '../flags.js';

/** The flags, for parseFlags. */
export const BROKER_FLAGS = {
  'broker-url': { type: 'string' },
  'broker-token': { type: 'string' },
  'broker-username': { type: 'string' },
  'broker-password': { type: 'string' },
  selector: { type: 'string', multiple: true },
  'enable-pending': { type: 'boolean' },
  'include-wip-pacts-since': { type: 'string' },
  'publish-results': { type: 'boolean' },
  'provider-version': { type: 'string' },
  'provider-branch': { type: 'string' },
  'force-publish': { type: 'boolean' },
} as const;

/** The help lines of the broker flags. */
export const BROKER_HELP = `Pacts from a Pact Broker (instead of --pacts):
  --broker-url URL        fetch the pacts for verification from this broker [PACT_BROKER_BASE_URL]
  --broker-token T        its bearer token [PACT_BROKER_TOKEN]
  --broker-username U, --broker-password P
                          or its basic auth [PACT_BROKER_USERNAME, PACT_BROKER_PASSWORD]
  --selector S            a consumer version selector, repeatable: mainBranch, deployedOrReleased,
                          matchingBranch, deployed, released or branch=NAME (default mainBranch,
                          deployedOrReleased, and matchingBranch when --provider-branch is given)
  --provider-branch B     the provider's branch: for matchingBranch, pending status and publishing
                          [PACT_BROKER_PROVIDER_BRANCH]
  --enable-pending        a pending pact (an expectation this provider never passed yet) is
                          verified and reported, but its failures do not fail the run
  --include-wip-pacts-since DATE
                          also verify work-in-progress pacts changed since DATE (YYYY-MM-DD; they
                          are pending; needs --enable-pending)
  --publish-results       publish each pact's result to the broker, after all were verified; only
                          in CI (the CI variable set) unless --force-publish
  --provider-version V    the provider version the results are for (needed to publish)
                          [PACT_BROKER_PROVIDER_VERSION]
  --force-publish         publish with --publish-results outside CI too`;

/** What a broker-driven run needs, settled. */
export interface BrokerRun {
  broker: BrokerOptions;
  select: ForVerificationOptions;
  publish?: PublishOptions;
}

const SIMPLE = ['mainBranch', 'deployedOrReleased', 'matchingBranch', 'deployed', 'released'] as const;

function selectorOf(raw: string, branch: string | undefined): ConsumerVersionSelector {
  const named = SIMPLE.find((s) => s === raw.trim());
  if (named === 'matchingBranch' && branch === undefined)
    throw new UsageError('--selector matchingBranch needs --provider-branch (the branch to match)');
  if (named !== undefined) return { [named]: true } as ConsumerVersionSelector;
  const branchOf = /^branch=(\S+)$/.exec(raw.trim());
  if (branchOf?.[1] !== undefined) return { branch: branchOf[1] };
  throw new UsageError(`--selector ${JSON.stringify(raw)} is not one of ${SIMPLE.join(', ')} or branch=NAME`);
}

/** Whether this looks like a CI job: the CI variable most CI systems set. */
function inCi(env: NodeJS.ProcessEnv): boolean {
  const ci = env.CI;
  return ci !== undefined && ci !== '' && ci.toLowerCase() !== 'false' && ci !== '0';
}

function suiteVersion(): string {
  try {
    return String(JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')).version);
  } catch {
    return 'unknown';
  }
}

/** The broker run the flags ask for, undefined without --broker-url; every misuse is a UsageError. */
export function parseBrokerRun(
  values: Partial<Record<keyof typeof BROKER_FLAGS, string | boolean | string[]>>,
  env: NodeJS.ProcessEnv,
  pactsGiven: boolean,
): BrokerRun | undefined {
  const urlRaw = stringOption(values['broker-url'], env, 'PACT_BROKER_BASE_URL');
  const others = (Object.keys(BROKER_FLAGS) as (keyof typeof BROKER_FLAGS)[]).filter(
    (k) => k !== 'broker-url' && values[k] !== undefined,
  );
  if (urlRaw === undefined) {
    if (others.length > 0) throw new UsageError(`--${others[0]} goes with --broker-url`);
    return undefined;
  }
  if (pactsGiven)
    throw new UsageError('--pacts and --broker-url exclude each other: pacts come from one place');
  const url = parseHttpUrl(urlRaw, '--broker-url');
  const token = stringOption(values['broker-token'], env, 'PACT_BROKER_TOKEN');
  const username = stringOption(values['broker-username'], env, 'PACT_BROKER_USERNAME');
  const password = stringOption(values['broker-password'], env, 'PACT_BROKER_PASSWORD');
  if (token !== undefined && username !== undefined)
    throw new UsageError('--broker-token and --broker-username exclude each other: give one way to log in');
  if ((username === undefined) !== (password === undefined))
    throw new UsageError('--broker-username and --broker-password go together');
  const branch = stringOption(values['provider-branch'], env, 'PACT_BROKER_PROVIDER_BRANCH');
  const given = (values.selector as string[] | undefined) ?? [];
  const selectors =
    given.length > 0
      ? given.map((s) => selectorOf(s, branch))
      : [
          { mainBranch: true } as const,
          { deployedOrReleased: true } as const,
          ...(branch === undefined ? [] : [{ matchingBranch: true } as const]),
        ];
  const enablePending = values['enable-pending'] === true;
  const wip = values['include-wip-pacts-since'] as string | undefined;
  if (wip !== undefined) {
    if (!enablePending)
      throw new UsageError(
        '--include-wip-pacts-since needs --enable-pending (work-in-progress pacts are pending)',
      );
    if (!/^\d{4}-\d{2}-\d{2}$/.test(wip) || Number.isNaN(Date.parse(wip)))
      throw new UsageError(
        `--include-wip-pacts-since must be a date like 2026-01-31, got ${JSON.stringify(wip)}`,
      );
  }
  const version = stringOption(values['provider-version'], env, 'PACT_BROKER_PROVIDER_VERSION');
  let publish: PublishOptions | undefined;
  if (values['publish-results'] === true) {
    if (version === undefined || version.trim() === '')
      throw new UsageError('--publish-results needs --provider-version (the version the results are for)');
    if (!inCi(env) && values['force-publish'] !== true)
      throw new UsageError(
        '--publish-results publishes from CI only (the CI variable is not set): results from a workstation would mark a version verified; add --force-publish to publish anyway',
      );
    publish = {
      providerVersion: version,
      ...(branch === undefined ? {} : { providerBranch: branch }),
      suiteVersion: suiteVersion(),
    };
  } else if (values['force-publish'] === true) {
    throw new UsageError('--force-publish goes with --publish-results');
  }
  return {
    broker: {
      url,
      ...(token === undefined ? {} : { token }),
      ...(username === undefined ? {} : { username, password: password as string }),
    },
    select: {
      selectors,
      enablePending,
      ...(branch === undefined ? {} : { providerBranch: branch }),
      ...(wip === undefined ? {} : { includeWipPactsSince: wip }),
    },
    ...(publish === undefined ? {} : { publish }),
  };
}
