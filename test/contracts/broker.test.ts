// Broker-driven verification against a stand-in Pact Broker (test/support/pact-broker.ts: no real
// broker can be installed here; the stand-in speaks the broker's documented HAL for "pacts for
// verification", pacts and verification results, and records what it was sent). `verify
// --broker-url` asks with the consumer version selectors, pending and WIP settings, verifies each
// pact, lets a pending pact fail without failing the run, and publishes results from CI only;
// `can-i-deploy` and `record-deployment` go through the Pact CLI's broker client.
import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { PACT_PROVIDER } from '../../src/config/defaults.js';
import { pactFiles } from '../../src/contracts/pacts.js';
import { captureIO } from '../support/cli-io.js';
import { startHostileHost } from '../support/hostile-host.js';
import { type OfferedPact, type StandInBroker, startStandInBroker } from '../support/pact-broker.js';

let dir: string;
async function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const io = captureIO({ cwd: dir, env });
  const code = await main(argv, io);
  return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
}

const committed = JSON.parse(readFileSync(pactFiles()[0] as string, 'utf8')) as Record<string, unknown>;
/** A consumer's new expectation the provider does not meet: 8899 answered as 8898. */
function brokenPact(consumer: string): Record<string, unknown> {
  const pact = structuredClone(committed) as {
    consumer: { name: string };
    interactions: { description: string; response: { body: { content: unknown } } }[];
  };
  pact.consumer.name = consumer;
  const i = pact.interactions.find((x) => x.description.startsWith('answers 8899'));
  const content = i?.response.body.content as { response: { errors: { code: number }[] }[] };
  const error = content.response[0]?.errors[0];
  if (error === undefined) throw new Error('the 8899 interaction has no error to change');
  error.code = 8898;
  return pact as never;
}

describe('verify --broker-url', () => {
  const brokers: StandInBroker[] = [];
  async function broker(offered: OfferedPact[], auth?: string) {
    const b = await startStandInBroker(offered, auth);
    brokers.push(b);
    return b;
  }
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'directearn-broker-'));
  });
  afterAll(async () => {
    for (const b of brokers) await b.close();
  });

  it('asks with the selectors, pending and WIP settings; a pending pact fails without failing the run; CI publishes each result', async () => {
    const b = await broker(
      [
        { consumer: 'directearn-client', json: committed },
        { consumer: 'new-consumer', json: brokenPact('new-consumer'), pending: true, wip: true },
      ],
      'Bearer s3cret',
    );
    const r = await run(
      [
        'verify',
        ...['--broker-url', b.url, '--broker-token', 's3cret', '--provider-branch', 'main'],
        ...['--enable-pending', '--include-wip-pacts-since', '2026-01-01'],
        ...['--publish-results', '--provider-version', '1.2.3'],
      ],
      { CI: 'true' },
    );
    expect(r.code, `${r.out}\n${r.err}`).toBe(0);
    const ask = b.requests.find((q) => q.method === 'POST' && q.path.endsWith('/for-verification'));
    expect(ask?.path).toBe(`/pacts/provider/${PACT_PROVIDER}/for-verification`);
    expect(ask?.body).toEqual({
      consumerVersionSelectors: [
        { mainBranch: true },
        { deployedOrReleased: true },
        { matchingBranch: true },
      ],
      includePendingStatus: true,
      providerVersionBranch: 'main',
      includeWipPactsSince: '2026-01-01',
    });
    expect(b.requests.every((q) => q.headers.authorization === 'Bearer s3cret')).toBe(true);
    // Both pacts verified; the pending one's failure is shown, and does not fail the run.
    expect(r.out).toMatch(
      /^Pact latest pact of new-consumer \(pending\) \(pending: its failures do not fail the run\)\nFAIL|^FAIL\s+8899/m,
    );
    expect(r.out).toMatch(
      /^FAIL\s+8899 .*\n\s+\$\.response\[0\]\.errors\[0\]\.code: expected 8898, received 8899/m,
    );
    expect(r.out).toMatch(
      /^Pact latest pact of new-consumer \(pending\): FAILED \(pending, work in progress: does not fail the run\); result published to the broker$/m,
    );
    expect(r.out).toMatch(
      /^Pact latest pact of directearn-client: verified; result published to the broker$/m,
    );
    // Results: the provider version on its branch first, then one result per pact.
    expect(
      b.requests.some(
        (q) => q.method === 'PUT' && q.path === `/pacticipants/${PACT_PROVIDER}/branches/main/versions/1.2.3`,
      ),
    ).toBe(true);
    const results = b.results();
    expect(results.map((x) => [x.consumer, x.body.success, x.body.providerApplicationVersion])).toEqual([
      ['directearn-client', true, '1.2.3'],
      ['new-consumer', false, '1.2.3'],
    ]);
    const tests = (results[1]?.body.testResults ?? []) as {
      interactionDescription: string;
      success: boolean;
    }[];
    const failed = tests.filter((t) => !t.success);
    expect(failed.map((t) => t.interactionDescription)).toEqual([expect.stringMatching(/^answers 8899/)]);
  }, 60_000);

  it('a pact that is not pending fails the run (exit 1); nothing is published without --publish-results', async () => {
    const b = await broker([{ consumer: 'old-consumer', json: brokenPact('old-consumer') }]);
    const r = await run(['verify', '--broker-url', b.url, '--junit', 'old.xml']);
    expect(r.code, r.out).toBe(1);
    expect(r.out).toMatch(/^Verdict: FAILED: latest pact of old-consumer: 1 interaction\(s\) failed/m);
    // JUnit names the pact: one description may be in several pacts of a broker run.
    expect(readFileSync(join(dir, 'old.xml'), 'utf8')).toMatch(
      /<testcase classname="directearn\.verify\.8899" name="latest pact of old-consumer: answers 8899[^"]*">\s*<failure/,
    );
    expect(b.results()).toEqual([]);
    // Without --provider-branch, matchingBranch has nothing to match: it is not asked for.
    const ask = b.requests.find((q) => q.path.endsWith('/for-verification'));
    expect(
      (ask?.body as { consumerVersionSelectors?: unknown } | undefined)?.consumerVersionSelectors,
    ).toEqual([{ mainBranch: true }, { deployedOrReleased: true }]);
  }, 60_000);

  it('a broker that selects no pact fails the run: zero interactions never pass', async () => {
    const b = await broker([]);
    const r = await run(['verify', '--broker-url', b.url]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/Verdict: FAILED: the Pact Broker selected no pact to verify/);
  });

  it.each([
    [['--publish-results', '--provider-version', '1'], {}, /publishes from CI only .* --force-publish/],
    [['--publish-results'], { CI: 'true' }, /--publish-results needs --provider-version/],
    [['--include-wip-pacts-since', '2026-01-01'], {}, /needs --enable-pending/],
    [['--selector', 'matchingBranch'], {}, /matchingBranch needs --provider-branch/],
    [['--selector', 'newest'], {}, /--selector "newest" is not one of/],
    [['--pacts', '.'], {}, /--pacts and --broker-url exclude each other/],
  ] as const)('refuses %j before asking the broker: exit 2', async (flags, env, message) => {
    const b = await broker([]);
    const r = await run(['verify', '--broker-url', b.url, ...flags], env);
    expect(r.code, r.err).toBe(2);
    expect(r.err).toMatch(message);
    expect(b.requests).toEqual([]);
  });

  it('a broker is an untrusted host: a redirect is not followed, an endless answer is cut off (exit 3)', async () => {
    const hostile = await startHostileHost();
    try {
      const redirect = await run(['verify', '--broker-url', hostile.urlFor('redirect')]);
      expect(redirect.code, redirect.err).toBe(3);
      expect(redirect.err).toMatch(/redirected GET .* \(307\): not followed/);
      expect(hostile.logger.hits).toEqual([]);
      const endless = await run(['verify', '--broker-url', hostile.urlFor('endless')]);
      expect(endless.code, endless.err).toBe(3);
      expect(endless.err).toMatch(/answered over \d+ bytes/);
    } finally {
      await hostile.close();
    }
  }, 60_000);

  it('a broker flag without --broker-url is a usage error', async () => {
    const r = await run(['verify', '--enable-pending']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--enable-pending goes with --broker-url/);
  });
});

