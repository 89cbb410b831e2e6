// `directearn diff BASE NEW` as a library: reads both sides, asks oasdiff, the catalogue and the
// pacts, and returns one report graded for a consumer.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pactInteractions } from '../contracts/pacts.js';
import { UsageError } from '../errors.js';
import { diffCatalogue } from './catalogue.js';
import { type ConsumerUses, consumerUses, gradeForConsumer } from './consumer.js';
import { countFindings, type DiffReport, type Finding, sortFindings } from './diff-report.js';
import { findOrBuildOasdiff, OASDIFF, runOasdiff } from './oasdiff.js';
import { checkPacts, pinnedInteractions } from './pacts.js';
import { readSide, type SpecSide } from './source.js';
import { changelogFindings, treeFindings } from './structure.js';

export interface DiffOptions {
  /** A spec file or `git:REF[:PATH]`. */
  base: string;
  new: string;
  /** Where relative paths and git refs are read from. */
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** The pacts to check against NEW (default contracts/pacts). */
  pactDir?: string;
  /** An oasdiff binary to use as is (tests); otherwise found or built. */
  oasdiffPath?: string;
  /** Progress lines (an oasdiff build). */
  onProgress?: (line: string) => void;
}

/** The structural findings of two already-read sides (oasdiff on temporary copies). */
export async function structuralFindings(
  oasdiff: string,
  base: SpecSide,
  next: SpecSide,
  dir: string,
  uses?: ConsumerUses,
): Promise<Finding[]> {
  const basePath = join(dir, 'base.yaml');
  const newPath = join(dir, 'new.yaml');
  await Promise.all([writeFile(basePath, base.text), writeFile(newPath, next.text)]);
  try {
    const { changes, tree } = await runOasdiff(oasdiff, basePath, newPath);
    const graded = changelogFindings(changes);
    return [
      ...(uses === undefined ? graded : gradeForConsumer(changes, graded, uses)),
      ...treeFindings(tree),
    ];
  } catch (e) {
    // oasdiff names the temporary file; the user knows the side by what they typed.
    const msg = (e as Error).message
      .replace(/^Error: /, '')
      .split(basePath)
      .join(base.label)
      .split(newPath)
      .join(next.label);
    throw new UsageError(`oasdiff cannot compare the specs: ${msg}`);
  }
}

/** Runs the three comparisons and returns the report (findings sorted worst first). */
export async function runDiff(options: DiffOptions): Promise<DiffReport> {
  const env = options.env ?? process.env;
  const [base, next] = await Promise.all([
    readSide(options.base, options.cwd),
    readSide(options.new, options.cwd),
  ]);
  const oasdiff = options.oasdiffPath ?? (await findOrBuildOasdiff(env, options.onProgress));
  const dir = await mkdtemp(join(tmpdir(), 'directearn-diff-'));
  try {
    // What the committed pacts and the client depend on, read against BASE: the consumer's grade.
    const uses = consumerUses(base.doc, pactInteractions(options.pactDir));
    const structure = await structuralFindings(oasdiff, base, next, dir, uses);
    const catalogue = diffCatalogue(base.catalogue, next.catalogue, {
      baseHas: base.hasCatalogue,
      newHas: next.hasCatalogue,
    });
    const pacts = await checkPacts(join(dir, 'base.yaml'), join(dir, 'new.yaml'), options.pactDir);
    const pinned = pinnedInteractions(catalogue, options.pactDir);
    if (!pacts.findings.some((f) => f.change === 'pact-spec-refused')) {
      const broken = [...pacts.findings, ...pinned].filter((f) => f.severity === 'breaking');
      const pinning = structure
        .filter((f) => f.severity === 'breaking')
        .flatMap((f) => f.dependents?.interactions ?? []);
      pacts.summary.broken = new Set([...broken.map((f) => f.subject), ...pinning]).size;
    }
    const findings = sortFindings([...catalogue, ...pacts.findings, ...pinned, ...structure]);
    return {
      tool: 'directearn diff',
      version: 1,
      base: base.label,
      new: next.label,
      oasdiff: { path: oasdiff, version: OASDIFF.version },
      pacts: pacts.summary,
      counts: countFindings(findings),
      findings,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
