// Provider verification: replays the pacts with the Rust pact-verifier against the embedded
// reference provider or a --target, through a recording proxy so the doc's invariants are checked
// on every answer, and says per interaction passed / failed / skipped / not verified.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { devNull, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACT_PROVIDER } from '../config/defaults.js';
import { printable } from '../util/printable.js';
import { matchExchanges, parseJson } from './exchange-match.js';
import { type Finding, invariantLine } from './findings.js';
import { checkInvariants, type SentState } from './invariants.js';
import { isInferredPart, type Mismatch, mismatchLine, type VerifierMismatch } from './mismatch.js';
import { PACT_DIR, type PactInteraction, pactFiles, pactInteractions, readPact } from './pacts.js';
import { PoolDraw, type PoolStatus, unsentCustomers } from './pool.js';
import { preflight } from './preflight.js';
import { type Credentials, mapIds, type Planned, plan } from './prepare.js';
import { pactVerifierCommand, runTool } from './process.js';
import { type Exchange, startRecordingProxy } from './recording-proxy.js';
import type { PoolCustomer, StatesFile, StatesMap } from './states-file.js';
import { UndocumentedCollector, type UndocumentedFinding } from './undocumented.js';
import { verdict } from './verdict.js';

export type { Credentials } from './prepare.js';

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
 * passed: replayed and matched, invariants held. failed: a mismatch or a broken invariant. skipped:
 * not sent by choice or by a limit of the run (credential not given, inferred limit no states file
 * can set). not-verified: should have run but could not (state unmapped, pool used up, not replayed).
 */
export type VerificationStatus = 'passed' | 'failed' | 'skipped' | 'not-verified';

/** One interaction's outcome. */
export interface VerifiedInteraction {
  description: string;
  case: string;
  status: VerificationStatus;
  message?: string;
  /** The doc's invariants the answer broke, as data (each is also a line of `message`). */
  findings?: Finding[];
  /**
   * On a real target, how the host's answer differs from the pact in parts that pin inferred
   * behaviour (src/contracts/mismatch.ts): reported, not failed, unless --strict.
   */
  notes?: string[];
  /** The broker pact it comes from (broker-driven runs only). */
  pact?: string;
  /** From a pending pact: a failure is reported and does not fail the run. */
  pending?: true;
}

/** The outcome of a verification run; `ok` is the verdict the exit code follows. */
export interface VerifyResult {
  ok: boolean;
  /** Why `ok` is false, one line each. */
  reasons: string[];
  target: string;
  embedded: boolean;
  interactions: VerifiedInteraction[];
  counts: {
    total: number;
    passed: number;
    failed: number;
    skipped: number;
    notVerified: number;
    /** Interactions with notes: inferred parts the host answers otherwise (never failed without --strict). */
    noted: number;
  };
  /** The ID pool of the states file, when it has one. */
  pool?: PoolStatus;
  /**
   * What the host answered that the catalogue does not document (codes, other messages, fields,
   * statuses): information for the docs, never a failure by itself.
   */
  undocumented: UndocumentedFinding[];
}

/**
 * The ID pool's line for a report (verify and check print the same): how many customers are used,
 * and how many runs are left, or that this run drew none (no earning interaction was sent, e.g.
 * without credentials), never a count of infinite runs.
 */
export function poolLine(pool: PoolStatus): string {
  if (pool.usedUp)
    return `ID pool USED UP: ${pool.used} of ${pool.size} customers used, this run needs ${pool.perRun}; add fresh customers under pool.customers of the states file (or delete ${pool.record ?? 'the pool record'} if the host was reset)`;
  if (pool.perRun === 0)
    return `ID pool: ${pool.used} of ${pool.size} customers used; this run drew none (no interaction that earns was sent)`;
  return `ID pool: ${pool.used} of ${pool.size} customers used (${pool.perRun} per run): ${pool.runsLeft} more run(s) left`;
}

interface VerifierReport {
  interactionResults?: { description: string; result: unknown }[];
  errors?: {
    interaction: string;
    mismatch?: { mismatches?: VerifierMismatch[]; message?: string };
  }[];
}

/**
 * Reserves pool customers for the earning interactions (recorded before anything is sent); marks
 * them not verified when the pool is short. Returns the customers reserved.
 */
