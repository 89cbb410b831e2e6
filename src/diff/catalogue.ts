// The catalogue changes oasdiff cannot see: codes, messages, kinds and precedence live in
// `x-directearn-catalogue`, an extension no structural diff reads.
import type { CatalogueEntry } from '../openapi/document.js';
import type { Finding, Severity } from './diff-report.js';

const finding = (severity: Severity, subject: string, change: string, text: string): Finding => ({
  severity,
  source: 'catalogue',
  subject,
  change: `catalogue-${change}`,
  text,
});

const show = (v: unknown) => (v === null || v === undefined ? 'none' : JSON.stringify(v));
const label = (e: CatalogueEntry) => (e.kind === 'http' ? `HTTP ${e.code}` : `${e.kind} ${e.code ?? e.case}`);

/**
 * Pairs BASE and NEW entries: by case name first, then an unmatched pair of the same kind and
 * message is one code renumbered (its case name usually is the code, so it changes too).
 */
function pair(base: readonly CatalogueEntry[], next: readonly CatalogueEntry[]) {
  const pairs: [CatalogueEntry, CatalogueEntry][] = [];
  const left = [...base];
  const right = [...next];
  for (const b of base) {
    const i = right.findIndex((n) => n.case === b.case);
    if (i < 0) continue;
    pairs.push([b, right[i] as CatalogueEntry]);
    right.splice(i, 1);
    left.splice(left.indexOf(b), 1);
  }
  for (const b of [...left]) {
    const i = right.findIndex((n) => n.kind === b.kind && n.message === b.message && n.code !== b.code);
    if (i < 0) continue;
    pairs.push([b, right[i] as CatalogueEntry]);
    right.splice(i, 1);
    left.splice(left.indexOf(b), 1);
  }
  return { pairs, removed: left, added: right };
}

/** Where an entry of each kind is answered. */
const WHERE: Record<string, string> = {
  error: 'errors[]',
  warning: 'warnings[]',
  earned: 'result',
  http: 'an HTTP status',
};

/** What a consumer gets back that changed: the code, the kind (or failure count), message and scope. */
function answerChanges(b: CatalogueEntry, n: CatalogueEntry, subject: string): Finding[] {
  const out: Finding[] = [];
  if (b.code !== n.code) {
    out.push(
      finding(
        'breaking',
        subject,
        'code-renumbered',
        `${label(b)} is now answered as code ${show(n.code)}: a consumer that handles ${show(b.code)} no longer recognises it`,
      ),
    );
  }
  if (b.kind !== n.kind) {
    out.push(
      finding(
        'breaking',
        subject,
        'kind-changed',
        `${b.case} changed kind from ${b.kind} to ${n.kind}: answered in ${WHERE[n.kind]}, was ${WHERE[b.kind]}${b.failure !== n.failure ? `, and ${n.failure ? 'now counts' : 'no longer counts'} in failureCount` : ''}`,
      ),
    );
  } else if (b.failure !== n.failure) {
    out.push(
      finding(
        'breaking',
        subject,
        'failure-changed',
        `${b.case} ${n.failure ? 'now counts' : 'no longer counts'} as a failure in failureCount`,
      ),
    );
  }
  if (b.message !== n.message) {
    out.push(
      finding(
        'breaking',
        subject,
        'message-changed',
        `message of ${label(n)} changed from ${show(b.message)} to ${show(n.message)}: consumers matching the text break`,
      ),
    );
  }
  if ((b.scope ?? 'customer') !== (n.scope ?? 'customer')) {
    out.push(
      finding(
        'warning',
        subject,
        'scope-changed',
        `${n.case} is now decided per ${n.scope === 'request' ? 'request (answers every customer)' : 'customer'}, was per ${b.scope}`,
      ),
    );
  }
  return out;
}

