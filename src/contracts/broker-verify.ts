// Broker-driven verification: the pacts the Pact Broker selects (consumer version selectors, pending
// and WIP pacts) are verified one pact at a time by the same pipeline as local files (credentials,
// states, invariants, notes), a pending pact's failures do not fail the run, and each pact's result
// can be published back to the broker.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type BrokerOptions,
  type BrokerPact,
  type ForVerificationOptions,
  fetchPactsForVerification,
  publishVerificationResult,
} from './broker.js';
import {
  type VerifiedInteraction,
  type VerifyOptions,
  type VerifyResult,
  verifyPacts,
} from './verification.js';

/** One broker pact's outcome. */
export interface BrokerPactOutcome {
  description: string;
  pending: boolean;
  wip: boolean;
  ok: boolean;
  /** Whether its result was published to the broker. */
  published: boolean;
}

/** A broker-driven run: the merged verification, plus each pact's outcome. */
export interface BrokerVerifyResult extends VerifyResult {
  pacts: BrokerPactOutcome[];
}

/** Where results go, when they are published. */
export interface PublishOptions {
  providerVersion: string;
  providerBranch?: string;
  /** The suite's version, as `verifiedBy`. */
  suiteVersion: string;
}

function merge(results: { pact: BrokerPact; r: VerifyResult }[]): Omit<BrokerVerifyResult, 'pacts'> {
  const first = results[0]?.r;
  const interactions = results.flatMap(({ pact, r }) =>
    r.interactions.map(
      (i): VerifiedInteraction => ({
        ...i,
        pact: pact.description,
        ...(pact.pending ? { pending: true } : {}),
      }),
    ),
  );
  const sum = (k: keyof VerifyResult['counts']) => results.reduce((n, { r }) => n + r.counts[k], 0);
  // A pending pact (a new consumer expectation, or a WIP pact) is reported, never fails the run.
  const failing = results.filter(({ pact, r }) => !pact.pending && !r.ok);
  const reasons =
    results.length === 0
      ? ['the Pact Broker selected no pact to verify']
      : failing.flatMap(({ pact, r }) => r.reasons.map((why) => `${pact.description}: ${why}`));
  return {
    ok: reasons.length === 0,
    reasons,
    target: first?.target ?? '',
    embedded: first?.embedded ?? true,
    interactions,
    counts: {
      total: sum('total'),
      passed: sum('passed'),
      failed: sum('failed'),
      skipped: sum('skipped'),
      notVerified: sum('notVerified'),
      noted: sum('noted'),
    },
    undocumented: results.flatMap(({ r }) => r.undocumented),
    ...(results.at(-1)?.r.pool === undefined ? {} : { pool: results.at(-1)?.r.pool }),
  };
}

/**
 * Fetches the pacts for verification from the broker and verifies each against the provider of
 * `options`; publishes each pact's result when `publish` is given (after every pact was verified,
 * so a run that could not complete publishes nothing).
 */
export async function verifyFromBroker(
  options: Omit<VerifyOptions, 'dir' | 'files'>,
  broker: BrokerOptions,
  select: ForVerificationOptions,
  publish?: PublishOptions,
): Promise<BrokerVerifyResult> {
  const pacts = await fetchPactsForVerification(broker, select);
  const dir = await mkdtemp(join(tmpdir(), 'directearn-broker-'));
  const results: { pact: BrokerPact; r: VerifyResult }[] = [];
  try {
    for (const [n, pact] of pacts.entries()) {
      // The broker's HAL links are not part of the pact; the rest is the pact as the consumer published it.
      const { _links: _ignored, ...json } = pact.json;
      const file = join(dir, `${n}.json`);
      await writeFile(file, JSON.stringify(json));
      // One pact per verifier run: the same interaction description may appear in several pacts.
      results.push({ pact, r: await verifyPacts({ ...options, dir, files: [file] }) });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const outcomes: BrokerPactOutcome[] = results.map(({ pact, r }) => ({
    description: pact.description,
    pending: pact.pending,
    wip: pact.wip,
    ok: r.ok,
    published: false,
  }));
  if (publish !== undefined) {
    for (const [n, { pact, r }] of results.entries()) {
      await publishVerificationResult(
        broker,
        pact,
        {
          success: r.ok,
          providerVersion: publish.providerVersion,
          ...(publish.providerBranch === undefined ? {} : { providerBranch: publish.providerBranch }),
          testResults: r.interactions.map((i) => ({
            interactionDescription: i.description,
            success: i.status === 'passed',
            ...(i.status === 'passed' ? {} : { mismatches: [{ description: i.message ?? i.status }] }),
          })),
        },
        publish.suiteVersion,
      );
      (outcomes[n] as BrokerPactOutcome).published = true;
    }
  }
  return { ...merge(results), pacts: outcomes };
}
