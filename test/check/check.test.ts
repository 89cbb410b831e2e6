// `directearn check` end to end, once: the built executable in a copy of the package (so the pacts
// and reports it writes do not race the other test files), every stage for real. A check that must
// fail (exit 1) on a host answering one message wrong is test/check/target.test.ts's second run: it
// runs every stage on an independent host, so one run shows verification and smoke failing.
// Needs `npm run build` first (npm test does it) and k6 (`npm run k6:install`, as .ci/run does).
import { spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CheckSummary } from '../../src/check/check-summary.js';
import { interactions } from '../../src/contracts/interactions.js';
import { pactFiles } from '../../src/contracts/pacts.js';
import { catalogue } from '../../src/openapi/index.js';
import { packageRoot } from '../../src/util/package-root.js';

const COPIED = [
  'bin',
  'dist',
  'src',
  'contracts',
  'openapi',
  'k6',
  'package.json',
  'tsconfig.json',
  'redocly.yaml',
  'vitest.pact.config.ts',
];

/** A copy of the package with node_modules linked: same code, its own contracts/pacts and reports. */
function copyPackage(): string {
  const root = mkdtempSync(join(tmpdir(), 'directearn-check-e2e-'));
  for (const name of COPIED) {
    const from = join(packageRoot, name);
    if (existsSync(from)) cpSync(from, join(root, name), { recursive: true });
  }
  symlinkSync(join(packageRoot, 'node_modules'), join(root, 'node_modules'), 'dir');
  return root;
}

