// Loads openapi/directEarn.yaml once: the one document every other module reads from.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OpenAPIV3_1 } from 'openapi-types';
import { parse } from 'yaml';
import { packageRoot } from '../util/package-root.js';

/** Absolute path of the spec file. */
export const specPath: string = join(packageRoot, 'openapi', 'directEarn.yaml');

/**
 * The parse of the spec that `npm run build` keeps beside the code (scripts/spec-cache.mjs), with the
 * SHA-256 of the text it was made from.
 */
export const specCachePath: string = join(packageRoot, 'dist', 'openapi', 'spec-cache.json');

/** The endpoint's path, read from the spec so no other module writes it. */
export const ENDPOINT_PATH = '/v2/promotion/bulk/directEarn';

export type CatalogueKind = 'earned' | 'error' | 'warning' | 'http';

/** One case of `x-directearn-catalogue`: a code, its exact message, and what triggers it. */
export interface CatalogueEntry {
  /** Stable name of the case: "earned", "8892", ..., "http-400". */
  case: string;
  kind: CatalogueKind;
  /** The per-entity code (errors, warnings) or the HTTP status (http); null for earned. */
  code: number | null;
  /** The exact message the endpoint sends; null for earned. */
  message: string | null;
  /** The description from the doc's code tables (or ours, for inferred cases). */
  description: string;
  trigger: string;
  /** Whether an entry of this case counts in failureCount (http: the request failed). */
  failure: boolean;
  scope: 'request' | 'customer';
  /** Order in which per-customer cases are checked; the first that applies wins. */
  precedence?: number;
  inferred?: boolean;
  /** Names of the spec's `components.examples` that show this case. */
  examples: string[];
}

export type SpecDocument = OpenAPIV3_1.Document & { 'x-directearn-catalogue': CatalogueEntry[] };

let cached: SpecDocument | undefined;

/** The parsed spec (read from disk on first use, then shared). */
export function loadSpec(): SpecDocument {
  if (cached === undefined) {
    const text = readFileSync(specPath, 'utf8');
    cached = checkSpec(builtParse(text) ?? parse(text));
  }
  return cached;
}

/**
 * The build's parse of exactly this text, else undefined (not built, or the spec changed since):
 * parsing the YAML was about 0.2 s of CPU, the largest part of every command's start-up.
 */
export function builtParse(text: string, cachePath: string = specCachePath): unknown {
  try {
    const built = JSON.parse(readFileSync(cachePath, 'utf8')) as { sha256?: unknown; doc?: unknown };
    return built.sha256 === createHash('sha256').update(text).digest('hex') ? built.doc : undefined;
  } catch {
    return undefined;
  }
}

/** Parses a spec text; exported so tests can check variants without touching the file. */
export function parseSpec(text: string): SpecDocument {
  return checkSpec(parse(text));
}

function checkSpec(parsed: unknown): SpecDocument {
  const doc = parsed as SpecDocument;
  if (doc === null || typeof doc !== 'object' || !String(doc.openapi).startsWith('3.1')) {
    throw new Error(`${specPath}: not an OpenAPI 3.1 document`);
  }
  if (doc.paths?.[ENDPOINT_PATH]?.post === undefined) {
    throw new Error(`${specPath}: no POST ${ENDPOINT_PATH} operation`);
  }
  if (!Array.isArray(doc['x-directearn-catalogue'])) {
    throw new Error(`${specPath}: x-directearn-catalogue is missing`);
  }
  return doc;
}
