// Where the pact files live and how to read their interactions (for counts, checks and reports).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../util/package-root.js';
import { interactions } from './interactions.js';

/** contracts/pacts of the package: the consumer tests write here and the pacts are committed. */
export const PACT_DIR: string = join(packageRoot, 'contracts', 'pacts');

export interface PactInteraction {
  /** The pact file it comes from. */
  file: string;
  description: string;
  /** The catalogue case, from the interactions table (undefined when the table has no such description). */
  case: string | undefined;
  states: { name: string; params?: Record<string, unknown> }[];
  status: number | undefined;
  /** The raw interaction, for rewriting (verify --target). */
  raw: Record<string, unknown>;
}

export interface PactFile {
  path: string;
  consumer: string;
  provider: string;
  json: { interactions: Record<string, unknown>[] } & Record<string, unknown>;
}

/** The *.json pact files of a folder (default contracts/pacts), sorted. */
export function pactFiles(dir: string = PACT_DIR): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.endsWith('.json'))
    .sort()
    .map((n) => join(dir, n));
}

/** Reads a pact file, naming it when it is not a pact. */
export function readPact(path: string): PactFile {
  let json: PactFile['json'];
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`${path}: not a readable JSON pact (${(e as Error).message})`);
  }
  if (json === null || typeof json !== 'object' || !Array.isArray(json.interactions)) {
    throw new Error(`${path}: not a pact file (no interactions array)`);
  }
  const name = (k: string) => String((json[k] as { name?: unknown } | undefined)?.name ?? '?');
  return { path, consumer: name('consumer'), provider: name('provider'), json };
}

/** Every interaction of the pact files of `dir` (or of `files`), with the case the interactions table gives it. */
export function pactInteractions(
  dir: string = PACT_DIR,
  files: string[] = pactFiles(dir),
): PactInteraction[] {
  const caseOf = new Map(interactions().map((i) => [i.description, i.case]));
  return files.flatMap((file) =>
    readPact(file).json.interactions.map((raw) => ({
      file,
      description: String(raw.description),
      case: caseOf.get(String(raw.description)),
      states: (raw.providerStates as PactInteraction['states'] | undefined) ?? [],
      status: (raw.response as { status?: number } | undefined)?.status,
      raw,
    })),
  );
}
