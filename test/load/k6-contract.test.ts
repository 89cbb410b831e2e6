// k6/contract.ts is the seam's one source: Node's copy (src/config/k6-contract.ts) must be what
// `npm run generate:k6` writes from it now, and k6Env names each setting as the contract does.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without type declarations
import { mirrorPath, renderMirror } from '../../scripts/k6-contract.mjs';
import { K6_VARS, k6Env } from '../../src/config/k6-contract.js';
import { packageRoot } from '../../src/util/package-root.js';

describe('k6/contract.ts', () => {
  it('has every variable in the table of k6/README.md', () => {
    const readme = readFileSync(join(packageRoot, 'k6', 'README.md'), 'utf8');
    const missing = Object.values(K6_VARS)
      .map((v) => v.env)
      .filter((name) => !readme.includes(`\`${name}\``));
    expect(missing, 'variables of k6/contract.ts without a row in k6/README.md').toEqual([]);
  });

  it('has a Node copy that matches what npm run generate:k6 makes from it now', () => {
    const committed = readFileSync(mirrorPath as string, 'utf8');
    expect(committed === renderMirror(), 'src/config/k6-contract.ts is stale: run npm run generate:k6').toBe(
      true,
    );
  });

  it('names every setting once, and k6Env writes each under its name', () => {
    const names = Object.values(K6_VARS).map((v) => v.env);
    expect(new Set(names).size).toBe(names.length);
    expect(k6Env({ baseUrl: 'http://127.0.0.1:1', maxVus: 3, token: '' })).toEqual({
      BASE_URL: 'http://127.0.0.1:1',
      DIRECTEARN_MAX_VUS: '3',
      DIRECTEARN_TOKEN: '',
    });
  });
});
