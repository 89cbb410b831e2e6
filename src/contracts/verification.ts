// Provider verification: replays the pacts with the Rust pact-verifier against the embedded
// reference provider or a --target, through a recording proxy so the doc's invariants are checked
// on every answer, and says per interaction passed / failed / skipped / not verified.
import { judge } from './judge.js';
import { PACT_DIR, type PactInteraction, pactFiles, pactInteractions } from './pacts.js';
import { PoolDraw, unsentCustomers } from './pool.js';
import { preflight } from './preflight.js';
import { type Credentials, mapIds, type Planned, plan } from './prepare.js';
import { startRecordingProxy } from './recording-proxy.js';
import { stateChangeRelay } from './state-change-relay.js';
import type { PoolCustomer, StatesFile } from './states-file.js';
import { UndocumentedCollector } from './undocumented.js';
import { verdict } from './verdict.js';
import { runVerifier } from './verifier-run.js';
import { drawPool } from './verify-pool.js';
import type { VerificationStatus, VerifiedInteraction, VerifyResult } from './verify-result.js';

export type { Credentials } from './prepare.js';
export { poolLine } from './verify-pool.js';
export type { VerificationStatus, VerifiedInteraction, VerifyResult } from './verify-result.js';

/** Where and how to verify. */
export interface VerifyOptions {
  /** A real host (scheme, host, port, optional base path). Absent: the embedded reference provider. */
  providerBaseUrl?: string;
  /** The states file as read (src/contracts/states-file.ts); a bare map is `{ path: undefined, states, pool: undefined }`. */
  states?: StatesFile;
  credentials?: Credentials;
  dir?: string;
  files?: string[];
  /** Where to POST state changes on a real host (Pact format); none by default (data must exist). */
  stateChangeUrl?: string;
  /** Every interaction not verified (skipped ones too) fails the run. */
  strict?: boolean;
  timeoutMs?: number;
  /** Preflight timeout per request, ms (default 5 s). */
  preflightTimeoutMs?: number;
}

/**
 * Verifies the pacts against a provider; never passes an interaction it could not replay. A
 * --target is preflighted first: unreachable, or 401 to every credential, throws UnreachableError.
 */
export async function verifyPacts(options: VerifyOptions = {}): Promise<VerifyResult> {
  const files = options.files ?? pactFiles(options.dir ?? PACT_DIR);
  const all = pactInteractions(options.dir ?? PACT_DIR, files);
  const embedded = options.providerBaseUrl === undefined;
  // Judged first, before any pool customer is drawn or any request that can issue is sent.
  const checked = embedded
    ? undefined
    : await preflight(options.providerBaseUrl as string, options.credentials, options.preflightTimeoutMs);
  const canSetStates = embedded || options.stateChangeUrl !== undefined;
  const statesFile = options.states;
  // On a real host nothing sets the states unless a state-change URL does: without a states file
  // every interaction is then unmapped (not verified), never replayed with the pacts' example IDs.
  const states = statesFile?.states ?? (canSetStates ? undefined : {});
  const pool =
    !canSetStates && statesFile?.pool !== undefined
      ? new PoolDraw(statesFile.pool, statesFile.path)
      : undefined;
  const planned = all.map((pi) =>
    plan(pi, { embedded, canSetStates, credentials: options.credentials, states, pool: pool !== undefined }),
  );
  let poolRun: { perRun: number; usedUp: boolean; reserved: PoolCustomer[] } | undefined;
  if (states !== undefined) {
    const ready = planned.filter((p) => p.withheld === undefined);
    if (pool !== undefined) poolRun = await drawPool(ready, pool, states);
    else for (const p of ready) p.withheld = mapIds(p, states, new Map());
  }
  // The request bodies that left for the target (the recording proxy's list, read after it closed):
  // however the run ends, reserved customers none of them carries were provably not issued and go
  // back to the pool (a failed preflight sends none); the others stay used.
  const sent = { bodies: [] as string[] };
  let result: VerifyResult;
  try {
    result = await replay(options, all, planned, embedded, sent, checked?.regressions ?? []);
  } finally {
    if (pool !== undefined && poolRun !== undefined && poolRun.reserved.length > 0)
      await pool.release(unsentCustomers(poolRun.reserved, sent.bodies));
  }
  return pool !== undefined && poolRun !== undefined
    ? { ...result, pool: pool.status(poolRun.perRun, poolRun.usedUp) }
    : result;
}

