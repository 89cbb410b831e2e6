// The code catalogue (`x-directearn-catalogue` of the spec): the only source of codes and messages.
import { type CatalogueEntry, loadSpec } from './document.js';

export type { CatalogueEntry, CatalogueKind } from './document.js';

/** Every case of the catalogue, in the spec's order. */
export function catalogue(): readonly CatalogueEntry[] {
  return loadSpec()['x-directearn-catalogue'];
}

/** The per-customer cases (earned, errors, warning) sorted by precedence: the first that applies wins. */
export function entityCasesByPrecedence(): CatalogueEntry[] {
  return catalogue()
    .filter((c) => c.kind !== 'http')
    .sort((a, b) => (a.precedence ?? 0) - (b.precedence ?? 0));
}

/** The catalogue entry of a per-entity error/warning code or an HTTP status. */
export function entryForCode(code: number, kind?: 'error' | 'warning' | 'http'): CatalogueEntry {
  const found = catalogue().find((c) => c.code === code && (kind === undefined || c.kind === kind));
  if (found === undefined) throw new Error(`code ${code} is not in the spec's x-directearn-catalogue`);
  return found;
}

/** The exact message of a code, as the endpoint sends it. */
export function messageFor(code: number, kind?: 'error' | 'warning' | 'http'): string {
  const { message } = entryForCode(code, kind);
  if (message === null) throw new Error(`code ${code} has no message in the catalogue`);
  return message;
}

/** The documented per-entity codes (errors and warnings, not HTTP statuses). */
export function entityCodes(): number[] {
  return catalogue()
    .filter((c) => c.kind === 'error' || c.kind === 'warning')
    .map((c) => c.code as number);
}
