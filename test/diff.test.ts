// `directearn diff` grades real edits of the spec for a consumer: each edit of test/fixtures/spec-edits
// is compared with the committed spec by oasdiff (all edits at once), the catalogue diff, and (for
// the edits that touch what pacts pin) the committed pacts; each must get its expected classification.
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { pactInteractions } from '../src/contracts/pacts.js';
import { diffCatalogue } from '../src/diff/catalogue.js';
import { type Finding, rank, sortFindings } from '../src/diff/model.js';
import { findOrBuildOasdiff } from '../src/diff/oasdiff.js';
import { checkPacts, pinnedInteractions } from '../src/diff/pacts.js';
import { structuralFindings } from '../src/diff/run.js';
import { parseSide } from '../src/diff/source.js';
import { specPath } from '../src/spec/index.js';
import { EDITS, type SpecEdit } from './fixtures/spec-edits.js';

const committed = readFileSync(specPath, 'utf8');
const base = parseSide('BASE', committed);
let dir: string;
const results = new Map<string, Finding[]>();

/** The whole report of one edit: structure (oasdiff), catalogue, and the pacts when they matter. */
async function diffEdit(oasdiff: string, edit: SpecEdit, i: number): Promise<Finding[]> {
  const doc = parse(committed);
  edit.edit(doc);
  const next = parseSide(`NEW (${edit.name})`, stringify(doc));
  const work = join(dir, String(i));
  await mkdir(work);
  const structure = await structuralFindings(oasdiff, base, next, work);
  const catalogue = diffCatalogue(base.catalogue, next.catalogue);
  const pacts = edit.pacts
    ? (await checkPacts(join(work, 'base.yaml'), join(work, 'new.yaml'))).findings
    : [];
  return sortFindings([...structure, ...catalogue, ...pacts, ...pinnedInteractions(catalogue)]);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'directearn-diff-test-'));
  // Found in the tool cache on a machine that ran the suite once; otherwise built once (a minute or two).
  const oasdiff = await findOrBuildOasdiff(process.env);
  const all = await Promise.all(EDITS.map((e, i) => diffEdit(oasdiff, e, i)));
  for (const [i, e] of EDITS.entries()) results.set(e.name, all[i] as Finding[]);
}, 300_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const show = (fs: readonly Finding[]) =>
  fs.map((f) => `${f.severity} ${f.source} ${f.change} [${f.subject}] ${f.text}`);

describe('directearn diff classifies real edits of the spec for a consumer', () => {
  it('covers at least 15 edits', () => {
    expect(EDITS.length).toBeGreaterThanOrEqual(15);
  });

  it.each(EDITS.map((e) => [e.name, e] as const))('%s', (_name, edit) => {
    const findings = results.get(edit.name) ?? [];
    for (const [severity, source, change, subject] of edit.expect) {
      const match = findings.find(
        (f) =>
          f.source === source &&
          f.change === change &&
          (subject === undefined || f.subject.includes(subject)),
      );
      expect(match, `${source} ${change} ${subject ?? ''} in:\n${show(findings).join('\n')}`).toBeDefined();
      expect(match?.severity, show(findings).join('\n')).toBe(severity);
    }
    const worst = findings.reduce<Finding['severity'] | undefined>(
      (w, f) => (w === undefined || rank(f.severity) < rank(w) ? f.severity : w),
      undefined,
    );
    expect(worst, show(findings).join('\n')).toBe(edit.worst);
  });

  it('reports nothing for the spec written back unchanged (YAML re-serialised)', async () => {
    const oasdiff = await findOrBuildOasdiff(process.env);
    const work = join(dir, 'same');
    await mkdir(work);
    const same = parseSide('NEW', stringify(parse(committed)));
    expect(await structuralFindings(oasdiff, base, same, work)).toEqual([]);
    expect(diffCatalogue(base.catalogue, same.catalogue)).toEqual([]);
  });

  it('names each broken pact interaction by its case: exactly those that send identifierName mobile', () => {
    const broken = (results.get('an enum value removed (identifierName mobile)') ?? []).filter(
      (f) => f.source === 'pacts',
    );
    const sendingMobile = pactInteractions()
      .filter((i) =>
        JSON.stringify((i.raw.request as { body?: unknown }).body).includes('"identifierName":"mobile"'),
      )
      .map((i) => `${i.case}: ${i.description}`);
    expect(sendingMobile.length).toBeGreaterThan(0);
    expect(broken.map((f) => f.subject).sort()).toEqual(sendingMobile.sort());
    for (const f of broken) expect(f.text).toMatch(/^no longer agrees with NEW: .*identifierName/);
  });
});

describe('the catalogue diff alone', () => {
  it('reports a catalogue that disappeared from NEW as breaking', () => {
    expect(diffCatalogue(base.catalogue, [], { baseHas: true, newHas: false })).toEqual([
      expect.objectContaining({ severity: 'breaking', change: 'catalogue-removed' }),
    ]);
  });
});

describe('the committed spec and PactFlow', () => {
  it('is accepted as is by swagger-mock-validator with the committed pacts (no stripped copy)', async () => {
    const { SwaggerMockValidatorFactory } = await import('@pactflow/swagger-mock-validator');
    const { pactFiles } = await import('../src/contracts/pacts.js');
    const files = pactFiles();
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const r = await SwaggerMockValidatorFactory.create().validate({
        specPathOrUrl: specPath,
        mockPathOrUrl: file,
      });
      expect(r.errors.map((e) => `${e.code}: ${e.message}`)).toEqual([]);
    }
  });

  it('refused a variable description, which is why the spec carries none (regression pin)', async () => {
    const { SwaggerMockValidatorFactory } = await import('@pactflow/swagger-mock-validator');
    const { pactFiles } = await import('../src/contracts/pacts.js');
    const doc = parse(committed);
    doc.servers[0].variables.host.description = 'The CRM cluster host.';
    const path = join(dir, 'with-variable-description.yaml');
    await writeFile(path, stringify(doc));
    await expect(
      SwaggerMockValidatorFactory.create().validate({
        specPathOrUrl: path,
        mockPathOrUrl: pactFiles()[0] as string,
      }),
    ).rejects.toThrow(/variables\/host must NOT have unevaluated properties/);
  });
});
