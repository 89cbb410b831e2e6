// The spec is the single source of truth: it is valid, lints clean, its examples are the doc's,
// its catalogue holds exactly the documented codes, and its validators reject broken payloads
// with a useful path.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  catalogue,
  entityCasesByPrecedence,
  example,
  exampleNames,
  loadSpec,
  messageFor,
  validateRequest,
  validateResponse,
} from '../../src/openapi/index.js';
import { checkExamples, checkMetaSchema, lintSpec } from '../../src/openapi/spec-checks.js';

const doc = JSON.parse(readFileSync(new URL('../fixtures/doc-examples.json', import.meta.url), 'utf8')) as {
  bodies: Record<string, unknown>;
};

/** The doc's bodies in document order, keyed by the spec example that must equal each. */
const docToSpec: [docName: string, specName: string][] = [
  ['request', 'doc-request'],
  ['success-earned-one-customer', 'earned-one-customer'],
  ['error-8892', 'error-8892'],
  ['error-8015', 'error-8015'],
  ['error-1101', 'error-1101'],
  ['error-8874', 'error-8874'],
  ['error-8899', 'error-8899'],
  ['error-8881-first', 'error-8881-program-missing'],
  ['error-8881-second', 'error-8881-promotion-missing'],
  ['mixed-earned-8890-promo-identifier', 'mixed-earned-8890-promo-identifier'],
];

describe('the spec document', () => {
  it('is valid against the OpenAPI 3.1 meta-schema', async () => {
    const r = await checkMetaSchema();
    expect(r.problems).toEqual([]);
    expect(r.ok).toBe(true);
  });

  it('lints clean under the committed Redocly ruleset', async () => {
    const r = await lintSpec();
    expect(r.problems).toEqual([]);
  }, 60_000);

  it('fails lint when an operation loses its operationId and summary', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { stringify } = await import('yaml');
    const broken = structuredClone(loadSpec()) as unknown as {
      paths: Record<string, { post: Record<string, unknown> }>;
    };
    delete broken.paths['/v2/promotion/bulk/directEarn']!.post.operationId;
    delete broken.paths['/v2/promotion/bulk/directEarn']!.post.summary;
    const file = join(mkdtempSync(join(tmpdir(), 'spec-')), 'broken.yaml');
    writeFileSync(file, stringify(broken));
    const r = await lintSpec(file);
    expect(r.ok).toBe(false);
    expect(r.problems.join('\n')).toMatch(/operation-operationId|operation-summary/);
  }, 60_000);

  it('is refused by the meta-schema check when an operation has no responses', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { stringify } = await import('yaml');
    const broken = structuredClone(loadSpec()) as unknown as {
      paths: Record<string, { post: { responses?: unknown } }>;
    };
    delete broken.paths['/v2/promotion/bulk/directEarn']!.post.responses;
    (broken.paths['/v2/promotion/bulk/directEarn']!.post as Record<string, unknown>).requestBody = 42;
    const file = join(mkdtempSync(join(tmpdir(), 'spec-')), 'broken.yaml');
    writeFileSync(file, stringify(broken));
    const r = await checkMetaSchema(file);
    expect(r.ok).toBe(false);
    expect(r.problems.length).toBeGreaterThan(0);
  });

  it('declares Basic, Bearer and X-CAP-API-OAUTH-TOKEN security and the write-access prerequisite', () => {
    const spec = loadSpec();
    const schemes = spec.components?.securitySchemes ?? {};
    expect(schemes).toMatchObject({
      basicAuth: { type: 'http', scheme: 'basic' },
      bearerAuth: { type: 'http', scheme: 'bearer' },
      capOAuthToken: { type: 'apiKey', in: 'header', name: 'X-CAP-API-OAUTH-TOKEN' },
    });
    const op = spec.paths?.['/v2/promotion/bulk/directEarn']?.post as Record<string, unknown>;
    expect(op['x-required-access']).toMatch(/write access to the customer group resource/i);
  });

  it('marks every non-200 response inferred', () => {
    const spec = loadSpec();
    for (const [name, response] of Object.entries(spec.components?.responses ?? {})) {
      expect((response as Record<string, unknown>)['x-inferred'], name).toBe(true);
    }
  });
});

