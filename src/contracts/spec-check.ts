// Checks every pact against openapi/directEarn.yaml with swagger-mock-validator, per interaction.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { specPath } from '../spec/index.js';
import { interactions as tableInteractions } from './interactions.js';
import { PACT_DIR, pactFiles, readPact } from './pacts.js';

/** The verdict of the check: `ok` only when no interaction and no file had a problem. */
export interface SpecCheckResult {
  ok: boolean;
  problems: string[];
  files: string[];
  interactions: { file: string; description: string; case?: string; ok: boolean; problems: string[] }[];
}

type SmvIssue = import('@pactflow/swagger-mock-validator').SmvIssue;

let specCopy: Promise<string> | undefined;

/**
 * swagger-mock-validator's OpenAPI 3.1 schema refuses `description` on a server variable (which
 * 3.1 allows), so it reads a copy of the spec without those descriptions; nothing the pacts are
 * checked against changes.
 */
function specForValidator(): Promise<string> {
  specCopy ??= (async () => {
    const spec = parseYaml(await readFile(specPath, 'utf8')) as {
      servers?: { variables?: Record<string, { description?: string }> }[];
    };
    for (const server of spec.servers ?? []) {
      for (const v of Object.values(server.variables ?? {})) delete v.description;
    }
    const dir = await mkdtemp(join(tmpdir(), 'directearn-smv-'));
    const path = join(dir, 'directEarn.json');
    await writeFile(path, JSON.stringify(spec));
    return path;
  })();
  return specCopy;
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
  const { SwaggerMockValidatorFactory } = await import('@pactflow/swagger-mock-validator');
  const validator = SwaggerMockValidatorFactory.create();
  const spec = await specForValidator();
  const problems: string[] = [];
  const out: SpecCheckResult['interactions'] = [];
  const caseOf = new Map(tableInteractions().map((i) => [i.description, i.case]));
  for (const file of files) {
    let errors: SmvIssue[];
    try {
      const r = await validator.validate({
        specPathOrUrl: spec,
        mockPathOrUrl: file,
        additionalPropertiesInResponse: 'false',
        requiredPropertiesInResponse: 'true',
      });
      errors = r.errors;
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
