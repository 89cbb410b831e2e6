// The per-case table of a check run: for each catalogue case, is it in the spec (examples), in a
// pact (interactions written by the consumer contracts), verified against the target, and smoked.
import { readPact } from '../contracts/pacts.js';
import { catalogue, exampleNames } from '../spec/index.js';
import type { CaseRow, Cell, StageResult } from './model.js';
import type { CheckContext } from './stages.js';

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

const stageStatus = (stages: readonly StageResult[], id: StageResult['id']) =>
  stages.find((s) => s.id === id)?.status;

/** Builds the table from the catalogue, the interaction table and what the stages left in the context. */
export function buildCaseRows(
  ctx: Pick<CheckContext, 'pactFiles' | 'verification' | 'smoke' | 'smokeSkipped'>,
  stages: readonly StageResult[],
  interactions: readonly InteractionRef[] | undefined,
): CaseRow[] {
  const names = new Set(exampleNames());
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
  const verifyRan = ran('verify') && ctx.verification !== undefined;
  const smokeRan = ran('smoke') && ctx.smoke !== undefined;

  return catalogue().map((entry): CaseRow => {
    const notes: string[] = [...pactNotes];
    const missingExamples = entry.examples.filter((n) => !names.has(n));
    let inSpec: Cell = 'pass';
    if (entry.examples.length === 0) {
      inSpec = 'none';
      notes.push('the spec documents this case without an example');
    } else if (missingExamples.length > 0) {
      inSpec = 'fail';
      notes.push(`the catalogue names examples the spec lacks: ${missingExamples.join(', ')}`);
    }

    const planned = (interactions ?? []).filter((i) => i.case === entry.case);
    let inPact: Cell = 'skip';
    if (interactions !== undefined && planned.length === 0) inPact = 'none';
    else if (inPacts !== undefined) {
      const absent = planned.filter((i) => !inPacts.has(i.description));
      inPact = absent.length === 0 ? 'pass' : 'fail';
      for (const i of absent) notes.push(`interaction "${i.description}" is not in the written pacts`);
    }

    const verifiedRows = (ctx.verification ?? []).filter((v) => v.case === entry.case);
    let verified: Cell = 'skip';
    if (verifyRan) {
      if (verifiedRows.length === 0) verified = planned.length === 0 ? 'none' : 'fail';
      else if (verifiedRows.every((v) => v.status === 'passed')) verified = 'pass';
      else if (verifiedRows.some((v) => v.status === 'failed')) verified = 'fail';
      else verified = 'skip';
      for (const v of verifiedRows) {
        if (v.status !== 'passed')
          notes.push(`${v.status}: "${v.description}"${v.message ? `: ${v.message.split('\n')[0]}` : ''}`);
      }
      if (verifiedRows.length === 0 && planned.length > 0)
        notes.push('no verification result for its interactions');
    }

    let smoke: Cell = 'skip';
    if (smokeRan) {
      const s = ctx.smoke?.[entry.case];
      const notAsked = ctx.smokeSkipped?.[entry.case];
      smoke = s !== undefined ? (s.passed ? 'pass' : 'fail') : notAsked !== undefined ? 'skip' : 'none';
      if (notAsked !== undefined) notes.push(`smoke not asked: ${notAsked}`);
      if (s !== undefined && !s.passed) notes.push(`smoke: ${s.detail}`);
    }

    return {
      case: entry.case,
      kind: entry.kind,
      code: entry.code,
      examples: [...entry.examples],
      interactions: planned.map((i) => {
        const v = verifiedRows.find((r) => r.description === i.description);
        return { description: i.description, verification: v?.status ?? 'not-run' };
      }),
      inSpec,
      inPact,
      verified,
      smoke,
      notes,
    };
  });
}
