// Inferred is not documented: a correct host whose HTTP error bodies differ from what the suite
// infers (the doc gives none) passes `verify --target`, the differences reported as notes naming
// the contract's and the host's values; `--strict` fails on them, and JUnit's failure message
// carries the first mismatch. The embedded provider (ours) is always judged exactly.
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { stageJUnit } from '../../src/check/junit.js';
import { verifyStage } from '../../src/check/stages.js';
import type { CliIO } from '../../src/cli/command.js';
import { main } from '../../src/cli/main.js';
import {
  DEFAULT_BASIC_PASSWORD,
  DEFAULT_BASIC_USER,
  DEFAULT_READONLY_BASIC_PASSWORD,
  DEFAULT_READONLY_BASIC_USER,
  DEFAULT_TOKEN,
} from '../../src/config/defaults.js';
import { isInferredPart } from '../../src/contracts/mismatch.js';
import { PACT_DIR, pactFiles } from '../../src/contracts/pacts.js';
import { readStatesFile } from '../../src/contracts/states-file.js';
import { serveVariants, withVariant } from '../../src/mutation/variant-host.js';
import { createProvider } from '../../src/provider/index.js';
import { listen } from '../../src/provider/server.js';
import { ALL_CREDENTIAL_FLAGS, preparedFixtures, preparedStates } from '../support/real-host.js';

async function verify(url: string, ...extra: string[]): Promise<{ code: number; out: string }> {
  const out: string[] = [];
  const io: CliIO = { out: (l) => out.push(l), err: (l) => out.push(l), color: false, env: {}, cwd: '/' };
  const code = await main(
    [
      'verify',
      ...['--target', url, ...ALL_CREDENTIAL_FLAGS],
      ...['--state-change-url', `${url}/_admin/provider-states`],
      ...extra,
    ],
    io,
  );
  return { code, out: out.join('\n') };
}

describe('verify --target on a host whose HTTP error bodies are its own', () => {
  let host: Awaited<ReturnType<typeof serveVariants>>;
  let url: string;
  let dir: string;
  const runs: Record<'lenient' | 'strict', { code: number; out: string }> = {} as never;
  beforeAll(async () => {
    host = await serveVariants();
    url = `${host.url}/_variant/other-http-error-bodies`;
    dir = await mkdtemp(join(tmpdir(), 'directearn-inferred-'));
    // One after the other: both runs set provider states on the same host.
    runs.lenient = await verify(url);
    runs.strict = await verify(url, '--strict', '--junit', join(dir, 'strict.xml'));
  }, 90_000);
  afterAll(async () => {
    await host?.close();
  });

  it('exits 0: every interaction passes, the inferred bodies differ as notes saying expected and received', () => {
    const { code, out } = runs.lenient;
    expect(code, out).toBe(0);
    expect(out).not.toMatch(/^FAIL/m);
    // The 400, 401, 403, 413 and 429 bodies are inferred: each is a note, contract first.
    for (const status of [400, 401, 403, 413, 429]) {
      expect(out, out).toMatch(
        new RegExp(
          `^PASS\\s+http-${status} .*\\n\\s+note \\(inferred, not in the doc\\): \\$: expected \\["errors"\\], received \\["status"\\]`,
          'm',
        ),
      );
    }
    expect(out).toMatch(/^5 interaction\(s\) with notes: .*--strict fails on them$/m);
    // What the host sends instead is listed for the docs writer.
    expect(out).toMatch(/^UNDOCUMENTED {2}field HTTP 401 \$\.status \(in 1 answer\(s\): answers 401 /m);
    expect(out).toMatch(/^Verdict: PASSED$/m);
  });

  it('exits 1 with --strict, failing the inferred interactions with the mismatch; JUnit carries the first one', () => {
    const { code, out } = runs.strict;
    expect(code, out).toBe(1);
    expect(out.match(/^FAIL\s+http-/gm), out).toHaveLength(5);
    expect(out).not.toMatch(/^FAIL\s+(earned|8\d{3}|1101)/m);
    const xml = readFileSync(join(dir, 'strict.xml'), 'utf8');
    const message =
      /<testcase classname="directearn\.verify\.http-401"[\s\S]*?<failure message="([^"]*)"/.exec(xml)?.[1];
    expect(message, xml).toMatch(/expected .*, received /);
    expect(message).not.toBe('verification failed');
  });

  it('has the rule in one place: the catalogue marks which cases are inferred; their status is still judged', () => {
    expect(isInferredPart('http-401', 'body')).toBe(true);
    expect(isInferredPart('http-401', 'header')).toBe(true);
    expect(isInferredPart('http-401', 'status')).toBe(false);
    expect(isInferredPart('8015', 'body')).toBe(false);
    expect(isInferredPart('earned', 'header')).toBe(false);
  });
});

describe("a stateful host with its own IDs, no admin route and its own HTTP error bodies (check's verification stage)", () => {
  let host: Awaited<ReturnType<typeof listen>>;
  let dir: string;
  beforeAll(async () => {
    const provider = withVariant(
      createProvider({ fixtures: preparedFixtures(9) }),
      'other-http-error-bodies',
    );
    host = await listen(provider, { host: '127.0.0.1', port: 0 });
    dir = await mkdtemp(join(tmpdir(), 'directearn-inferred-stateful-'));
    writeFileSync(join(dir, 'states.yaml'), stringify(preparedStates(9)));
  });
  afterAll(async () => {
    await host?.close();
  });

  it('passes, saying how many interactions carry notes; the notes are in the tests it reports', async () => {
    const stage = await verifyStage.run({
      target: host.url,
      credentials: {
        basic: { user: DEFAULT_BASIC_USER, password: DEFAULT_BASIC_PASSWORD },
        token: DEFAULT_TOKEN,
        readOnlyBasic: { user: DEFAULT_READONLY_BASIC_USER, password: DEFAULT_READONLY_BASIC_PASSWORD },
      },
      states: readStatesFile(join(dir, 'states.yaml')),
      loadAllowed: { ok: true as const },
      skipLoad: true,
      reportDir: dir,
      throughput: { batchSizes: [1], durationSeconds: 1 },
      pactFiles: pactFiles(PACT_DIR),
    });
    expect(stage.status, stage.detail).toBe('passed');
    // 400, 401 and 403 are sent (413 and 429 need a state no states file can set: skipped).
    expect(stage.detail).toContain('; 3 with notes on inferred parts');
    expect(stage.detail).toMatch(/; \d+ undocumented finding\(s\)/);
    const noted = stage.tests.filter((t) => t.status === 'passed' && t.message?.startsWith('note: '));
    expect(noted.map((t) => t.name.split(':')[0])).toEqual(['http-400', 'http-401', 'http-403']);
    const xml = stageJUnit({ id: 'verify', title: 'provider verification', durationMs: 0, ...stage }, 'now');
    expect(xml).toMatch(/name="http-401: [^"]*" time="[\d.]+">\s*<system-out>note: \$: expected/);
  }, 60_000);
});
