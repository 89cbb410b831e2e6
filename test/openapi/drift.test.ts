// Drift back into the docs: `verify --target` lists what a host answered that the catalogue does not
// document (a code, another message of a code, a field) as UNDOCUMENTED findings, never a failure by
// themselves; `--record FILE` keeps them; `docs --seen FILE` adds them to the codes table's "seen on
// hosts" section, the host's text made inert.
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { UndocumentedRecord } from '../../src/contracts/undocumented.js';
import { serveVariants } from '../../src/mutation/variant-host.js';
import { messageFor } from '../../src/openapi/index.js';
import { captureIO } from '../support/cli-io.js';
import { ALL_CREDENTIAL_FLAGS } from '../support/real-host.js';

let dir: string;
async function run(...argv: string[]) {
  const io = captureIO({ cwd: dir });
  const code = await main(argv, io);
  return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
}

describe('verify --target collects what the host says beyond the doc', () => {
  let host: Awaited<ReturnType<typeof serveVariants>>;
  const verify = (name: string, ...extra: string[]) => {
    const url = `${host.url}/_variant/${name}`;
    return run(
      'verify',
      ...['--target', url, ...ALL_CREDENTIAL_FLAGS, '--state-change-url', `${url}/_admin/provider-states`],
      ...extra,
    );
  };
  const runs = new Map<string, Awaited<ReturnType<typeof run>>>();
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'directearn-drift-'));
    host = await serveVariants();
    runs.set('unknown-fields', await verify('unknown-fields', '--record', 'fields.json'));
    runs.set('code-8892-changed', await verify('code-8892-changed', '--record', 'codes.json'));
    runs.set('message-8015-changed', await verify('message-8015-changed'));
  }, 90_000);
  afterAll(async () => {
    await host?.close();
  });

  it('lists unknown fields as UNDOCUMENTED, not as failures (exit 0), and --record keeps them', () => {
    const r = runs.get('unknown-fields');
    expect(r?.code, r?.out).toBe(0);
    for (const field of ['$.requestId', '$.response[].result.extra', '$.response[].errors[].hint'])
      expect(r?.out).toContain(`UNDOCUMENTED  field ${field} (in `);
    const record = JSON.parse(readFileSync(join(dir, 'fields.json'), 'utf8')) as UndocumentedRecord;
    expect(record.by).toBe('verify');
    expect(record.undocumented.filter((f) => f.kind === 'field').map((f) => f.field)).toEqual(
      expect.arrayContaining(['$.requestId', '$.response[].result.extra', '$.response[].errors[].hint']),
    );
  });

  it('lists a code the catalogue does not have, and a documented code with another message', () => {
    const code = runs.get('code-8892-changed');
    expect(code?.code).toBe(1);
    expect(code?.out).toMatch(
      new RegExp(
        `^UNDOCUMENTED  code 8893 "${messageFor(8892)}" \\(in 1 answer\\(s\\): answers 8892 when`,
        'm',
      ),
    );
    const message = runs.get('message-8015-changed');
    expect(message?.out).toMatch(/^UNDOCUMENTED {2}code 8015 with another message: ".+" \(in 2 answer\(s\)/m);
  });

  it('docs --seen adds the findings to the codes table, the host text inert; a bad record is exit 2', async () => {
    const codes = JSON.parse(readFileSync(join(dir, 'codes.json'), 'utf8')) as UndocumentedRecord;
    // A host's text is untrusted: markup in it must stay text in the page.
    codes.undocumented.push({
      kind: 'code',
      code: 8013,
      message: '<img src=x onerror=alert(1)>',
      count: 1,
      seenIn: ['x'],
    });
    writeFileSync(join(dir, 'codes.json'), JSON.stringify(codes));
    const r = await run('docs', '--out', 'site', '--seen', 'fields.json', '--seen', 'codes.json');
    expect(r.code, r.err).toBe(0);
    const md = readFileSync(join(dir, 'site', 'reference.md'), 'utf8');
    const section = md.slice(md.indexOf('### Seen on hosts'), md.indexOf('## Examples'));
    expect(section).toMatch(
      /\| code \| code \*\*8893\*\* "promotion is inactive" \| http:\/\/127\.0\.0\.1:\d+\/&#95;variant\/code-8892-changed \| verify /,
    );
    expect(section).toContain('| field | field $.requestId |');
    expect(section).toContain('&#60;img src=x onerror=alert(1)&#62;');
    expect(section).not.toContain('<img');
    const html = readFileSync(join(dir, 'site', 'index.html'), 'utf8');
    expect(html).toContain('Seen on hosts');
    expect(html).not.toContain('<img src=x');

    writeFileSync(join(dir, 'bad.json'), '{"nope": 1}');
    const bad = await run('docs', '--out', 'site2', '--seen', 'bad.json');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--seen bad\.json: not a record/);
  }, 60_000);
});
