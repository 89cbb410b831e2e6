// `directearn diff` as CI runs it: exit codes, the table grouped by severity, --json, --junit,
// --fail-on, git sides, and one plain line for every bad input.
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { markApiDiff } from '../../src/check/api-diff.js';
import type { CaseRow, CheckSummary } from '../../src/check/check-summary.js';
import { runCheck } from '../../src/check/runner.js';
import type { CheckContext } from '../../src/check/stages.js';
import { main } from '../../src/cli/main.js';
import { pactInteractions } from '../../src/contracts/pacts.js';
import type { DiffReport } from '../../src/diff/diff-report.js';
import { runDiff } from '../../src/diff/run-diff.js';
import { catalogue, specPath } from '../../src/openapi/index.js';
import { packageRoot } from '../../src/util/package-root.js';
import { EDITS } from '../fixtures/spec-edits.js';
import { captureIO } from '../support/cli-io.js';

// biome-ignore lint/suspicious/noExplicitAny: a spec copy edited in place; its shape is the YAML's
type Doc = any;

let dir: string;
const committed: Doc = parse(readFileSync(specPath, 'utf8'));

/** Writes the committed spec with one edit applied (to a copy of its parse); returns its path. */
async function edited(name: string, edit: (doc: Doc) => void): Promise<string> {
  const doc = structuredClone(committed);
  edit(doc);
  const path = join(dir, `${name}.yaml`);
  await writeFile(path, stringify(doc));
  return path;
}

const entry = (doc: Doc, name: string) =>
  doc['x-directearn-catalogue'].find((e: { case: string }) => e.case === name);

async function run(args: string[], env: NodeJS.ProcessEnv = process.env) {
  const io = captureIO({ cwd: packageRoot, env });
  const code = await main(['diff', ...args], io);
  return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
}

let messageChanged: string;
let precedenceSwapped: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'directearn-diff-cli-'));
  messageChanged = await edited('message', (d) => {
    entry(d, '8892').message = 'promotion is not active';
  });
  precedenceSwapped = await edited('precedence', (d) => {
    entry(d, '8892').precedence = 6;
    entry(d, '8015').precedence = 5;
  });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// Every case runs oasdiff and the pact check as child processes, and the first also loads the CLI's