/** Replays the runnable interactions and judges them, with the preflight's regressions (see verifyPacts). */
async function replay(
  options: VerifyOptions,
  all: PactInteraction[],
  planned: Planned[],
  embedded: boolean,
  sent: { bodies: string[] },
  regressions: string[],
): Promise<VerifyResult> {
  const results = new Map<PactInteraction, VerifiedInteraction>();
  for (const p of planned) {
    if (p.withheld !== undefined)
      results.set(p.pi, { description: p.pi.description, case: p.pi.case ?? '?', ...p.withheld });
  }
  const runnable = planned.filter((p) => p.withheld === undefined);
  const drift = new UndocumentedCollector();
  const into: Into = { sent, drift, results };
  const target =
    runnable.length > 0
      ? await replayThroughProxy(options, runnable, embedded, into)
      : (options.providerBaseUrl ?? '');
  const interactions = all.map((pi) => results.get(pi) as VerifiedInteraction);
  const count = (s: VerificationStatus) => interactions.filter((i) => i.status === s).length;
  const counts = {
    total: interactions.length,
    passed: count('passed'),
    failed: count('failed'),
    skipped: count('skipped'),
    notVerified: count('not-verified'),
    noted: interactions.filter((i) => (i.notes?.length ?? 0) > 0).length,
  };
  const judged = verdict(interactions, options.strict === true);
  const trip = into.stateChangeTrip;
  const stateReasons =
    trip === undefined ? [] : [`state-change URL: ${trip.replace(/^the target /, 'its host ')}`];
  const v = {
    ok: judged.ok && regressions.length === 0 && trip === undefined,
    reasons: [...regressions, ...stateReasons, ...judged.reasons],
  };
  return {
    ...v,
    target: embedded ? `embedded reference provider (${target || 'not started'})` : target,
    embedded,
    interactions,
    counts,
    undocumented: drift.findings(),
  };
}

/** What replayThroughProxy fills in. */
interface Into {
  sent: { bodies: string[] };
  drift: UndocumentedCollector;
  results: Map<PactInteraction, VerifiedInteraction>;
  /** The bound the host behind --state-change-url broke, if it did. */
  stateChangeTrip?: string;
}

/**
 * Starts the embedded provider when it is the target, replays `runnable` through a recording proxy
 * and judges each interaction into `into.results`; returns the target's URL.
 */
async function replayThroughProxy(
  options: VerifyOptions,
  runnable: Planned[],
  embedded: boolean,
  into: Into,
): Promise<string> {
  let embeddedProvider: { url: string; close(): Promise<void> } | undefined;
  let target = options.providerBaseUrl ?? '';
  try {
    if (embedded) {
      const { startProvider } = await import('../provider/server.js');
      embeddedProvider = await startProvider({ admin: true, host: '127.0.0.1', port: 0 });
      target = embeddedProvider.url;
    }
    const url = new URL(target);
    const proxy = await startRecordingProxy(url.origin);
    into.sent.bodies = proxy.forwarded;
    // A host's state-change URL is as untrusted as the target: through a bounded proxy of its own.
    const states =
      embedded || options.stateChangeUrl === undefined
        ? undefined
        : await stateChangeRelay(options.stateChangeUrl);
    try {
      const stateChangeUrl = embedded ? `${target}/_admin/provider-states` : states?.url;
      const run = {
        target: url,
        proxyUrl: proxy.url,
        stateChangeUrl,
        timeoutMs: options.timeoutMs ?? 120_000,
        ...(states !== undefined ? { stop: states.stop } : {}),
      };
      const { parsed, note } = await runVerifier(runnable, run);
      const how = { embedded, strict: options.strict === true, drift: into.drift };
      for (const [pi, v] of judge(runnable, parsed, proxy.exchanges, note, how)) into.results.set(pi, v);
      into.stateChangeTrip = states?.proxy.tripped();
    } finally {
      await proxy.close();
      await states?.close();
    }
  } finally {
    await embeddedProvider?.close();
  }
  return target;
}
