// Drift back into the docs: what a host answered that the spec and its catalogue do not document
// (a code, a code's other message, a field, an HTTP status), collected from the answers `verify` and
// `proxy` saw, so the docs writer learns what hosts really say. A finding is information, never a
// failure: the mismatch, if any, is judged elsewhere.
import { catalogue, loadSpec } from '../openapi/index.js';

/** What kind of thing the doc does not have. */
export type UndocumentedKind = 'code' | 'message' | 'field' | 'status';

/** One thing a host answered that the catalogue does not document, with where it was seen. */
export interface UndocumentedFinding {
  kind: UndocumentedKind;
  /** The per-entity code or HTTP status (code, message, status). */
  code?: number;
  /** The message as the host sent it (code, message). */
  message?: string;
  /** The field's JSON path, arrays as [] (field). */
  field?: string;
  /** How many answers carried it. */
  count: number;
  /** The interactions (or requests) whose answers carried it, up to a few. */
  seenIn: string[];
}

/** What a `--record FILE` keeps, and `docs --seen FILE` reads. */
export interface UndocumentedRecord {
  /** Which tool wrote it (verify, proxy). */
  by: string;
  target: string;
  at: string;
  undocumented: UndocumentedFinding[];
}

const SEEN_IN_MAX = 5;

type Schema = { properties?: Record<string, unknown>; $ref?: string };

/** The property names of a component schema of the spec. */
function propertiesOf(name: string): Set<string> {
  const schemas = (loadSpec().components?.schemas ?? {}) as Record<string, Schema>;
  return new Set(Object.keys(schemas[name]?.properties ?? {}));
}

/** The documented facts findings are judged against, read once per collector. */
function documented() {
  const entries = catalogue();
  return {
    messages: new Map(
      entries
        .filter((c) => (c.kind === 'error' || c.kind === 'warning') && c.code !== null)
        .map((c) => [c.code as number, c.message ?? '']),
    ),
    statuses: new Set([200, ...entries.filter((c) => c.kind === 'http').map((c) => c.code as number)]),
    top: propertiesOf('DirectEarnResponse'),
    entry: propertiesOf('EntityResponse'),
    result: propertiesOf('EarnResult'),
    message: propertiesOf('Message'),
    httpError: propertiesOf('HttpError'),
  };
}

/** Collects findings across many answers, counting each once per answer. */
export class UndocumentedCollector {
  private readonly facts = documented();
  private readonly found = new Map<string, UndocumentedFinding>();

  private add(
    key: string,
    f: Omit<UndocumentedFinding, 'count' | 'seenIn'>,
    where: string,
    seen: Set<string>,
  ) {
    if (seen.has(key)) return;
    seen.add(key);
    const had = this.found.get(key) ?? { ...f, count: 0, seenIn: [] };
    had.count += 1;
    if (!had.seenIn.includes(where) && had.seenIn.length < SEEN_IN_MAX) had.seenIn.push(where);
    this.found.set(key, had);
  }

  /** Looks at one answer of the endpoint: its status and, for a 200, its bulk body. */
  observe(status: number, body: unknown, where: string): void {
    const seen = new Set<string>();
    if (status !== 0 && !this.facts.statuses.has(status))
      this.add(`status ${status}`, { kind: 'status', code: status }, where, seen);
    if (body === null || typeof body !== 'object' || Array.isArray(body)) return;
    const fields = (obj: unknown, known: Set<string>, path: string) => {
      if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return;
      for (const k of Object.keys(obj))
        if (!known.has(k))
          this.add(`field ${path}.${k}`, { kind: 'field', field: `${path}.${k}` }, where, seen);
    };
    if (status !== 200) {
      // The doc gives no HTTP error body: what a host sends instead of the inferred one is worth knowing.
      fields(body, this.facts.httpError, `HTTP ${status} $`);
      return;
    }
    fields(body, this.facts.top, '$');
    const entries = (body as { response?: unknown }).response;
    if (!Array.isArray(entries)) return;
    for (const e of entries) {
      fields(e, this.facts.entry, '$.response[]');
      if (e === null || typeof e !== 'object') continue;
      const entry = e as { result?: unknown; errors?: unknown; warnings?: unknown };
      fields(entry.result, this.facts.result, '$.response[].result');
      for (const list of ['errors', 'warnings'] as const) {
        const items = entry[list];
        if (!Array.isArray(items)) continue;
        for (const m of items) {
          fields(m, this.facts.message, `$.response[].${list}[]`);
          const code = Number((m as { code?: unknown })?.code);
          const message = String((m as { message?: unknown })?.message ?? '');
          if (!Number.isInteger(code)) continue;
          const documentedMessage = this.facts.messages.get(code);
          if (documentedMessage === undefined)
            this.add(`code ${code} ${message}`, { kind: 'code', code, message }, where, seen);
          else if (documentedMessage !== message)
            this.add(`message ${code} ${message}`, { kind: 'message', code, message }, where, seen);
        }
      }
    }
  }

  /** The findings, codes first, then messages, fields and statuses. */
  findings(): UndocumentedFinding[] {
    const order: UndocumentedKind[] = ['code', 'message', 'field', 'status'];
    return [...this.found.values()].sort(
      (a, b) => order.indexOf(a.kind) - order.indexOf(b.kind) || (a.code ?? 0) - (b.code ?? 0),
    );
  }
}

/** One finding as a report line (the host's text made printable by the caller). */
export function findingLine(f: UndocumentedFinding): string {
  const what =
    f.kind === 'code'
      ? `code ${f.code} ${JSON.stringify(f.message)}`
      : f.kind === 'message'
        ? `code ${f.code} with another message: ${JSON.stringify(f.message)}`
        : f.kind === 'field'
          ? `field ${f.field}`
          : `HTTP status ${f.code}`;
  return `${what} (in ${f.count} answer(s): ${f.seenIn.join('; ')})`;
}