// modules: on 2 shared cores under a full npm test that took 40 s (10-14 s for the others).
describe('directearn diff', { timeout: 90_000 }, () => {
  it('exits 1 on a breaking change, with the table, the JSON and the JUnit naming the case', async () => {
    const json = join(dir, 'out', 'diff.json');
    const junit = join(dir, 'out', 'diff.xml');
    const r = await run([specPath, messageChanged, '--json', json, '--junit', junit]);
    expect(r.code, r.err).toBe(1);
    expect(r.out).toMatch(/^BREAKING \(2\)$/m);
    expect(r.out).toMatch(
      /catalogue\s+8892\s+message of error 8892 changed from "promotion is inactive" to "promotion is not active"/,
    );
    expect(r.out).toMatch(/^FAIL: 2 breaking, 0 warning\(s\), 0 info \(--fail-on breaking\)$/m);
    const report = JSON.parse(await readFile(json, 'utf8'));
    expect(report).toMatchObject({ tool: 'directearn diff', failOn: 'breaking', failed: true });
    expect(report.counts).toEqual({ breaking: 2, warning: 0, info: 0 });
    // The pact pins 8892's message exactly: a provider answering the new one fails it.
    expect(r.out).toMatch(
      /^ {2}pacts +8892: answers 8892 when the promotion is inactive\n +pins the message as BASE words it/m,
    );
    expect(report.pacts.broken).toBe(pactInteractions().filter((i) => i.case === '8892').length);
    expect(report.pacts.interactions).toBeGreaterThan(0);
    const xml = await readFile(junit, 'utf8');
    expect(xml).toMatch(/<failure message="message of error 8892 changed/);
    expect(xml).toMatch(/name="no structure changes"/);
  });

  // Issue 21: oasdiff grades both "removed the optional property", and diff exited 0.
  it.each([
    ['a response field the pacts pin and the client reads removed (earnedId)'],
    ['a response field the pacts pin and the client reads renamed (earnedId to earnId)'],
  ])('exits 1 for %s, naming the interactions and the client code that depend on it', async (name) => {
    const edit = EDITS.find((e) => e.name === name);
    const next = await edited(name.replace(/\W+/g, '-'), (d) => edit?.edit(d));
    const junit = join(dir, 'out', `${name.length}.xml`);
    const r = await run([
      specPath,
      next,
      '--junit',
      junit,
      '--json',
      join(dir, 'out', `${name.length}.json`),
    ]);
    expect(r.code, r.out).toBe(1);
    expect(r.out).toMatch(/^BREAKING \(\d+\)$/m);
    expect(r.out).toMatch(
      /structure +response response\[\]\.result\.earnedId\s+removed the optional property .*oasdiff grades it info, but \d+ committed pact interactions depend on it and the client uses it/,
    );
    expect(r.out).toMatch(/^ +(pact: +)?earned: answers earned for both customers of the doc's request$/m);
    expect(r.out).toMatch(/^ +client: client\.ts outcomeOf$/m);
    const report = JSON.parse(await readFile(join(dir, 'out', `${name.length}.json`), 'utf8'));
    const f = report.findings.find(
      (x: { subject: string }) => x.subject === 'response response[].result.earnedId',
    );
    expect(f).toMatchObject({
      severity: 'breaking',
      oasdiffLevel: 'info',
      dependents: { client: ['client.ts outcomeOf'] },
    });
    expect(report.pacts.broken).toBe(f.dependents.interactions.length);
    const xml = await readFile(junit, 'utf8');
    expect(xml).toMatch(
      /<failure message="removed the optional property response\/items\/result\/earnedId[^"]*" type="breaking">[^<]*\npact: +8015: answers 8015[^<]*\n +earned: answers earned/,
    );
  });

  it('exits 0 on a warning by default and 1 with --fail-on warning', async () => {
    const lenient = await run([specPath, precedenceSwapped]);
    expect(lenient.code, lenient.err).toBe(0);
    expect(lenient.out).toMatch(/^WARNING \(1\)$/m);
    expect(lenient.out).toMatch(/precedence swapped: 8015 is now checked before 8892/);
    const strict = await run([specPath, precedenceSwapped, '--fail-on', 'warning']);
    expect(strict.code).toBe(1);
  });

  it('writes the JSON to standard output with --json - and the table to standard error', async () => {
    const r = await run([specPath, precedenceSwapped, '--json', '-']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).findings[0]).toMatchObject({
      source: 'catalogue',
      change: 'catalogue-precedence-changed',
    });
    expect(r.err).toMatch(/^WARNING \(1\)$/m);
  });

  it('reads git:REF[:PATH] sides with git show, and reports no change between equal sides', async () => {
    const r = await run(['git:HEAD', 'git:HEAD:openapi/directEarn.yaml']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^no changes$/m);
  });

  it.each([
    [[], /give BASE and optionally NEW/],
    [['a', 'b', 'c'], /give BASE and optionally NEW/],
    [['x.yaml', '--fail-on', 'info'], /--fail-on must be breaking or warning, got "info"/],
    [['no-such.yaml'], /^directearn diff: no-such\.yaml: cannot read the spec \(no such file\)$/],
    [
      ['git:no-such-ref-123'],
      /git:no-such-ref-123: cannot read openapi\/directEarn\.yaml at no-such-ref-123/,
    ],
    [['git:HEAD:no/such.yaml'], /git:HEAD:no\/such\.yaml: cannot read no\/such\.yaml at HEAD/],
    [['package.json'], /package\.json: not an OpenAPI 3 document/],
    [['git:--output=x'], /git:--output=x: a git ref cannot start with "-"/],
  ])('exits 2 with one line for %j', async (args, message) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err.split('\n')).toHaveLength(1);
  });

  it('exits 2 naming the side for a file that is not YAML and for a $ref oasdiff cannot resolve', async () => {
    const broken = join(dir, 'broken.yaml');
    await writeFile(broken, 'openapi: [3.1\n  paths: {');
    const notYaml = await run([specPath, broken]);
    expect(notYaml.code).toBe(2);
    expect(notYaml.err).toMatch(/^directearn diff: .*broken\.yaml: not a YAML or JSON spec \(/);
    const badRef = await edited('bad-ref', (d) => {
      d.components.schemas.DirectEarnRequest.properties.promotionDetails = {
        $ref: '#/components/schemas/Nope',
      };
    });
    const unresolved = await run([specPath, badRef]);
    expect(unresolved.code).toBe(2);
    expect(unresolved.err).toMatch(
      /^directearn diff: oasdiff cannot compare the specs: .*bad-ref\.yaml.*Nope/,
    );
  });

  it('exits 3 naming oasdiff when it is missing and Go is not there to build it', async () => {
    const empty = await mkdtemp(join(dir, 'home-'));
    const r = await run([specPath, messageChanged], { PATH: empty, HOME: empty, XDG_CACHE_HOME: empty });
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/oasdiff v1\.37\.0 is not installed and Go is not on PATH/);
  });
});

