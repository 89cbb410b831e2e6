// Renders the TypeScript types of the spec with openapi-typescript (shared by generate and its test).
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';

const root = new URL('../', import.meta.url);
export const specUrl = new URL('openapi/directEarn.yaml', root);
export const generatedPath = fileURLToPath(new URL('src/openapi/generated/directEarn.ts', root));

/**
 * An anyOf branch that only lists `required` names (EarnResult: promotionId or promoIdentifier)
 * comes out of openapi-typescript as `unknown`, and `T | unknown` is `unknown`: the whole type is
 * lost. Such a branch adds no type information, so it is dropped from the union. (Writing the
 * branches with properties instead breaks swagger-mock-validator, which closes every object schema.)
 */
function dropUnknownUnionMembers(node) {
  if (!ts.isUnionTypeNode(node)) return undefined;
  const kept = node.types.filter((t) => t.kind !== ts.SyntaxKind.UnknownKeyword);
  if (kept.length === node.types.length || kept.length === 0) return undefined;
  return kept.length === 1 ? kept[0] : ts.factory.createUnionTypeNode(kept);
}

export async function renderTypes() {
  const ast = await openapiTS(specUrl, {
    alphabetize: false,
    exportType: false,
    postTransform: (type) => dropUnknownUnionMembers(type),
  });
  return `// Generated from openapi/directEarn.yaml by \`npm run generate\`. Do not edit: a test fails when stale.\n${astToString(ast)}`;
}
