// The suite proves it catches regressions: one loopback host serves every variant of
// src/mutation/regressions.ts under /_variant/NAME; `directearn verify --target` (with every
// credential and the host's state-change URL, so every interaction runs) must exit non-zero on each
// doc-derived regression and 0 on each benign variation a tolerant consumer must accept.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/cli/command.js';
import { main } from '../../src/cli/main.js';
import { VARIANTS, type Variant } from '../../src/mutation/regressions.js';
import { serveVariants } from '../../src/mutation/variant-host.js';
import { ALL_CREDENTIAL_FLAGS } from '../support/real-host.js';

/** Variants verified at once: each runs one pact-verifier process (the machine has 2 cores). */
const CONCURRENCY = 2;

async function verify(url: string, ...extra: string[]): Promise<{ code: number; out: string }> {
  const out: string[] = [];
  const io: CliIO = {
    out: (l) => out.push(l),
    err: (l) => out.push(l),
    color: false,
    env: {},
    cwd: process.cwd(),
  };
  const code = await main(
    [
      'verify',
      '--target',
      url,
      ...ALL_CREDENTIAL_FLAGS,
      '--state-change-url',
      `${url}/_admin/provider-states`,
      ...extra,
    ],
    io,
  );
  return { code, out: out.join('\n') };
}

describe('mutation test: verify --target catches every doc-derived regression and passes every benign variant', () => {
  let host: Awaited<ReturnType<typeof serveVariants>>;
  const outcomes = new Map<string, { code: number; out: string }>();
  /** Regressions of inferred parts only, verified once more with --strict. */
  const strictOutcomes = new Map<string, { code: number; out: string }>();
  beforeAll(async () => {
    host = await serveVariants();
    const queue: [Variant, boolean][] = [
      ...VARIANTS.map((v): [Variant, boolean] => [v, false]),
      ...VARIANTS.filter((v) => v.inferredOnly).map((v): [Variant, boolean] => [v, true]),
    ];
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
          const [v, strict] = next;
          const url = `${host.url}/_variant/${v.name}`;
          if (strict) strictOutcomes.set(v.name, await verify(url, '--strict'));
          else outcomes.set(v.name, await verify(url));
        }
      }),
    );
  }, 120_000);
  afterAll(async () => {
    await host?.close();
  });

  it('has at least 25 regressions and 5 benign variants', () => {
    expect(VARIANTS.filter((v) => v.kind === 'regression').length).toBeGreaterThanOrEqual(25);
    expect(VARIANTS.filter((v) => v.kind === 'benign').length).toBeGreaterThanOrEqual(5);
  });

  const failures = (v: Variant) => (outcomes.get(v.name)?.out.match(/^FAIL/gm) ?? []).length;

  it.each(
    VARIANTS.filter((v) => v.kind === 'regression' && !v.inferredOnly).map((v) => [v.name, v] as const),
  )('regression %s makes verify exit 1, failing an interaction', (_name, v) => {
    const r = outcomes.get(v.name);
    expect(r?.code, r?.out).toBe(1);
    expect(failures(v), r?.out).toBeGreaterThan(0);
  });

  it.each(VARIANTS.filter((v) => v.inferredOnly).map((v) => [v.name, v] as const))(
    'regression %s of an inferred part is a note (exit 0) and exits 1 with --strict, failing an interaction',
    (_name, v) => {
      const lenient = outcomes.get(v.name);
      expect(lenient?.code, lenient?.out).toBe(0);
      expect(lenient?.out).toMatch(/^\s+note \(inferred, not in the doc\): /m);
      const strict = strictOutcomes.get(v.name);
      expect(strict?.code, strict?.out).toBe(1);
      expect(strict?.out.match(/^FAIL/gm)?.length ?? 0, strict?.out).toBeGreaterThan(0);
    },
  );

  it.each(VARIANTS.filter((v) => v.kind === 'benign').map((v) => [v.name, v] as const))(
    'benign variant %s verifies, exit 0',
    (_name, v) => {
      const r = outcomes.get(v.name);
      expect(r?.code, r?.out).toBe(0);
    },
  );
});