describe('can-i-deploy and record-deployment pass through to the Pact CLI', () => {
  let b: StandInBroker;
  beforeAll(async () => {
    b = await startStandInBroker([]);
  });
  afterAll(async () => b?.close());

  it('can-i-deploy asks the broker its matrix with the flags given; the stand-in has none, so it is not safe (exit 1)', async () => {
    const r = await run([
      'can-i-deploy',
      ...['--pacticipant', PACT_PROVIDER, '--version', '1.2.3', '--to-environment', 'production'],
      ...['--broker-base-url', b.url],
    ]);
    expect(r.code, `${r.out}\n${r.err}`).toBe(1);
    const matrix = b.requests.find((q) => q.path.startsWith('/matrix'));
    expect(decodeURIComponent(matrix?.path ?? '')).toContain(`q[][pacticipant]=${PACT_PROVIDER}`);
    expect(decodeURIComponent(matrix?.path ?? '')).toContain('environment=production');
  }, 30_000);

  it('a flag the client does not know, or one it needs, is a usage error in one line (exit 2)', async () => {
    const unknown = await run(['can-i-deploy', '--frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toBe('directearn can-i-deploy: unknown flag --frobnicate');
    const missing = await run(['record-deployment', '--version', '1']);
    expect(missing.code).toBe(2);
    expect(missing.err).toBe(
      'directearn record-deployment: missing --pacticipant, --environment, --broker-base-url',
    );
  });

  it('a broker that cannot be reached is exit 3, not the 1 of "cannot deploy"', async () => {
    for (const [command, env] of [
      ['can-i-deploy', '--to-environment'],
      ['record-deployment', '--environment'],
    ] as const) {
      const r = await run([
        command,
        '--pacticipant',
        'x',
        '--version',
        '1',
        env,
        'production',
        '--broker-base-url',
        'http://127.0.0.1:1',
        // The client retries a refused connection for a minute by default.
        ...['--retries', '0'],
      ]);
      expect(r.code, `${command}: ${r.err}`).toBe(3);
      expect(r.err).toMatch(
        new RegExp(`directearn ${command}: ${command}: the Pact Broker could not be reached`),
      );
    }
  }, 30_000);
});
