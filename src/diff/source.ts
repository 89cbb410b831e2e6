// Reads one side of a diff: a spec file, or `git:REF[:PATH]` read with `git show REF:PATH`.
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { UsageError } from '../errors.js';
import { readInputText } from '../input/file.js';
import type { CatalogueEntry } from '../openapi/document.js';

/** The spec path inside a repository when `git:REF` names none. */
export const DEFAULT_SPEC_PATH = 'openapi/directEarn.yaml';

/** One side of the comparison, read and checked to be an OpenAPI 3 document. */
export interface SpecSide {
  /** What the user wrote (a path or git:REF:PATH): how the report names it. */
  label: string;
  text: string;
  doc: Record<string, unknown>;
  /** The side's `x-directearn-catalogue` (empty when it has none). */
  catalogue: CatalogueEntry[];
  hasCatalogue: boolean;
}

/** `git:REF[:PATH]` split into ref and path; undefined for a plain file argument. */
export function parseGitSide(arg: string): { ref: string; path: string } | undefined {
  if (!arg.startsWith('git:')) return undefined;
  const rest = arg.slice(4);
  const colon = rest.indexOf(':');
  const ref = colon < 0 ? rest : rest.slice(0, colon);
  const path = colon < 0 || rest.slice(colon + 1) === '' ? DEFAULT_SPEC_PATH : rest.slice(colon + 1);
  // git would read a leading dash as one of its options (--output= writes a file).
  if (ref.startsWith('-')) throw new UsageError(`${arg}: a git ref cannot start with "-"`);
  if (ref === '')
    throw new UsageError(`${arg}: name a git ref, e.g. git:origin/main or git:HEAD~1:${DEFAULT_SPEC_PATH}`);
  return { ref, path };
}

function gitShow(ref: string, path: string, cwd: string, label: string): Promise<string> {
  return new Promise((done, fail) => {
    execFile(
      'git',
      ['show', `${ref}:${path}`],
      { cwd, maxBuffer: 64 * 1024 * 1024, timeout: 30_000 },
      (error, stdout, stderr) => {
        if (error === null) return done(String(stdout));
        const missingGit = (error as NodeJS.ErrnoException).code === 'ENOENT';
        const why = missingGit
          ? 'git is not installed'
          : (
              String(stderr)
                .split('\n')
                .find((l) => l.trim() !== '') ?? error.message
            ).replace(/^fatal: /, '');
        fail(new UsageError(`${label}: cannot read ${path} at ${ref} (${why})`));
      },
    );
  });
}

/** Reads and checks one side; a missing file, bad ref or non-OpenAPI text is a UsageError naming it. */
export async function readSide(arg: string, cwd: string): Promise<SpecSide> {
  if (arg.trim() === '') throw new UsageError('a spec argument is empty');
  const git = parseGitSide(arg);
  let text: string;
  if (git !== undefined) {
    text = await gitShow(git.ref, git.path, cwd, arg);
  } else {
    try {
      text = readInputText(resolve(cwd, arg));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new UsageError(`${arg}: cannot read the spec (${code === 'ENOENT' ? 'no such file' : code})`);
    }
  }
  return parseSide(arg, text);
}

/** Parses a side's text (YAML or JSON) and checks it is an OpenAPI 3 document with paths. */
export function parseSide(label: string, text: string): SpecSide {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    const first = (e as Error).message.split('\n')[0];
    throw new UsageError(`${label}: not a YAML or JSON spec (${first})`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new UsageError(`${label}: not an OpenAPI document (no mapping at the top)`);
  }
  const record = doc as Record<string, unknown>;
  if (!/^3\./.test(String(record.openapi ?? ''))) {
    throw new UsageError(
      `${label}: not an OpenAPI 3 document (openapi: ${String(record.openapi ?? 'missing')})`,
    );
  }
  if (record.paths === null || typeof record.paths !== 'object') {
    throw new UsageError(`${label}: the spec has no paths`);
  }
  const raw = record['x-directearn-catalogue'];
  const hasCatalogue = Array.isArray(raw);
  if (raw !== undefined && !hasCatalogue) {
    throw new UsageError(`${label}: x-directearn-catalogue is not a list`);
  }
  const catalogue = (hasCatalogue ? raw : []) as CatalogueEntry[];
  for (const [i, entry] of catalogue.entries()) {
    if (entry === null || typeof entry !== 'object' || typeof entry.case !== 'string') {
      throw new UsageError(`${label}: x-directearn-catalogue[${i}] has no case name`);
    }
  }
  return { label, text, doc: record, catalogue, hasCatalogue };
}
