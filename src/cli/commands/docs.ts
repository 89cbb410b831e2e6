// `directearn docs --out DIR`: the HTML and Markdown reference and the coverage page, from the spec.
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_CHECK_DIR, DEFAULT_DOCS_DIR } from '../../config/defaults.js';
import { buildDocs } from '../../docs/build.js';
import { type Command, parseFlags, stringOption, UsageError, UserFacingError } from '../command.js';

const help = `Usage: directearn docs [--out DIR] [--summary FILE]

Generates the endpoint's reference from openapi/directEarn.yaml:

  DIR/index.html      self-contained API reference (Redocly, scripts inlined, nothing loaded
                      from the network), with every example and the table of codes
  DIR/reference.md    Markdown reference: request, response, codes with messages and triggers,
                      examples, documented vs inferred (for wikis and pull requests)
  DIR/coverage.html   each case -> its spec examples -> its pact interactions -> the last
  DIR/coverage.md     verification result (from the last \`directearn check\` summary)
  DIR/admin.html      the reference provider's admin interface (openapi/admin.yaml): provider
  DIR/admin.md        states with their parameters and cases, reset, ledger, stats, health

Flags (environment variable in brackets):
  --out DIR           output folder (default ${DEFAULT_DOCS_DIR}) [DIRECTEARN_DOCS_OUT]
  --summary FILE      check summary for the coverage page (default ${DEFAULT_CHECK_DIR}/summary.json)

Exit code: 0 written, 1 the build failed, 2 bad flags.`;

/** The flags of `directearn docs`. */
export const DOCS_FLAGS = { out: { type: 'string' }, summary: { type: 'string' } } as const;

export const command: Command = {
  name: 'docs',
  summary: 'generate the HTML and Markdown reference and the coverage page from the spec',
  help,
  async run(args, io) {
    const { values } = parseFlags(args, DOCS_FLAGS);
    const out = stringOption(values.out, io.env, 'DIRECTEARN_DOCS_OUT', DEFAULT_DOCS_DIR) as string;
    if (out.trim() === '') throw new UsageError('--out needs a folder');
    const outDir = resolve(io.cwd, out);
    if (existsSync(outDir) && !statSync(outDir).isDirectory()) {
      throw new UsageError(`--out ${out} is a file, not a folder`);
    }
    const summaryPath = resolve(
      io.cwd,
      (values.summary as string | undefined) ?? `${DEFAULT_CHECK_DIR}/summary.json`,
    );
    if (typeof values.summary === 'string' && !existsSync(summaryPath)) {
      throw new UsageError(`--summary file ${values.summary} does not exist`);
    }
    let result: Awaited<ReturnType<typeof buildDocs>>;
    try {
      result = await buildDocs({ outDir, summaryPath });
    } catch (e) {
      throw new UserFacingError(`cannot build the docs into ${out}: ${(e as Error).message}`);
    }
    for (const f of result.files) io.out(`wrote ${f}`);
    io.out(`coverage: ${result.coverageNote}`);
    return 0;
  },
};
