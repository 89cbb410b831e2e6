// `npm run generate:k6`: writes src/config/k6-contract.ts, Node's copy of k6/contract.ts (the seam's
// one source: Node's tsc does not compile k6/, and Node 20 cannot import a .ts file), and with
// `--check` exits 1 when the copy is stale instead. test/load/k6-contract.test.ts runs the check.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = new URL('../', import.meta.url);
export const contractPath = fileURLToPath(new URL('k6/contract.ts', root));
export const mirrorPath = fileURLToPath(new URL('src/config/k6-contract.ts', root));

/** The copy's text: a line saying where it comes from, then k6/contract.ts as it is. */
export function renderMirror() {
  return `// Generated from k6/contract.ts by \`npm run generate:k6\`. Do not edit: a test fails when stale.\n${readFileSync(contractPath, 'utf8')}`;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const fresh = renderMirror();
  let current = '';
  try {
    current = readFileSync(mirrorPath, 'utf8');
  } catch {}
  if (process.argv.includes('--check')) {
    if (current !== fresh) {
      console.error(`${mirrorPath} is stale: run npm run generate:k6`);
      process.exit(1);
    }
    console.log('src/config/k6-contract.ts is up to date');
  } else if (current !== fresh) {
    writeFileSync(mirrorPath, fresh);
    console.log(`wrote ${mirrorPath}`);
  }
}
