// Judging a replay: the pact-verifier's report (mismatches) and the answers the recording proxy kept
// (the doc's invariants, what the catalogue does not document) become one outcome per interaction.
import { printable } from '../util/printable.js';
import { matchExchanges, parseJson } from './exchange-match.js';
import { type Finding, invariantLine } from './findings.js';
import { checkInvariants, type SentState } from './invariants.js';
import { isInferredPart, type Mismatch, mismatchLine, type VerifierMismatch } from './mismatch.js';
import type { PactInteraction } from './pacts.js';
import type { Planned } from './prepare.js';
import type { Exchange } from './recording-proxy.js';
import type { UndocumentedCollector } from './undocumented.js';
import type { VerifiedInteraction } from './verify-result.js';

/** The pact-verifier's JSON report, the parts we read. */
export interface VerifierReport {
  interactionResults?: { description: string; result: unknown }[];
  errors?: {
    interaction: string;
    mismatch?: { mismatches?: VerifierMismatch[]; message?: string };
  }[];
}

/** A reason longer than this is cut (a mismatch can quote a whole answer). */
const MAX_REASON_CHARS = 2000;

/** The verifier's mismatches of one interaction, in our words. */
function mismatchesOf(parsed: VerifierReport | undefined, description: string): Mismatch[] {
  return (parsed?.errors ?? [])
    .filter((e) => e.interaction.endsWith(` - ${description}`))
    .flatMap(
      (e) =>
        e.mismatch?.mismatches?.map(mismatchLine) ?? [
          { part: 'other' as const, line: e.mismatch?.message ?? JSON.stringify(e.mismatch) },
        ],
    );
}

/** The invariants broken by the 200 answer the target gave a 200 interaction (none for any other). */
function findingsOf(p: Planned, exchange: Exchange | undefined): Finding[] {
  if (exchange === undefined || exchange.refused !== undefined) return [];
  if (exchange.status !== 200 || p.row?.status !== 200) return [];
  const req = (p.raw.request as { body?: { content?: unknown } }).body?.content;
  const states = (p.raw.providerStates as SentState[] | undefined) ?? p.pi.states;
  return checkInvariants(req, parseJson(exchange.responseBody), states);
}

/** Turns the verifier's report and the recorded answers into one outcome per replayed interaction. */
export function judge(
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
    // An answer the recording proxy did not pass on is no answer of the host's to collect.
    if (exchange !== undefined && exchange.refused === undefined)
      how.drift.observe(exchange.status, parseJson(exchange.responseBody), p.pi.description);
    const mismatches = mismatchesOf(parsed, p.pi.description);
    // The embedded provider is ours: everything it answers is pinned. A real host is judged on what
    // the doc states; the rest is a note unless --strict.
    const lenient = !how.embedded && !how.strict;
    const noteOnly = (m: Mismatch) => lenient && isInferredPart(base.case, m.part);
    const notes = mismatches.filter(noteOnly).map((m) => m.line);
    const lines = mismatches.filter((m) => !noteOnly(m)).map((m) => m.line);
    // What the recording proxy kept from the verifier (a redirect, a broken bound) is the first
    // reason, and a FAIL on any host: nothing the target meant to answer came through.
    if (exchange?.refused !== undefined) lines.unshift(exchange.refused);
    const findings = findingsOf(p, exchange);
    lines.push(...findings.map(invariantLine));
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
