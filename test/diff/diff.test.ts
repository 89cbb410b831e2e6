// `directearn diff` grades real edits of the spec for a consumer: each edit of test/fixtures/spec-edits
// is compared with the committed spec by oasdiff (all edits at once), the catalogue diff, and (for
// the edits that touch what pacts pin) the committed pacts; each must get its expected classification.
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { pactInteractions } from '../../src/contracts/pacts.js';
import { diffCatalogue } from '../../src/diff/catalogue.js';
import { consumerUses } from '../../src/diff/consumer.js';
import { type Finding, rank, sortFindings } from '../../src/diff/diff-report.js';
import { findOrBuildOasdiff } from '../../src/diff/oasdiff.js';
import { checkPacts, pinnedInteractions } from '../../src/diff/pacts.js';
import { structuralFindings } from '../../src/diff/run-diff.js';
import { parseSide } from '../../src/diff/source.js';
import { specPath } from '../../src/openapi/index.js';
import { EDITS, type SpecEdit } from '../fixtures/spec-edits.js';

const committed = readFileSync(specPath, 'utf8');
const base = parseSide('BASE', committed);
/** The committed spec parsed once, only ever copied (never handed to the code under test). */
const committedDoc = parse(committed);
const uses = consumerUses(base.doc, pactInteractions());
let dir: string;
const results = new Map<string, Finding[]>();

/** The whole report of one edit: structure (oasdiff), catalogue, and the pacts when they matter. */
async function diffEdit(oasdiff: string, edit: SpecEdit, i: number): Promise<Finding[]> {
  // A copy of the committed spec's parse: the same document as parsing the text again per edit,
  // without ~60 ms of YAML parsing each (29 edits).
  const doc = structuredClone(committedDoc);
  edit.edit(doc);
  const next = parseSide(`NEW (${edit.name})`, stringify(doc));
  const work = join(dir, String(i));
  await mkdir(work);
  const structure = await structuralFindings(oasdiff, base, next, work, uses);
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

describe('the consumer grade: what the pacts and the client depend on (issue 21)', () => {
  const finding = (edit: string, change: string, subject: string) =>
    (results.get(edit) ?? []).find(
      (f) => f.source === 'structure' && f.change === change && f.subject.includes(subject),
    );
  /** Interactions whose expected answer carries the key, read straight from the pact files. */
  const pinning = (key: string) =>
    pactInteractions()
      .filter((i) => JSON.stringify((i.raw.response as { body?: unknown }).body).includes(`"${key}"`))
      .map((i) => `${i.case}: ${i.description}`)
      .sort();

  it('names every interaction that pins earnedId and the client code that reads it', () => {
    const f = finding(
      'a response field the pacts pin and the client reads removed (earnedId)',
      'response-optional-property-removed',
      'result.earnedId',
    );
    expect(pinning('earnedId').length).toBeGreaterThanOrEqual(5);
    expect(f?.dependents?.interactions).toEqual(pinning('earnedId'));
    expect(f?.dependents?.client).toEqual(['client.ts outcomeOf']);
    expect(f?.oasdiffLevel).toBe('info');
    expect(f?.text).toMatch(
      /^removed the optional property response\/items\/result\/earnedId .*; oasdiff grades it info, but \d+ committed pact interactions depend on it and the client uses it \(client\.ts outcomeOf\)$/,
    );
  });

  it('calls a removal beside an addition under the same parent a possible rename', () => {
    const f = finding(
      'a response field the pacts pin and the client reads renamed (earnedId to earnId)',
      'response-optional-property-removed',
      'result.earnedId',
    );
    expect(f?.severity).toBe('breaking');
    expect(f?.text).toContain('(renamed? NEW adds response[].result.earnId beside it)');
    expect(f?.dependents?.interactions).toEqual(pinning('earnedId'));
  });

  it('names the HTTP error field the client reads in every status whose body has it', () => {
    const fs = (results.get('a response field removed (field of the HTTP error body)') ?? []).filter(
      (f) => f.change === 'response-optional-property-removed',
    );
    expect(fs.length).toBeGreaterThanOrEqual(5);
    for (const f of fs) {
      expect(f.severity).toBe('breaking');
      expect(f.dependents?.client).toEqual(['client.ts DirectEarnClient.post']);
    }
    // Only the 400 interaction's expected body has a field: it depends on the 400 one alone.
    const pinned = fs.filter((f) => (f.dependents?.interactions.length ?? 0) > 0);
    expect(pinned.map((f) => /`?(\d+)`? status/.exec(f.text)?.[1])).toEqual(['400']);
    expect(pinned[0]?.dependents?.interactions).toEqual(pinning('field'));
  });

  it('names the interactions that send a removed request field, and the one that expects a removed status', () => {
    const source = finding(
      'a request field the pacts send removed (customers[].source)',
      'request-property-removed',
      'customers[].source',
    );
    const sending = pactInteractions().filter((i) =>
      JSON.stringify((i.raw.request as { body?: unknown }).body).includes('"source"'),
    );
    expect(source?.dependents?.interactions).toHaveLength(sending.length);
    expect(source?.oasdiffLevel).toBe('warning');
    const status = finding(
      'a status an interaction expects removed (413)',
      'response-non-success-status-removed',
      '413',
    );
    expect(status?.dependents?.interactions).toEqual(
      pactInteractions()
        .filter((i) => i.status === 413)
        .map((i) => `${i.case}: ${i.description}`),
    );
  });

  it('names who sends a removed enum value, and no one for a field nobody uses', () => {
    const mobile = finding(
      'an enum value removed (identifierName mobile)',
      'request-property-enum-value-removed',
      'identifierName',
    );
    const sendingMobile = pactInteractions()
      .filter((i) =>
        JSON.stringify((i.raw.request as { body?: unknown }).body).includes('"identifierName":"mobile"'),
      )
      .map((i) => `${i.case}: ${i.description}`)
      .sort();
    expect(mobile?.dependents?.interactions).toEqual(sendingMobile);
    const name = finding(
      'a response field neither the pacts nor the client use removed (promotionName)',
      'response-optional-property-removed',
      'promotionName',
    );
    expect(name?.severity).toBe('warning');
    expect(name?.dependents).toBeUndefined();
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
    const { pactFiles } = await import('../../src/contracts/pacts.js');
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
    const { pactFiles } = await import('../../src/contracts/pacts.js');
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
