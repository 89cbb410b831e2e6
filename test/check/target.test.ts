// `check --target` with every stage on, k6 included, against an independent host: its own IDs, an
// earn limit of 2 per customer, no admin route and its own wording for the HTTP error bodies the doc
// never gives (as a real CRM). With the states file (and its pool) it passes; the same host with a
// doc-derived regression (a documented message in other words) fails, in verification and in the
// smoke, on exactly that case and naming what the contract expects and what the host sent.
import { writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { CliIO } from '../../src/cli/command.js';
import { main } from '../../src/cli/main.js';
import { interactions } from '../../src/contracts/interactions.js';
import { findK6 } from '../../src/load/run-load.js';
import { withVariant } from '../../src/mutation/variant-host.js';
import { messageFor } from '../../src/openapi/index.js';
import { createProvider } from '../../src/provider/index.js';
import { listen } from '../../src/provider/server.js';
import { ALL_CREDENTIAL_FLAGS, preparedFixtures, preparedStates } from '../support/real-host.js';

/** Fresh customers: verification (9), the smoke's earning examples and the throughput run (113). */
const POOL = 200;

const k6 = findK6();
const withK6 = k6 === undefined ? describe.skip : describe;
if (k6 === undefined) console.warn('check --target k6 tests skipped: k6 not found (npm run k6:install)');

/** The prepared host with a variant of src/mutation/regressions.ts around it, on loopback. */
async function host(variant: string) {
  return listen(withVariant(createProvider({ fixtures: preparedFixtures(POOL) }), variant), {
    host: '127.0.0.1',
    port: 0,
  });
}

withK6('check --target with the k6 stages on an independent host', () => {
  let dir: string;
  const hosts: { close(): Promise<void> }[] = [];
  const pactDirBefore = process.env.DIRECTEARN_PACT_DIR;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'directearn-check-target-'));
    // The consumer stage empties and rewrites its pact folder: this file's checks write theirs in a
    // folder of their own (the consumer tests' DIRECTEARN_PACT_DIR), never into contracts/pacts,
    // which other test files read at the same time. The stage then verifies the committed pacts,
    // which the consumer tests keep equal to what they write.
    process.env.DIRECTEARN_PACT_DIR = await mkdtemp(join(tmpdir(), 'directearn-check-target-pacts-'));
  });
  afterAll(async () => {
    if (pactDirBefore === undefined) delete process.env.DIRECTEARN_PACT_DIR;
    else process.env.DIRECTEARN_PACT_DIR = pactDirBefore;
    for (const h of hosts) await h.close();
  });

  async function check(variant: string, batchSizes: string): Promise<{ code: number; out: string }> {
    const h = await host(variant);
    hosts.push(h);
    writeFileSync(join(dir, `${variant}.yaml`), stringify(preparedStates(POOL)));
    const out: string[] = [];
    const io: CliIO = { out: (l) => out.push(l), err: (l) => out.push(l), color: false, env: {}, cwd: dir };
    const code = await main(
      ['check', '--target', h.url, '--states', `${variant}.yaml`, ...ALL_CREDENTIAL_FLAGS].concat([
        '--batch-sizes',
        batchSizes,
        '--duration',
        '1',
        '--report-dir',
        variant,
        '--ascii',
      ]),
      io,
    );
    return { code, out: out.join('\n') };
  }

  it('exits 0 on a correct host with its own IDs, limits and error wording', async () => {
    const r = await check('other-http-error-bodies', '1,10');
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/^\[5\/6\] PASS k6 smoke: \d+ smoke cases passed/m);
    expect(r.out).toMatch(/^\[6\/6\] PASS k6 short throughput run: batch 1: \d+ issued\/s/m);
    expect(r.out).toMatch(/^PASS 6\/6 stages passed/m);
  }, 120_000);

  it('exits 1 on the same host with a documented message changed, failing exactly that case', async () => {
    // One batch size: this run is about verification and the smoke; its throughput stage only has to
    // pass (each second of it keeps both cores busy).
    const r = await check('message-8015-changed', '1');
    expect(r.code, r.out).toBe(1);
    // Verification: the interactions of 8015 fail, the rest pass. The 413 and 429 states lower the
    // host's own limits, which a states file cannot do on a real host: those two are skipped (never
    // replayed), and do not fail the run alone.
    const failing = interactions().filter((i) => i.case === '8015').length;
    expect(failing).toBeGreaterThan(0);
    expect(r.out).toMatch(
      new RegExp(
        `^\\[4/6\\] FAIL provider verification: ${interactions().length - failing - 2} passed, ${failing} failed, 2 skipped against`,
        'm',
      ),
    );
    // Contract first, then what the host sent.
    expect(r.out).toContain(`expected ${JSON.stringify(messageFor(8015))}, received "customer not found"`);
    expect(r.out).toMatch(
      /http-429: skipped: "answers 429[^"]*": pins an inferred limit: state .* sets the provider's own limit/,
    );
    expect(r.out).toMatch(/^\[5\/6\] FAIL k6 smoke/m);
    expect(r.out).toMatch(
      /8015: request-8015 customer 1 gets 8015 "Customer not found for the given identifiers": .*"message":"customer not found"/,
    );
    // The table: 8015 failed in verification and smoke, 8892 held, 413 and 429 skipped (--ascii marks).
    expect(row(r.out, '8015')).toEqual(['yes', 'yes', 'NO', 'NO']);
    expect(row(r.out, '8892')).toEqual(['yes', 'yes', 'yes', 'yes']);
    expect(row(r.out, 'http-413')?.slice(1, 3)).toEqual(['yes', 'skip']);
    expect(row(r.out, 'http-429')?.slice(1, 3)).toEqual(['yes', 'skip']);
    expect(r.out.trim().split('\n').at(-1)).toMatch(
      /^FAIL 4\/6 stages passed; failed: provider verification, k6 smoke in /,
    );
  }, 120_000);
});

/** The table row of a case: its marks after the case and kind columns. */
function row(out: string, caseId: string): string[] | undefined {
  const line = out.split('\n').find((l) => l.startsWith(`${caseId} `));
  return line
    ?.trim()
    .split(/\s{2,}/)
    .slice(2);
}
