// `directearn check`, the main job. Until the provider, contracts and load stages land it checks
// the spec: meta-schema, lint, examples.
import { checkExamples, checkMetaSchema, lintSpec } from '../../spec/check.js';
import type { Command } from '../command.js';
import { parseFlags } from '../command.js';

export const command: Command = {
  name: 'check',
  summary: 'run the whole check and print what passed',
  help: 'Usage: directearn check\n\nChecks openapi/directEarn.yaml: OpenAPI 3.1 meta-schema, Redocly lint, examples.',
  async run(args, io) {
    parseFlags(args, {});
    const stages: [string, () => Promise<{ ok: boolean; problems: string[] }>][] = [
      ['spec: OpenAPI 3.1 meta-schema', () => checkMetaSchema()],
      ['spec: lint (redocly.yaml)', () => lintSpec()],
      ['spec: examples match schemas', async () => checkExamples()],
    ];
    let failed = 0;
    for (const [name, stage] of stages) {
      const r = await stage();
      io.out(`${r.ok ? 'PASS' : 'FAIL'}  ${name}`);
      for (const p of r.problems) io.out(`      ${p}`);
      if (!r.ok) failed++;
    }
    return failed === 0 ? 0 : 1;
  },
};
