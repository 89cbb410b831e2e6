// openapi/admin.yaml and docs/states.md's table of provider states against what the provider does: the
// listed states are src/states' (generated, never hand-copied), and every admin route's live answer
// matches the schema admin.yaml gives it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  adminSpecPath,
  adminSpecStates,
  normalizeTables,
  README_STATES_BEGIN,
  README_STATES_END,
  renderStatesMarkdown,
} from '../../src/docs/admin.js';
import { ENDPOINT_PATH, example } from '../../src/openapi/index.js';
import { createProvider } from '../../src/provider/index.js';
import { describeStates } from '../../src/provider/states.js';
import { STATE_NAMES } from '../../src/states/index.js';
import { packageRoot } from '../../src/util/package-root.js';
import { AUTH, JSON_CT } from '../support/provider-helpers.js';

const STALE = 'stale: run npm run build && node scripts/generate-admin-docs.mjs';
const adminDoc = parse(readFileSync(adminSpecPath, 'utf8')) as {
  paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
};
const ajv = new Ajv2020({ allErrors: true, strict: false });
ajv.addSchema({ ...adminDoc, $id: 'admin.yaml' });

/** The schema admin.yaml gives the JSON answer of `method path` with `status`. */
function schemaOf(method: string, path: string, status: number) {
  const pointer = `/paths/${path.replace(/\//g, '~1')}/${method}/responses/${status}`;
  const response = adminDoc.paths[path]?.[method]?.responses[String(status)] as { $ref?: string } | undefined;
  if (response === undefined) throw new Error(`admin.yaml documents no ${status} for ${method} ${path}`);
  const at = response.$ref === undefined ? pointer : response.$ref.slice(1);
  const fn = ajv.getSchema(`admin.yaml#${at}/content/application~1json/schema`);
  if (fn === undefined) throw new Error(`no schema at ${at}`);
  return fn;
}

describe('openapi/admin.yaml', () => {
  it('lists every state of src/states with the parameters and case the provider gives it', () => {
    expect(adminSpecStates(), STALE).toEqual(describeStates());
    expect(describeStates().map((s) => s.name)).toEqual([...STATE_NAMES]);
  });

  it('describes each live admin answer of the provider, route by route', async () => {
    const provider = createProvider({ admin: true });
    const call = async (method: string, url: string, body?: unknown) => {
      const res = await provider.handle({
        method,
        url,
        headers: { host: '127.0.0.1:8080', ...(body === undefined ? {} : JSON_CT) },
        remoteAddress: '127.0.0.1',
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const path = url.split('?')[0] as string;
      const validate = schemaOf(method.toLowerCase(), path, res.status);
      const json = JSON.parse(res.body);
      expect(validate(json), `${method} ${url} -> ${res.status}: ${JSON.stringify(validate.errors)}`).toBe(
        true,
      );
      return { status: res.status, json };
    };
    expect((await call('GET', '/_health')).json).toEqual({ status: 'ok' });
    expect((await call('GET', '/_admin/provider-states')).json.states).toEqual(describeStates());
    const state = { state: STATE_NAMES[1], params: { programId: 469, promotionId: 56800 } };
    expect((await call('POST', '/_admin/provider-states', state)).status).toBe(200);
    const typo = {
      state: STATE_NAMES[0],
      params: { programId: 469, promotionId: 56799, earnLimitPerCustmer: 1 },
    };
    const refused = await call('POST', '/_admin/provider-states', typo);
    expect(refused.status).toBe(400);
    expect(refused.json.errors[0].message).toContain('earnLimitPerCustmer');
    await provider.handle({
      method: 'POST',
      url: ENDPOINT_PATH,
      headers: { ...AUTH, ...JSON_CT },
      body: JSON.stringify(example('doc-request')),
    });
    const page = await call('GET', '/_admin/ledger?limit=1');
    expect(page.json.entries).toHaveLength(1);
    expect((await call('GET', `/_admin/ledger?after=${page.json.next}`)).json.next).toBeNull();
    expect((await call('GET', '/_admin/ledger?foo=1')).status).toBe(400);
    expect((await call('GET', '/_admin/stats')).json).toEqual({ earned: 2, requests: 1 });
    expect((await call('POST', '/_admin/reset')).json).toEqual({ reset: true });
  });

  it('documents exactly the admin routes the provider serves', async () => {
    const provider = createProvider({ admin: true });
    for (const [path, ops] of Object.entries(adminDoc.paths)) {
      for (const method of Object.keys(ops)) {
        const res = await provider.handle({
          method: method.toUpperCase(),
          url: path,
          headers: { host: '127.0.0.1' },
          remoteAddress: '127.0.0.1',
        });
        expect([404, 405], `${method} ${path}`).not.toContain(res.status);
      }
    }
  });
});

describe("docs/states.md's provider-state table", () => {
  it('is the one generated from src/states', () => {
    const readme = readFileSync(join(packageRoot, 'docs', 'states.md'), 'utf8');
    const section = readme.slice(
      readme.indexOf(README_STATES_BEGIN) + README_STATES_BEGIN.length,
      readme.indexOf(README_STATES_END),
    );
    expect(normalizeTables(section), STALE).toBe(normalizeTables(renderStatesMarkdown().join('\n')));
  });
});
