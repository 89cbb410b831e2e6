// Checks of the spec itself: valid OpenAPI 3.1 (meta-schema), clean under the committed Redocly
// ruleset, and every example valid against its schema. Used by `directearn check` and the tests.
import { validate as validateOpenApi } from '@readme/openapi-parser';
import { packageRoot } from '../util/package-root.js';
import { runRedocly } from '../util/process.js';
import { loadSpec, specPath } from './document.js';
import { formatIssues, validateResponse, validateSchema } from './validators.js';

export interface SpecCheckResult {
  ok: boolean;
  /** Human-readable problems, empty when ok. */
  problems: string[];
}

/** Validates the spec against the OpenAPI 3.1 meta-schema with @readme/openapi-parser. */
export async function checkMetaSchema(path = specPath): Promise<SpecCheckResult> {
  const result = await validateOpenApi(path, { validate: { errors: { colorize: false } } });
  if (result.valid) return { ok: true, problems: [] };
  return { ok: false, problems: result.errors.map((e) => e.message) };
}

/** Lints the spec with Redocly under redocly.yaml; problems are Redocly's own lines. */
export async function lintSpec(path = specPath): Promise<SpecCheckResult> {
  const { code, output } = await runRedocly(['lint', path, '--format', 'stylish'], packageRoot);
  if (code === 0) return { ok: true, problems: [] };
  const problems = output
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /error|warning/i.test(l) && !/Node\.js|deprecat|║/.test(l));
  return { ok: false, problems: problems.length > 0 ? problems : [output.trim()] };
}

/** Every request and response example in the operation validates against its schema. */
export function checkExamples(): SpecCheckResult {
  const doc = loadSpec();
  const problems: string[] = [];
  const op = doc.paths?.['/v2/promotion/bulk/directEarn']?.post;
  const reqExamples = exampleRefs(op?.requestBody);
  for (const [name, ref] of reqExamples) {
    const r = validateSchema('DirectEarnRequest', exampleValue(ref));
    if (!r.ok) problems.push(`request example ${name}:\n${formatIssues(r.issues)}`);
  }
  const responses = (op?.responses ?? {}) as Record<string, unknown>;
  for (const [status, response] of Object.entries(responses)) {
    const code = status === '5XX' ? 500 : Number(status);
    for (const [name, ref] of exampleRefs(resolveRef(response))) {
      const r = validateResponse(code, exampleValue(ref));
      if (!r.ok) problems.push(`response ${status} example ${name}:\n${formatIssues(r.issues)}`);
    }
  }
  return { ok: problems.length === 0, problems };
}

function resolveRef(node: unknown): unknown {
  if (node !== null && typeof node === 'object' && '$ref' in node) {
    const ref = String((node as { $ref: string }).$ref);
    let cur: unknown = loadSpec();
    for (const part of ref.replace(/^#\//, '').split('/')) cur = (cur as Record<string, unknown>)[part];
    return cur;
  }
  return node;
}

function exampleRefs(body: unknown): [string, unknown][] {
  const media = (resolveRef(body) as { content?: Record<string, { examples?: Record<string, unknown> }> })
    ?.content;
  return Object.entries(media?.['application/json']?.examples ?? {});
}

function exampleValue(ref: unknown): unknown {
  return (resolveRef(ref) as { value?: unknown }).value;
}
