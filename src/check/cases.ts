// The per-case table of a check run: for each catalogue case, is it in the spec (examples), in a
// pact (interactions written by the consumer contracts), verified against the target, and smoked.
import { NOT_PINNED } from '../contracts/interactions.js';
import { readPact } from '../contracts/pacts.js';
import { type CatalogueEntry, catalogue, ENDPOINT_PATH, exampleNames, loadSpec } from '../openapi/index.js';
import type { CaseRow, Cell, StageResult } from './check-summary.js';
import type { CheckContext } from './context.js';

/** One row of the contracts' interaction table, as much of it as the table needs. */
export interface InteractionRef {
  case: string;
  description: string;
}

/** Interaction descriptions found in the pact files (v2-v4 all keep `interactions[].description`). */
export function pactDescriptions(files: readonly string[]): Set<string> {
  const found = new Set<string>();
  for (const file of files) {
    for (const i of readPact(file).json.interactions)
      if (typeof i.description === 'string') found.add(i.description);
  }
  return found;
}

/** Where the spec documents an example-less case: its catalogue entry, and the response it is, if any. */
function whereDocumented(entry: CatalogueEntry): string {
  const ops = loadSpec().paths?.[ENDPOINT_PATH]?.post?.responses ?? {};
  const code = entry.code === null ? undefined : String(entry.code);
  const key =
    code === undefined ? undefined : code in ops ? code : `${code[0]}XX` in ops ? `${code[0]}XX` : undefined;
  if (entry.kind !== 'http' || key !== undefined) {
    return `x-directearn-catalogue${key === undefined ? '' : ` and the ${key} response of POST ${ENDPOINT_PATH}`}`;
  }
  return `x-directearn-catalogue (answered to other methods or paths, so not a response of POST ${ENDPOINT_PATH})`;
}

const stageStatus = (stages: readonly StageResult[], id: StageResult['id']) =>
  stages.find((s) => s.id === id)?.status;

/** What the stages left for the table: the context's results, and which stages ran far enough. */
interface TableInputs {
  ctx: Pick<CheckContext, 'pactFiles' | 'verification' | 'smoke' | 'smokeSkipped'>;
  names: Set<string>;
  interactions: readonly InteractionRef[] | undefined;
  inPacts: Set<string> | undefined;
  verifyRan: boolean;
  smokeRan: boolean;
}

type Verified = NonNullable<CheckContext['verification']>[number];

/** In the spec: every row is a case of the spec's catalogue; a named example it lacks fails. */
function specCell(entry: CatalogueEntry, names: Set<string>, notes: string[]): Cell {
  const missingExamples = entry.examples.filter((n) => !names.has(n));
  if (entry.examples.length === 0) notes.push(`in the spec without an example: ${whereDocumented(entry)}`);
  else if (missingExamples.length > 0) {
    notes.push(`the catalogue names examples the spec lacks: ${missingExamples.join(', ')}`);
    return 'failed';
  }
  return 'passed';
}

/** In a pact: the case's planned interactions, each found in the written pacts. */
function pactCell(
  entry: CatalogueEntry,
  planned: readonly InteractionRef[],
  t: TableInputs,
  notes: string[],
): Cell {
  if (t.interactions !== undefined && planned.length === 0) {
    notes.push(
      NOT_PINNED[entry.case] ??
        'no pact interaction, and no reason in NOT_PINNED (src/contracts/interactions.ts)',
    );
    return 'none';
  }
  if (t.inPacts === undefined) return 'skipped';
  const inPacts = t.inPacts;
  const absent = planned.filter((i) => !inPacts.has(i.description));
  for (const i of absent) notes.push(`interaction "${i.description}" is not in the written pacts`);
  return absent.length === 0 ? 'passed' : 'failed';
}

