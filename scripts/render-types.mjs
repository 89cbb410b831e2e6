// Renders the TypeScript types of the spec with openapi-typescript (shared by generate and its test).
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';

const root = new URL('../', import.meta.url);
export const specUrl = new URL('openapi/directEarn.yaml', root);
export const generatedPath = fileURLToPath(new URL('src/spec/generated/directEarn.ts', root));

export async function renderTypes() {
  const ast = await openapiTS(specUrl, { alphabetize: false, exportType: false });
  return `// Generated from openapi/directEarn.yaml by \`npm run generate\`. Do not edit: a test fails when stale.\n${astToString(ast)}`;
}
