// The parse of the spec that `npm run build` keeps (scripts/spec-cache.mjs) is the YAML's own parse,
// and it is taken only for the text it was made from: an edited spec is parsed again.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { builtParse, loadSpec, specCachePath, specPath } from '../../src/openapi/document.js';

const text = readFileSync(specPath, 'utf8');

describe('the spec parse kept by the build', () => {
  it('is what parsing openapi/directEarn.yaml gives, and what loadSpec returns', () => {
    const built = builtParse(text);
    expect(built, `${specCachePath} is missing or stale: run npm run build`).toBeDefined();
    expect(built).toEqual(parse(text));
    expect(loadSpec()).toEqual(parse(text));
  });

  it('is not taken for any other text, nor from a missing or unreadable file', () => {
    const edited = text.replace('directEarn', 'directEarn ');
    expect(edited).not.toBe(text);
    expect(builtParse(edited)).toBeUndefined();
    const dir = mkdtempSync(join(tmpdir(), 'directearn-spec-cache-'));
    expect(builtParse(text, join(dir, 'missing.json'))).toBeUndefined();
    writeFileSync(join(dir, 'broken.json'), '{"sha256":');
    expect(builtParse(text, join(dir, 'broken.json'))).toBeUndefined();
  });
});