describe('the examples', () => {
  it('equal the bodies of the public doc, one for one', () => {
    for (const [docName, specName] of docToSpec) {
      expect(example(specName), `${specName} vs doc ${docName}`).toEqual(doc.bodies[docName]);
    }
    expect(Object.keys(doc.bodies)).toHaveLength(docToSpec.length);
  });

  it('each validate against the schema of the place they are used', () => {
    expect(checkExamples().problems).toEqual([]);
  });

  it('include a request for every documented error case, marked inferred', () => {
    for (const name of exampleNames().filter((n) => n.startsWith('request-'))) {
      expect(validateRequest(example(name)).ok, name).toBe(true);
    }
    for (const code of [8892, 8015, 1101, 8874, 8899]) expect(exampleNames()).toContain(`request-${code}`);
  });
});

describe('the code catalogue', () => {
  const documented: Record<number, { kind: string; message: string; description: string }> = {
    8892: { kind: 'error', message: 'promotion is inactive', description: 'Promotion is inactive' },
    8015: {
      kind: 'error',
      message: 'Customer not found for the given identifiers',
      description: 'Customer not found for the given identifiers',
    },
    1101: { kind: 'error', message: 'invalid programId passed', description: 'Invalid programId passed' },
    8874: {
      kind: 'error',
      message: 'promotion id passed is invalid',
      description: 'Promotion ID passed is invalid',
    },
    8899: {
      kind: 'error',
      message: 'Cannot enrol/issue to the user group',
      description:
        'Cannot enrol/issue to the user group. This happens when you define USERGROUP2 as the entity.',
    },
    8881: {
      kind: 'error',
      message: 'insufficient parameters passed, program id and one of promotion id/identifier are required',
      description:
        'Insufficient parameters passed; program ID and one of the promotion ID/identifiers are required',
    },
    8890: {
      kind: 'warning',
      message: 'promotion not issued due to config issues or customer exhausted limits',
      description: 'Promotion not issued due to config issues or customer exhausted limits',
    },
  };

  it('holds exactly the documented error and warning codes', () => {
    const codes = catalogue()
      .filter((c) => c.kind === 'error' || c.kind === 'warning')
      .map((c) => c.code)
      .sort();
    expect(codes).toEqual(Object.keys(documented).map(Number).sort());
  });

  it('carries the exact messages of the doc examples and the descriptions of its tables', () => {
    for (const [code, want] of Object.entries(documented)) {
      const entry = catalogue().find((c) => c.code === Number(code) && c.kind !== 'http');
      expect(entry, code).toMatchObject(want);
    }
  });

  it('has a message equal to the one in every response example that shows the code', () => {
    const messages = new Map<number, Set<string>>();
    for (const name of exampleNames()) {
      const value = example<{ response?: { errors?: unknown[]; warnings?: unknown[] }[] }>(name);
      for (const entry of value.response ?? []) {
        for (const m of [...(entry.errors ?? []), ...(entry.warnings ?? [])] as {
          code: number;
          message: string;
        }[]) {
          if (!messages.has(m.code)) messages.set(m.code, new Set());
          messages.get(m.code)!.add(m.message);
        }
      }
    }
    for (const [code, seen] of messages) expect([...seen], String(code)).toEqual([messageFor(code)]);
    expect(messages.size).toBe(7);
  });

  it('orders the per-customer cases as DESIGN.md reads the doc, with earned last', () => {
    expect(entityCasesByPrecedence().map((c) => c.case)).toEqual([
      '8899',
      '8881',
      '1101',
      '8874',
      '8892',
      '8015',
      '8890',
      'earned',
    ]);
  });

  it('names existing spec examples for every case', () => {
    const names = new Set(exampleNames());
    for (const c of catalogue())
      for (const e of c.examples) expect(names.has(e), `${c.case}: ${e}`).toBe(true);
  });

  it('marks the HTTP cases inferred', () => {
    for (const c of catalogue().filter((x) => x.kind === 'http')) expect(c.inferred, c.case).toBe(true);
  });
});

