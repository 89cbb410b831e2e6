// The TypeScript types are generated from the spec and committed; this fails when they are stale.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without type declarations
import { generatedPath, renderTypes } from '../../scripts/render-types.mjs';

describe('generated types', () => {
  it('match what npm run generate makes from the spec now', async () => {
    const fresh: string = await renderTypes();
    const committed = readFileSync(generatedPath as string, 'utf8');
    expect(committed === fresh, 'src/openapi/generated/directEarn.ts is stale: run npm run generate').toBe(
      true,
    );
  }, 30_000);
});