/** Verified: the verification results of the case's interactions, the worst one deciding. */
function verifiedCell(
  planned: readonly InteractionRef[],
  verifiedRows: readonly Verified[],
  t: TableInputs,
  notes: string[],
): Cell {
  if (!t.verifyRan) return 'skipped';
  let verified: Cell;
  if (verifiedRows.length === 0) verified = planned.length === 0 ? 'none' : 'failed';
  else if (verifiedRows.every((v) => v.status === 'passed')) verified = 'passed';
  else if (verifiedRows.some((v) => v.status === 'failed')) verified = 'failed';
  else if (verifiedRows.some((v) => v.status === 'not-verified')) verified = 'not-verified';
  else verified = 'skipped';
  for (const v of verifiedRows) {
    if (v.status !== 'passed')
      notes.push(`${v.status}: "${v.description}"${v.message ? `: ${v.message.split('\n')[0]}` : ''}`);
  }
  if (verifiedRows.length === 0 && planned.length > 0)
    notes.push('no verification result for its interactions');
  return verified;
}

/** Smoked: the k6 smoke run's result for the case, or why it was not asked. */
function smokeCell(entry: CatalogueEntry, t: TableInputs, notes: string[]): Cell {
  if (!t.smokeRan) return 'skipped';
  const s = t.ctx.smoke?.[entry.case];
  const notAsked = t.ctx.smokeSkipped?.[entry.case];
  if (s === undefined && notAsked === undefined)
    notes.push('no smoke request: k6/smoke.ts sends none for this case');
  if (notAsked !== undefined) notes.push(`smoke not asked: ${notAsked}`);
  if (s !== undefined && !s.passed) notes.push(`smoke: ${s.detail}`);
  return s !== undefined
    ? s.passed
      ? 'passed'
      : 'failed'
    : notAsked !== undefined
      ? 'not-verified'
      : 'none';
}

/** One row: the cells in the table's order, so the notes come in that order too. */
function caseRow(entry: CatalogueEntry, t: TableInputs, pactNotes: readonly string[]): CaseRow {
  const notes: string[] = [...pactNotes];
  const inSpec = specCell(entry, t.names, notes);
  const planned = (t.interactions ?? []).filter((i) => i.case === entry.case);
  const inPact = pactCell(entry, planned, t, notes);
  const verifiedRows = (t.ctx.verification ?? []).filter((v) => v.case === entry.case);
  const verified = verifiedCell(planned, verifiedRows, t, notes);
  const smoke = smokeCell(entry, t, notes);
  return {
    case: entry.case,
    kind: entry.kind,
    code: entry.code,
    examples: [...entry.examples],
    interactions: planned.map((i) => {
      const v = verifiedRows.find((r) => r.description === i.description);
      return { description: i.description, verification: v?.status ?? 'skipped' };
    }),
    inSpec,
    inPact,
    verified,
    smoke,
    notes,
  };
}

/** Builds the table from the catalogue, the interaction table and what the stages left in the context. */
export function buildCaseRows(
  ctx: Pick<CheckContext, 'pactFiles' | 'verification' | 'smoke' | 'smokeSkipped'>,
  stages: readonly StageResult[],
  interactions: readonly InteractionRef[] | undefined,
): CaseRow[] {
  let inPacts: Set<string> | undefined;
  const pactNotes: string[] = [];
  if (ctx.pactFiles !== undefined && ctx.pactFiles.length > 0) {
    try {
      inPacts = pactDescriptions(ctx.pactFiles);
    } catch (e) {
      pactNotes.push(`cannot read the pact files: ${(e as Error).message}`);
    }
  }
  // A stage "spoke" about cases only when it ran far enough to leave results in the context.
  const ran = (id: StageResult['id']) => {
    const s = stageStatus(stages, id);
    return s === 'passed' || s === 'failed';
  };
  const inputs: TableInputs = {
    ctx,
    names: new Set(exampleNames()),
    interactions,
    inPacts,
    verifyRan: ran('verify') && ctx.verification !== undefined,
    smokeRan: ran('smoke') && ctx.smoke !== undefined,
  };
  return catalogue().map((entry) => caseRow(entry, inputs, pactNotes));
}
