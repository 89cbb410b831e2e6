// Regenerates src/openapi/generated/directEarn.ts from openapi/directEarn.yaml (npm run generate).
// `--check` exits 1 when the committed file is stale instead of writing it.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatedPath, renderTypes } from './render-types.mjs';

const check = process.argv.includes('--check');
const text = await renderTypes();
let current = '';
try {
  current = readFileSync(generatedPath, 'utf8');
} catch {}
if (check) {
  if (current !== text) {
    console.error(`${generatedPath} is stale: run npm run generate`);
    process.exit(1);
  }
  console.log('generated types are up to date');
} else {
  mkdirSync(dirname(generatedPath), { recursive: true });
  writeFileSync(generatedPath, text);
  console.log(`wrote ${fileURLToPath(new URL(`file://${generatedPath}`))}`);
}