async function drawPool(
  runnable: Planned[],
  pool: PoolDraw,
  states: StatesMap,
): Promise<{ perRun: number; usedUp: boolean; reserved: PoolCustomer[] }> {
  const perRun = runnable.reduce((n, p) => n + p.earners.length, 0);
  const reserved = await pool.reserve(perRun);
  if (reserved === undefined) {
    for (const p of runnable) {
      if (p.earners.length > 0)
        p.withheld = {
          status: 'not-verified',
          message: `the ID pool of the states file is used up: this run needs ${perRun} fresh customer(s); add customers under pool.customers`,
        };
      else p.withheld = mapIds(p, states, new Map());
    }
    return { perRun, usedUp: true, reserved: [] };
  }
  const next = [...reserved];
  for (const p of runnable) {
    const draws = new Map(p.earners.map((id) => [id, next.shift() as PoolCustomer]));
    const why = mapIds(p, states, draws);
    if (why !== undefined) p.withheld = why;
  }
  return { perRun, usedUp: false, reserved };
}

/** A reason longer than this is cut (a mismatch can quote a whole answer). */
const MAX_REASON_CHARS = 2000;

/** Turns the verifier's report and the recorded answers into one outcome per replayed interaction. */
function judge(
  runnable: Planned[],
  parsed: VerifierReport | undefined,
  exchanges: Exchange[],
  exitNote: string,
  how: { embedded: boolean; strict: boolean; drift: UndocumentedCollector },
): Map<PactInteraction, VerifiedInteraction> {
  const out = new Map<PactInteraction, VerifiedInteraction>();
  const replayed = (p: Planned) =>
    parsed?.interactionResults?.find((x) => x.description === p.pi.description);
  const matched = matchExchanges(
    runnable.filter((p) => replayed(p) !== undefined),
    (p) => p.raw,
    exchanges,
  );
  for (const p of runnable) {
    const base = { description: p.pi.description, case: p.pi.case ?? '?' };
    const entry = replayed(p);
    if (entry === undefined) {
      const why =
        parsed === undefined
          ? `pact-verifier produced no report: ${printable(exitNote, MAX_REASON_CHARS)}`
          : 'pact-verifier did not replay it';
      out.set(p.pi, { ...base, status: 'not-verified', message: why });
      continue;
    }
    const exchange = matched.get(p);
    if (exchange !== undefined) {
      // An answer the recording proxy did not pass on is no answer of the host's to collect.
      if (exchange.refused === undefined)
        how.drift.observe(exchange.status, parseJson(exchange.responseBody), p.pi.description);
    }
    const mismatches: Mismatch[] = (parsed?.errors ?? [])
      .filter((e) => e.interaction.endsWith(` - ${p.pi.description}`))
      .flatMap(
        (e) =>
          e.mismatch?.mismatches?.map(mismatchLine) ?? [
            { part: 'other' as const, line: e.mismatch?.message ?? JSON.stringify(e.mismatch) },
          ],
      );
    // The embedded provider is ours: everything it answers is pinned. A real host is judged on what
    // the doc states; the rest is a note unless --strict.
    const lenient = !how.embedded && !how.strict;
    const notes = lenient
      ? mismatches.filter((m) => isInferredPart(base.case, m.part)).map((m) => m.line)
      : [];
    const lines = mismatches
      .filter((m) => !(lenient && isInferredPart(base.case, m.part)))
      .map((m) => m.line);
    // What the recording proxy kept from the verifier (a redirect, a broken bound) is the first
    // reason, and a FAIL on any host: nothing the target meant to answer came through.
    if (exchange?.refused !== undefined) lines.unshift(exchange.refused);
    const findings: Finding[] = [];
    if (
      exchange !== undefined &&
      exchange.refused === undefined &&
      exchange.status === 200 &&
      p.row?.status === 200
    ) {
      const req = (p.raw.request as { body?: { content?: unknown } }).body?.content;
      const states = (p.raw.providerStates as SentState[] | undefined) ?? p.pi.states;
      findings.push(...checkInvariants(req, parseJson(exchange.responseBody), states));
      lines.push(...findings.map(invariantLine));
    }
    // Each reason and note is one line of the report: the target's text in it (a mismatch quotes
    // its body) goes through printable, so a newline cannot forge a line such as "Verdict: PASSED".
    for (const list of [lines, notes])
      for (const [n, line] of list.entries()) list[n] = printable(line, MAX_REASON_CHARS);
    const noted = { ...(notes.length > 0 ? { notes } : {}), ...(findings.length > 0 ? { findings } : {}) };
    const onlyNotes = entry.result !== 'OK' && lines.length === 0 && notes.length > 0;
    if ((entry.result === 'OK' || onlyNotes) && lines.length === 0)
      out.set(p.pi, { ...base, status: 'passed', ...noted });
    else
      out.set(p.pi, {
        ...base,
        status: 'failed',
        message: lines.join('\n') || printable(JSON.stringify(entry.result), MAX_REASON_CHARS),
        ...noted,
      });
  }
  return out;
}

