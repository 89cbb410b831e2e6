// Checks every pact against openapi/directEarn.yaml with swagger-mock-validator, per interaction.
import { specPath } from '../openapi/index.js';
import { interactions as tableInteractions } from './interactions.js';
import { PACT_DIR, pactFiles, readPact } from './pacts.js';

/** The verdict of the check: `ok` only when no interaction and no file had a problem. */
export interface SpecCheckResult {
  ok: boolean;
  problems: string[];
  files: string[];
  interactions: { file: string; description: string; case?: string; ok: boolean; problems: string[] }[];
}

export type SmvIssue = import('@pactflow/swagger-mock-validator').SmvIssue;

/**
 * swagger-mock-validator on one pact file against a spec, as strict as `check` and `diff` ask:
 * responses carry their required fields and nothing extra. Throws when the validator cannot read
 * the spec or the pact (its message says why).
 */
export async function validatePactFile(spec: string, file: string): Promise<SmvIssue[]> {
  const { SwaggerMockValidatorFactory } = await import('@pactflow/swagger-mock-validator');
  const r = await SwaggerMockValidatorFactory.create().validate({
    specPathOrUrl: spec,
    mockPathOrUrl: file,
    additionalPropertiesInResponse: 'false',
    requiredPropertiesInResponse: 'true',
  });
  return r.errors;
}

/** Checks every pact against openapi/directEarn.yaml (strict: responses must carry required fields, nothing extra). */
export async function checkPactsAgainstSpec(
  options: { dir?: string; files?: string[] } = {},
): Promise<SpecCheckResult> {
  const files = options.files ?? pactFiles(options.dir ?? PACT_DIR);
  if (files.length === 0) {
    const where = options.dir ?? PACT_DIR;
    return {
      ok: false,
      problems: [`no pact files in ${where}: run npm run pact:consumer`],
      files,
      interactions: [],
    };
  }
  const problems: string[] = [];
  const out: SpecCheckResult['interactions'] = [];
  const caseOf = new Map(tableInteractions().map((i) => [i.description, i.case]));
  for (const file of files) {
    let errors: SmvIssue[];
    try {
      // The committed spec as users upload it to PactFlow: no stripped copy.
      errors = await validatePactFile(specPath, file);
    } catch (e) {
      const msg = `${file}: swagger-mock-validator could not read it: ${(e as Error).message.split('\n')[0]}`;
      problems.push(msg);
      continue;
    }
    const described = readPact(file).json.interactions.map((i) => String(i.description));
    for (const description of described) {
      const mine = errors.filter((e) => e.mockDetails?.interactionDescription === description);
      const lines = mine.map(
        (e) => `${description}: ${e.code}: ${e.message} (${e.mockDetails?.location ?? ''})`,
      );
      problems.push(...lines);
      const c = caseOf.get(description);
      out.push({ file, description, ...(c ? { case: c } : {}), ok: mine.length === 0, problems: lines });
    }
    for (const e of errors.filter(
      (e) => !described.includes(String(e.mockDetails?.interactionDescription)),
    )) {
      problems.push(`${file}: ${e.code}: ${e.message}`);
    }
  }
  return { ok: problems.length === 0, problems, files, interactions: out };
}