function runCli(
  cwd: string,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // As a user's shell runs it: none of the variables vitest sets for its workers (the check
    // starts a vitest of its own for the consumer contracts, and k6 scripts read BASE_URL).
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) {
      if (!/^(VITEST.*|TEST|NODE_ENV|MODE|DEV|PROD|SSR|BASE_URL|FORCE_TTY|NO_COLOR|FORCE_COLOR)$/.test(k))
        env[k] = v;
    }
    const child = spawn(process.execPath, [join(cwd, 'bin', 'directearn.js'), ...args], { cwd, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const STAGE_TITLES = [
  'spec valid and linted',
  'consumer contracts',
  'pacts vs spec',
  'provider verification',
  'k6 smoke',
  'k6 short throughput run',
];
const STAGE_IDS = ['spec', 'contracts', 'pacts-vs-spec', 'verify', 'smoke', 'throughput'];

/** The table row of a case: its marks after the case and kind columns. */
function row(stdout: string, caseId: string): string[] | undefined {
  const line = stdout.split('\n').find((l) => l.startsWith(`${caseId} `));
  return line
    ?.trim()
    .split(/\s{2,}/)
    .slice(2);
}

/** Left in the copy's pacts folder before the check: the consumer stage must remove it. */
const STALE_PACT = 'stale-consumer-stale-provider.json';

let root: string;
beforeAll(() => {
  root = copyPackage();
});

describe('directearn check against the embedded provider', () => {
  let result: Awaited<ReturnType<typeof runCli>>;
  beforeAll(async () => {
    // A stale pact from an earlier run must not survive: the consumer stage empties the folder first.
    writeFileSync(join(root, 'contracts', 'pacts', STALE_PACT), '{"interactions":[]}');
    // One batch size (of the default two) for one second instead of three: the same stages and table;
    // every second of the throughput run keeps both cores busy. test/check/target.test.ts runs a
    // check with two batch sizes.
    result = await runCli(root, [
      'check',
      '--batch-sizes',
      '100',
      '--duration',
      '1',
      '--junit',
      'junit',
      '--json',
      'out/check.json',
    ]);
  }, 240_000);

  it('passes every stage and exits 0', () => {
    expect(result.stderr).toBe('');
    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout.trim().split('\n').at(-1)).toMatch(/^PASS 6\/6 stages passed in \d/);
  });

  it('prints a start and a result line per stage, in order', () => {
    const lines = result.stdout.split('\n');
    STAGE_TITLES.forEach((title, i) => {
      const start = lines.indexOf(`[${i + 1}/6] ${title} ...`);
      const end = lines.findIndex((l) => l.startsWith(`[${i + 1}/6] PASS ${title}: `));
      expect(start, title).toBeGreaterThanOrEqual(0);
      expect(end, title).toBe(start + 1);
      expect(lines[end]).toMatch(/\(\d+(\.\d)? m?s\)$/);
    });
  });

  it('prints a row per catalogue case: in spec, in a pact and verified for every case with an interaction', () => {
    const withInteraction = new Set(interactions().map((i) => i.case));
    for (const c of catalogue()) {
      const marks = row(result.stdout, c.case);
      expect(marks, c.case).toBeDefined();
      const [inSpec, inPact, verified] = marks ?? [];
      // Every catalogue case is in the spec, with or without an example (404, 405, 500 have none).
      expect(inSpec, c.case).toBe('✓');
      expect([inPact, verified], c.case).toEqual(withInteraction.has(c.case) ? ['✓', '✓'] : ['–', '–']);
    }
    expect(result.stdout).toMatch(/^Legend:\n {2}✓ +passed +checked, and it held$/m);
    expect(result.stdout).toMatch(/^ {2}http-415: no pact: /m);
    for (const code of ['earned', '8892', '8015', '1101', '8874', '8899', '8881', '8890']) {
      expect(row(result.stdout, code)?.[3], code).toBe('✓');
    }
  });

  it('runs the consumer contracts into an emptied folder: one passed test per interaction, the committed pact again', () => {
    // The only consumer run of the suite (test/contracts/contracts.test.ts relies on this one): the pacts the
    // check wrote into its copy of the package are the committed ones, and nothing stale is left.
    const summary = JSON.parse(readFileSync(join(root, 'out', 'check.json'), 'utf8')) as CheckSummary;
    const contracts = summary.stages.find((s) => s.id === 'contracts');
    expect(contracts?.tests.map((t) => [t.name, t.status]).sort()).toEqual(
      interactions()
        .map((i) => [i.description, 'passed'])
        .sort(),
    );
    expect(contracts?.detail).toContain(`${interactions().length} in 1 pact file(s)`);
    const pacts = join(root, 'contracts', 'pacts');
    expect(readdirSync(pacts)).toEqual(['directearn-client-loyalty-directearn.json']);
    const written = JSON.parse(
      readFileSync(join(pacts, 'directearn-client-loyalty-directearn.json'), 'utf8'),
    );
    const committed = JSON.parse(readFileSync(pactFiles()[0] as string, 'utf8'));
    expect(written.interactions).toEqual(committed.interactions);
  });

  it('writes no colour codes to a pipe', () => {
    expect(result.stdout).not.toContain('\u001b[');
  });

  it('writes the JSON summary (also to reports/check) and one JUnit file per stage', () => {
    const summary = JSON.parse(readFileSync(join(root, 'out', 'check.json'), 'utf8')) as CheckSummary;
    expect(summary.ok).toBe(true);
    expect(summary.stages.map((s) => [s.id, s.status])).toEqual(STAGE_IDS.map((id) => [id, 'passed']));
    expect(summary.cases.map((c) => c.case)).toEqual(catalogue().map((c) => c.case));
    expect(readFileSync(join(root, 'reports', 'check', 'summary.json'), 'utf8')).toBe(
      readFileSync(join(root, 'out', 'check.json'), 'utf8'),
    );
    expect(readdirSync(join(root, 'junit')).sort()).toEqual(STAGE_IDS.map((id) => `${id}.xml`).sort());
    const verify = readFileSync(join(root, 'junit', 'verify.xml'), 'utf8');
    expect(verify).toMatch(new RegExp(`tests="${interactions().length}" failures="0"`));
    expect(existsSync(join(root, 'reports', 'check', 'load-throughput', 'report.html'))).toBe(true);
  });
});
