// `directearn check` end to end, once: the built executable in a copy of the package (so the pacts
// and reports it writes do not race the other test files), every stage for real, then the same
// check against a provider that answers one message wrong, which must fail with exit code 1.
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
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { CheckSummary } from '../../src/check/model.js';
import { interactions } from '../../src/contracts/interactions.js';
import { pactFiles } from '../../src/contracts/pacts.js';
import { catalogue, messageFor } from '../../src/openapi/index.js';
import { startProvider } from '../../src/provider/server.js';
import { packageRoot } from '../../src/util/package-root.js';
import { ALL_CREDENTIAL_FLAGS, preparedFixtures, preparedStates } from '../support/real-host.js';

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
    // One second per batch size instead of three: the same stages and table, less CPU for the suite.
    result = await runCli(root, ['check', '--duration', '1', '--junit', 'junit', '--json', 'out/check.json']);
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

describe('directearn check against a provider that answers a message wrong', () => {
  let proxy: Server;
  let provider: Awaited<ReturnType<typeof startProvider>>;
  let result: Awaited<ReturnType<typeof runCli>>;
  const right = messageFor(8892);
  const wrong = right.charAt(0).toUpperCase() + right.slice(1);

  beforeAll(async () => {
    // A realistic regression: the host capitalises 8892's message. Everything else is the reference provider.
    provider = await startProvider({ port: 0, fixtures: preparedFixtures(20) });
    const upstream = new URL(provider.url);
    proxy = createServer((req, res) => {
      const up = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          path: req.url,
          method: req.method,
          headers: req.headers,
        },
        (answer) => {
          const chunks: Buffer[] = [];
          answer.on('data', (c: Buffer) => chunks.push(c));
          answer.on('end', () => {
            const body = Buffer.concat(chunks).toString('utf8').split(right).join(wrong);
            const headers = { ...answer.headers };
            delete headers['content-length'];
            res.writeHead(answer.statusCode ?? 502, headers);
            res.end(body);
          });
        },
      );
      req.pipe(up);
    });
    await new Promise<void>((done) => proxy.listen(0, '127.0.0.1', done));
    const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    // The host is prepared as a team prepares its CRM, with the states file (and ID pool) mapping onto it.
    writeFileSync(join(root, 'states.yaml'), stringify(preparedStates(20)));
    result = await runCli(root, [
      'check',
      '--target',
      url,
      ...ALL_CREDENTIAL_FLAGS,
      '--states',
      'states.yaml',
      '--skip-load',
      '--report-dir',
      'wrong',
    ]);
  }, 120_000);

  afterAll(async () => {
    proxy?.close();
    await provider?.close();
  });

  it('fails provider verification on exactly that case and exits 1', () => {
    expect(result.code, result.stdout).toBe(1);
    // The 413 and 429 states lower the host's own limits, which a states file cannot do on a real
    // host: mapped or not, those two are skipped (never replayed), and do not fail the run alone.
    expect(result.stdout).toMatch(
      new RegExp(
        `^\\[4/6\\] FAIL provider verification: ${interactions().length - 3} passed, 1 failed, 2 skipped against`,
        'm',
      ),
    );
    expect(row(result.stdout, '8892')?.[2]).toBe('✗');
    expect(row(result.stdout, '8015')?.[2]).toBe('✓');
    expect(row(result.stdout, 'http-413')?.slice(1, 3)).toEqual(['✓', 'skip']);
    expect(row(result.stdout, 'http-429')?.slice(1, 3)).toEqual(['✓', 'skip']);
    expect(result.stdout).toMatch(
      /http-429: skipped: "answers 429[^"]*": pins an inferred limit: state .* sets the provider's own limit/,
    );
    // Contract first, then what the host sent.
    expect(result.stdout).toContain(`expected ${JSON.stringify(right)}, received ${JSON.stringify(wrong)}`);
    expect(result.stdout).toMatch(/^\[5\/6\] SKIP k6 smoke: skipped \(--skip-load\)/m);
    expect(result.stdout.trim().split('\n').at(-1)).toMatch(
      /^FAIL 3\/6 stages passed; failed: provider verification;/,
    );
  });
});