describe('check --base REF', () => {
  it('refuses a ref git does not know in one line, before any stage runs', async () => {
    const io = captureIO({ cwd: packageRoot, env: process.env });
    const code = await main(['check', '--skip-load', '--base', 'no-such-ref-789'], io);
    expect(code).toBe(2);
    expect(io.stderr).toEqual([expect.stringMatching(/^directearn check: git:no-such-ref-789: cannot read/)]);
    expect(io.stdout.join('\n')).not.toMatch(/consumer contracts/);
  });

  it('prints the diff under the verdict and fails the check on a breaking change', async () => {
    const { runDiff } = await import('../../src/diff/run-diff.js');
    const { printBaseDiff } = await import('../../src/diff/base.js');
    const lines: string[] = [];
    const breaking = printBaseDiff(
      await runDiff({ base: messageChanged, new: specPath, cwd: packageRoot }),
      (l) => lines.push(l),
      false,
    );
    expect(breaking).toBe(true);
    expect(lines[1]).toMatch(/^API changes since .*message\.yaml \(directearn diff\):$/);
    expect(lines).toContain('  BREAKING (2)');
  });
});

// Issue 21: check --base printed its diff but put it in neither summary.json nor JUnit.
describe('check --base: the verdict of the diff in the summary, JUnit and the case table', () => {
  const context = (reportDir: string): CheckContext => ({
    target: undefined,
    credentials: undefined,
    states: undefined,
    loadAllowed: { ok: true },
    skipLoad: true,
    reportDir,
    throughput: { batchSizes: [1], durationSeconds: 1 },
  });

  async function check(base: string) {
    const report = await runDiff({ base, new: specPath, cwd: packageRoot });
    const out = await mkdtemp(join(dir, 'check-base-'));
    const lines: string[] = [];
    const summary = await runCheck(
      {
        context: context(out),
        render: { color: false, ascii: false },
        summaryPath: join(out, 'summary.json'),
        junitDir: join(out, 'junit'),
        stages: [],
        apiDiff: report,
      },
      { out: (l) => lines.push(l) },
    );
    const written = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')) as CheckSummary;
    return {
      report,
      summary,
      written,
      lines,
      junit: await readFile(join(out, 'junit', 'api-diff.xml'), 'utf8'),
    };
  }

  it('fails the run on a breaking change: a failed stage, the counts, the cases it reaches, a failed JUnit case', async () => {
    const { report, summary, written, lines, junit } = await check(messageChanged);
    expect(summary.ok).toBe(false);
    expect(written.stages.map((s) => [s.id, s.status])).toEqual([['api-diff', 'failed']]);
    expect(written.apiDiff).toEqual({
      base: report.base,
      new: report.new,
      counts: { breaking: 2, warning: 0, info: 0 },
      failed: true,
    });
    const byCase = new Map(written.cases.map((c) => [c.case, c]));
    expect(byCase.get('8892')?.apiDiff).toBe('failed');
    expect(byCase.get('8892')?.notes).toContainEqual(
      expect.stringMatching(/^breaking since .*message\.yaml: 8892: message of error 8892 changed/),
    );
    expect(byCase.get('8890')?.apiDiff).toBe('passed');
    expect(junit).toMatch(/<failure message="message of error 8892 changed from/);
    expect(lines).toContainEqual(
      expect.stringMatching(/^\[1\/1\] FAIL API changes since .*message\.yaml: 2 breaking/),
    );
    const header = lines.find((l) => l.startsWith('case '));
    expect(header).toMatch(/ smoke +since base$/);
    expect(lines.find((l) => l.startsWith('8892 '))).toMatch(/✗$/);
    expect(lines.find((l) => l.startsWith('8890 '))).toMatch(/✓$/);
    expect(lines.at(-1)).toMatch(/^FAIL 0\/1 stages passed; failed: API changes since /);
  });

  it('passes with warnings only, and names the cases an earnedId removal reaches', async () => {
    const lenient = await check(precedenceSwapped);
    expect(lenient.summary.ok).toBe(true);
    expect(lenient.written.apiDiff?.failed).toBe(false);
    expect(lenient.written.cases.every((c) => c.apiDiff === 'passed')).toBe(true);
    expect(lenient.junit).not.toContain('<failure');
    // The table's column for a NEW without earnedId: the cases whose interactions pin it.
    const edit = EDITS.find((e) => e.name.includes('removed (earnedId)'));
    const noEarnedId = await edited('no-earned-id', (d) => edit?.edit(d));
    const forward = await runDiff({ base: specPath, new: noEarnedId, cwd: packageRoot });
    const rows = rowsAfter(forward);
    expect(
      rows
        .filter((c) => c.apiDiff === 'failed')
        .map((c) => c.case)
        .sort(),
    ).toEqual(['8015', '8890', 'earned']);
  });
});

/** The case rows of a check whose api-diff is `report` (the table's column, without a run). */
function rowsAfter(report: DiffReport): CaseRow[] {
  const rows = catalogue().map(
    (c): CaseRow => ({
      case: c.case,
      kind: c.kind,
      code: c.code,
      examples: [],
      interactions: [],
      inSpec: 'passed',
      inPact: 'passed',
      verified: 'passed',
      smoke: 'passed',
      notes: [],
    }),
  );
  markApiDiff(rows, report);
  return rows;
}

describe('which oasdiff is used', () => {
  it('takes v1.37 or later, or a go-install build ("main"), and passes over older ones', async () => {
    const { acceptOasdiff } = await import('../../src/diff/oasdiff.js');
    const { chmod } = await import('node:fs/promises');
    const fake = async (name: string, version: string) => {
      const path = join(dir, name);
      await writeFile(path, `#!/bin/sh\necho "oasdiff version ${version}"\n`);
      await chmod(path, 0o755);
      return path;
    };
    expect(acceptOasdiff(await fake('old', 'v1.10.3'))).toBe(false);
    expect(acceptOasdiff(await fake('pinned', 'v1.37.0'))).toBe(true);
    expect(acceptOasdiff(await fake('newer', 'v2.1.0'))).toBe(true);
    expect(acceptOasdiff(await fake('built', 'main'))).toBe(true);
    expect(acceptOasdiff(join(dir, 'missing'))).toBe(false);
  });
});
