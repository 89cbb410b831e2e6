// `directearn docs --out DIR`: the HTML and Markdown reference and the coverage page, from the spec.
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_CHECK_DIR, DEFAULT_DOCS_DIR } from '../../config/defaults.js';
import type { DiffReport } from '../../diff/diff-report.js';
import { buildDocs } from '../../docs/build.js';
import { writeChangelog } from '../../docs/changelog.js';
import { readSeenRecords } from '../../docs/seen.js';
import { prepareOutputDir } from '../../util/output-path.js';
import type { CliIO } from '../command.js';
import { type Command, parseFlags, UsageError, UserFacingError } from '../command.js';
import { stringOption } from '../flags.js';

const help = `Usage: directearn docs [--out DIR] [--summary FILE] [--since REF] [--seen FILE]...

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
  --since REF         also write DIR/changelog.md and DIR/changelog.html: what changed for
                      consumers since the spec at git REF (or git:REF:PATH, or a spec file), as
                      \`directearn diff\` grades it (needs oasdiff, built once with Go)
  --seen FILE         a record of \`directearn verify --record\` or \`proxy --record\` (repeat for
                      several hosts): the codes table of index.html and reference.md gains a
                      "seen on hosts" section with what those hosts answered beyond the catalogue

Exit code: 0 written, 1 the build failed, 2 bad flags, 3 --since needs oasdiff and it cannot be
built (no Go).`;

/** The flags of `directearn docs`. */
export const DOCS_FLAGS = {
  out: { type: 'string' },
  summary: { type: 'string' },
  since: { type: 'string' },
  seen: { type: 'string', multiple: true },
} as const;

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
    // Name where the path came from: the flag, or the variable when the flag was not given.
    prepareOutputDir(outDir, typeof values.out === 'string' ? '--out' : 'DIRECTEARN_DOCS_OUT', out);
    const summaryPath = resolve(
      io.cwd,
      (values.summary as string | undefined) ?? `${DEFAULT_CHECK_DIR}/summary.json`,
    );
    if (typeof values.summary === 'string' && !existsSync(summaryPath)) {
      throw new UsageError(`--summary file ${values.summary} does not exist`);
    }
    const seen = readSeenRecords(
      ((values.seen as string[] | undefined) ?? []).map((shown) => ({ path: resolve(io.cwd, shown), shown })),
    );
    // The changelog is compared first: a bad ref fails in a second, before the reference is built.
    const changelog = typeof values.since === 'string' ? await sinceReport(values.since, io) : undefined;
    let result: Awaited<ReturnType<typeof buildDocs>>;
    try {
      result = await buildDocs({ outDir, summaryPath, seen });
    } catch (e) {
      throw new UserFacingError(`cannot build the docs into ${out}: ${(e as Error).message}`);
    }
    if (changelog !== undefined) result.files.push(...(await writeChangelog(outDir, changelog)));
    for (const f of result.files) io.out(`wrote ${f}`);
    io.out(`coverage: ${result.coverageNote}`);
    return 0;
  },
};

/** The diff between `--since` (a git ref unless it names git:… or a file) and the package's spec. */
async function sinceReport(since: string, io: CliIO): Promise<DiffReport> {
  if (since.trim() === '') throw new UsageError('--since needs a git ref, e.g. --since v1.2.0');
  const { diffSinceBase } = await import('../../diff/base.js');
  const isFile = (p: string) => existsSync(resolve(io.cwd, p));
  return diffSinceBase(since, { cwd: io.cwd, env: io.env, isFile, onProgress: (line) => io.err(line) });
}
