// `directearn diff BASE [NEW]`: will the next version of the spec break the endpoint's consumers?
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { failsAt } from '../../diff/diff-report.js';
import { renderJson, renderJUnit, renderText } from '../../diff/render.js';
import { runDiff } from '../../diff/run-diff.js';
import { DEFAULT_SPEC_PATH } from '../../diff/source.js';
import { writeFileSafe } from '../../util/safe-write.js';
import { type Command, parseFlags, UsageError } from '../command.js';

const help = `Usage: directearn diff BASE [NEW] [flags]

Compares two versions of the spec and says, for a team that calls the endpoint, what would break:

  1. structure   oasdiff's changelog (fields, types, enums, required, statuses), graded for this
                 consumer: breaking, whatever oasdiff says, when it takes away a field, value or
                 status that a committed pact pins or sends, or the client reads or sends
                 (src/client/uses.ts); the finding names them. Plus descriptions, examples and
                 servers oasdiff leaves ungraded
  2. catalogue   x-directearn-catalogue: codes added, removed or renumbered, messages, kinds
                 (error <-> warning), failureCount, precedence, inferred <-> documented
  3. pacts       the committed pacts (contracts/pacts) checked against NEW with PactFlow's
                 swagger-mock-validator: which interactions, by case, would no longer agree

BASE and NEW are spec files or git:REF[:PATH] (PATH defaults to ${DEFAULT_SPEC_PATH}, read
with git show REF:PATH). NEW defaults to ${DEFAULT_SPEC_PATH} of the working tree.
Example: directearn diff git:origin/main

oasdiff (Apache-2.0) is found on OASDIFF_BINARY, PATH or ~/.cache/directearn-tools, else built
once there with \`go install\`.

Flags:
  --fail-on LEVEL   breaking (default) or warning: exit 1 when a change at or above it is found
  --json FILE       also write the report as JSON (- for standard output; the table goes to stderr)
  --junit FILE      write the report as JUnit XML (a failed test case per change at --fail-on)
  --pacts DIR       the pacts to check against NEW (default contracts/pacts of the package)

Exit code: 0 nothing at or above --fail-on, 1 something is, 2 bad flags or an unreadable or
invalid spec, 3 oasdiff is missing and Go is not available to build it.`;

/** The flags of `directearn diff` (exported so tests can check the CI examples use real ones). */
export const DIFF_FLAGS = {
  'fail-on': { type: 'string' },
  json: { type: 'string' },
  junit: { type: 'string' },
  pacts: { type: 'string' },
} as const;

function writeReport(path: string, text: string, flag: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSafe(path, text);
  } catch (e) {
    throw new UsageError(`${flag} ${path}: cannot write (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
}

export const command: Command = {
  name: 'diff',
  summary: 'compare two versions of the spec: breaking changes for consumers, catalogue, pacts',
  help,
  async run(args, io) {
    const { values, positionals } = parseFlags(args, DIFF_FLAGS, true);
    if (positionals.length === 0 || positionals.length > 2) {
      throw new UsageError(
        'give BASE and optionally NEW (a spec file or git:REF[:PATH]), e.g. directearn diff git:origin/main',
      );
    }
    const failOn = (values['fail-on'] as string | undefined) ?? 'breaking';
    if (failOn !== 'breaking' && failOn !== 'warning') {
      throw new UsageError(`--fail-on must be breaking or warning, got "${failOn}"`);
    }
    const jsonFlag = values.json as string | undefined;
    const toStdout = jsonFlag === '-';
    const table = toStdout ? io.err : io.out;
    const report = await runDiff({
      base: positionals[0] as string,
      new: positionals[1] ?? DEFAULT_SPEC_PATH,
      cwd: io.cwd,
      env: io.env,
      ...(typeof values.pacts === 'string' ? { pactDir: resolve(io.cwd, values.pacts) } : {}),
      onProgress: (line) => io.err(line),
    });
    for (const line of renderText(report, { color: io.color && !toStdout, failOn })) table(line);
    if (toStdout) io.out(renderJson(report, failOn).trimEnd());
    else if (jsonFlag !== undefined)
      writeReport(resolve(io.cwd, jsonFlag), renderJson(report, failOn), '--json');
    if (typeof values.junit === 'string') {
      writeReport(
        resolve(io.cwd, values.junit),
        renderJUnit(report, failOn, new Date().toISOString()),
        '--junit',
      );
    }
    return failsAt(report.findings, failOn) ? 1 : 0;
  },
};