/** Writes one pact file per source file holding only the interactions to replay; returns the -f args. */
async function writeRunnablePacts(runnable: Planned[], dir: string): Promise<string[]> {
  const args: string[] = [];
  for (const file of new Set(runnable.map((p) => p.pi.file))) {
    const pact = readPact(file).json;
    const out = join(dir, `${args.length}-${file.split('/').pop()}`);
    const mine = runnable.filter((p) => p.pi.file === file).map((p) => p.raw);
    await writeFile(out, JSON.stringify({ ...pact, interactions: mine }));
    args.push('-f', out);
  }
  return args;
}

/**
 * The verifier's environment. It sends every request to the recording proxy on loopback over plain
 * HTTP, so only an https state-change URL needs TLS; otherwise its trust store is an empty file: the
 * Rust verifier parses the system CA bundle for each request it makes (measured here: 0.5 s of the
 * 0.6 s of CPU a 22-interaction run takes) and no request of such a run uses it.
 */
function verifierEnv(stateChangeUrl: string | undefined): NodeJS.ProcessEnv {
  if (stateChangeUrl !== undefined && new URL(stateChangeUrl).protocol !== 'http:') return process.env;
  return { ...process.env, SSL_CERT_FILE: devNull };
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
  let embeddedProvider: { url: string; close(): Promise<void> } | undefined;
  let target = options.providerBaseUrl ?? '';
  const dir = await mkdtemp(join(tmpdir(), 'directearn-verify-'));
  try {
    if (runnable.length > 0) {
      if (embedded) {
        const { startProvider } = await import('../provider/server.js');
        embeddedProvider = await startProvider({ admin: true, host: '127.0.0.1', port: 0 });
        target = embeddedProvider.url;
      }
      const url = new URL(target);
      const proxy = await startRecordingProxy(url.origin);
      sent.bodies = proxy.forwarded;
      try {
        const args = await writeRunnablePacts(runnable, dir);
        const report = join(dir, 'report.json');
        args.push('-h', '127.0.0.1', '-p', new URL(proxy.url).port, '--transport', 'http');
        if (url.pathname !== '/' && url.pathname !== '')
          args.push('--base-path', url.pathname.replace(/\/+$/, ''));
        args.push('-n', PACT_PROVIDER, '--json', report, '--no-colour');
        const stateChangeUrl = embedded ? `${target}/_admin/provider-states` : options.stateChangeUrl;
        if (stateChangeUrl !== undefined)
          args.push('--state-change-url', stateChangeUrl, '--state-change-teardown');
        const [verifier, ...lead] = pactVerifierCommand();
        const r = await runTool(
          verifier,
          [...lead, ...args],
          options.timeoutMs ?? 120_000,
          verifierEnv(stateChangeUrl),
        );
        let parsed: VerifierReport | undefined;
        try {
          parsed = JSON.parse(await readFile(report, 'utf8')) as VerifierReport;
        } catch {
          parsed = undefined;
        }
        const note = `exit ${r.code}: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' ')}`;
        for (const [pi, v] of judge(runnable, parsed, proxy.exchanges, note, {
          embedded,
          strict: options.strict === true,
          drift,
        }))
          results.set(pi, v);
      } finally {
        await proxy.close();
      }
    }
  } finally {
    await embeddedProvider?.close();
    await rm(dir, { recursive: true, force: true });
  }
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
  const v = { ok: judged.ok && regressions.length === 0, reasons: [...regressions, ...judged.reasons] };
  return {
    ...v,
    target: embedded ? `embedded reference provider (${target || 'not started'})` : target,
    embedded,
    interactions,
    counts,
    undocumented: drift.findings(),
  };
}