/** What the doc says of the case that changed: inferred or documented, description, trigger, examples. */
function docChanges(b: CatalogueEntry, n: CatalogueEntry, subject: string): Finding[] {
  const out: Finding[] = [];
  const wasInferred = b.inferred === true;
  const isInferred = n.inferred === true;
  if (wasInferred && !isInferred) {
    out.push(
      finding(
        'info',
        subject,
        'now-documented',
        `${n.case} was inferred and is now documented: trust it on a real host`,
      ),
    );
  } else if (!wasInferred && isInferred) {
    out.push(
      finding(
        'warning',
        subject,
        'now-inferred',
        `${n.case} was documented and is now inferred: doubt it on a real host`,
      ),
    );
  }
  for (const field of ['description', 'trigger'] as const) {
    if (b[field] !== n[field]) {
      out.push(
        finding(
          'info',
          subject,
          `${field}-changed`,
          `${field} of ${n.case} changed from ${show(b[field])} to ${show(n[field])}`,
        ),
      );
    }
  }
  const be = [...(b.examples ?? [])].sort().join(',');
  const ne = [...(n.examples ?? [])].sort().join(',');
  if (be !== ne) {
    out.push(
      finding('info', subject, 'examples-changed', `examples of ${n.case} changed from [${be}] to [${ne}]`),
    );
  }
  return out;
}

/** What changed in one case that both sides have. */
function entryChanges(b: CatalogueEntry, n: CatalogueEntry): Finding[] {
  const subject = n.case === b.case ? n.case : `${b.case} → ${n.case}`;
  return [...answerChanges(b, n, subject), ...docChanges(b, n, subject)];
}

/**
 * Precedence: for every two per-customer cases whose order flipped, one finding. Only requests
 * that meet both conditions answer differently, so it is a warning, not a break.
 */
function precedenceChanges(pairs: readonly [CatalogueEntry, CatalogueEntry][]): Finding[] {
  const ranked = pairs.filter(([b, n]) => b.precedence !== undefined && n.precedence !== undefined);
  const out: Finding[] = [];
  for (let i = 0; i < ranked.length; i++) {
    for (let j = i + 1; j < ranked.length; j++) {
      const [b1, n1] = ranked[i] as [CatalogueEntry, CatalogueEntry];
      const [b2, n2] = ranked[j] as [CatalogueEntry, CatalogueEntry];
      const before = Math.sign((b1.precedence as number) - (b2.precedence as number));
      const after = Math.sign((n1.precedence as number) - (n2.precedence as number));
      if (before === after) continue;
      const [first, second] = after < 0 ? [n1, n2] : [n2, n1];
      out.push(
        finding(
          'warning',
          `${first.case} / ${second.case}`,
          'precedence-changed',
          `precedence swapped: ${first.case} is now checked before ${second.case} (${first.precedence} < ${second.precedence}); a customer meeting both now gets ${first.case}`,
        ),
      );
    }
  }
  return out;
}

/** Every catalogue change between BASE and NEW, graded for a consumer. */
export function diffCatalogue(
  base: readonly CatalogueEntry[],
  next: readonly CatalogueEntry[],
  sides: { baseHas: boolean; newHas: boolean } = { baseHas: true, newHas: true },
): Finding[] {
  if (sides.baseHas && !sides.newHas) {
    return [
      finding(
        'breaking',
        'x-directearn-catalogue',
        'removed',
        'NEW has no x-directearn-catalogue: no code, message or precedence can be compared',
      ),
    ];
  }
  const { pairs, removed, added } = pair(base, next);
  const out: Finding[] = [];
  for (const r of removed) {
    out.push(finding('breaking', r.case, 'code-removed', `${label(r)} (${show(r.message)}) was removed`));
  }
  for (const a of added) {
    // A new code reaches consumers that do not know it; a new error also counts in failureCount.
    out.push(finding('warning', a.case, 'code-added', `${label(a)} was added: ${show(a.message)}`));
  }
  for (const [b, n] of pairs) out.push(...entryChanges(b, n));
  out.push(...precedenceChanges(pairs));
  return out;
}
