// Keeps the parse of openapi/directEarn.yaml beside the built code (dist/openapi/spec-cache.json, run
// by `npm run build`): parsing the YAML was about 0.2 s of CPU, the largest part of every command's
// start-up. src/openapi/document.ts takes it only for the very text it was made from (SHA-256).
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { parse } from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'openapi', 'spec-cache.json');
const text = readFileSync(join(root, 'openapi', 'directEarn.yaml'), 'utf8');
const doc = parse(text);
const json = JSON.stringify({ sha256: createHash('sha256').update(text).digest('hex'), doc });
// JSON must give back the same document (no dates, no non-string keys); otherwise no cache is kept
// and every command parses the YAML as before.
if (isDeepStrictEqual(JSON.parse(json).doc, doc)) {
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${json}\n`);
} else {
  rmSync(out, { force: true });
  process.stderr.write(`spec-cache: ${out} not written: the spec does not survive JSON unchanged\n`);
}