describe('request validation', () => {
  const valid = () => example<Record<string, unknown>>('doc-request');

  it('accepts the doc request and both promotion forms', () => {
    expect(validateRequest(valid()).ok).toBe(true);
    expect(validateRequest(example('request-mixed-earned-8890-promo-identifier')).ok).toBe(true);
  });

  const cases: [string, (b: Record<string, unknown>) => void, string, RegExp][] = [
    [
      'a lower-case type',
      (b) => {
        b.type = 'customer';
      },
      '/type',
      /one of: CUSTOMER, USERGROUP2/,
    ],
    [
      'an unknown identifierName',
      (b) => {
        b.identifierName = 'phone';
      },
      '/identifierName',
      /id, mobile, email/,
    ],
    [
      'a numeric identifierValue',
      (b) => {
        (b.customers as Record<string, unknown>[])[1]!.identifierValue = 98662632;
      },
      '/customers/1/identifierValue',
      /of type string \(received 98662632\)/,
    ],
    [
      'a string programId',
      (b) => {
        (b.promotionDetails as Record<string, unknown>).programId = '469';
      },
      '/promotionDetails/programId',
      /of type integer/,
    ],
    ['a missing customers list', (b) => void delete b.customers, '/customers', /required/],
    [
      'an empty customers list',
      (b) => {
        b.customers = [];
      },
      '/customers',
      /at least 1/,
    ],
    ['a missing type', (b) => void delete b.type, '/type', /required/],
    [
      'a customer without identifierValue',
      (b) => void delete (b.customers as Record<string, unknown>[])[0]!.identifierValue,
      '/customers/0/identifierValue',
      /required/,
    ],
  ];

  for (const [what, mutate, path, message] of cases) {
    it(`rejects ${what}, naming ${path}`, () => {
      const body = valid();
      mutate(body);
      const r = validateRequest(body);
      expect(r.ok).toBe(false);
      if (r.ok) return;
      const issue = r.issues.find((i) => i.path === path);
      expect(issue, JSON.stringify(r.issues)).toBeDefined();
      expect(issue!.message).toMatch(message);
      expect(issue!.message.startsWith(path)).toBe(true);
    });
  }

  it('rejects a body that is not an object, saying what came', () => {
    const r = validateRequest([1, 2]);
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.issues[0]).toMatchObject({ path: '', expected: 'of type object', received: 'an array of 2' });
  });

  it('leaves a missing programId to the endpoint (8881), not to the schema', () => {
    expect(validateRequest(example('request-8881-program-missing')).ok).toBe(true);
    expect(validateRequest(example('request-8881-promotion-missing')).ok).toBe(true);
  });
});

describe('response validation', () => {
  it('accepts issualId and earnedId as integers and as numeric strings', () => {
    const body = example<{ response: { result: Record<string, unknown> }[] }>('earned-one-customer');
    expect(validateResponse(200, body).ok).toBe(true);
    body.response[0]!.result.earnedId = 765;
    body.response[0]!.result.issualId = 811;
    expect(validateResponse(200, body).ok).toBe(true);
  });

  it('rejects a non-numeric earnedId, a missing count and a truthy status with their paths', () => {
    const body = example<Record<string, unknown> & { response: Record<string, unknown>[] }>('error-8892');
    delete body.totalCount;
    (body.response[0]!.errors as Record<string, unknown>[])[0]!.status = true;
    const r = validateResponse(200, body);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => i.path)).toEqual(
      expect.arrayContaining(['/totalCount', '/response/0/errors/0/status']),
    );
    const earned = example<{ response: { result: Record<string, unknown> }[] }>('earned-one-customer');
    earned.response[0]!.result.earnedId = 'abc';
    const r2 = validateResponse(200, earned);
    expect(r2.ok).toBe(false);
    if (!r2.ok) expect(r2.issues.some((i) => i.path === '/response/0/result/earnedId')).toBe(true);
  });

  it('rejects a result naming neither promotionId nor promoIdentifier', () => {
    const body = example<{ response: { result: Record<string, unknown> }[] }>('earned-one-customer');
    delete body.response[0]!.result.promotionId;
    expect(validateResponse(200, body).ok).toBe(false);
  });

  it('validates the inferred error bodies for 4xx and 5xx, and refuses undocumented statuses', () => {
    expect(validateResponse(401, example('http-401')).ok).toBe(true);
    expect(validateResponse(503, example('http-401')).ok).toBe(true);
    expect(validateResponse(400, { message: 'nope' }).ok).toBe(false);
    const r = validateResponse(302, {});
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0]!.message).toMatch(/status 302/);
  });
});
