// Runs the Pact consumer tests (vitest, vitest.pact.config.ts: folder emptied, files in sequence)
// and reports each test and the interactions they wrote to contracts/pacts (or another folder).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACT_DIR, pactFiles, readPact } from './pacts.js';
import { runTool, toolPath } from './process.js';

/** One consumer test as vitest reported it. */
export interface ContractTest {
  name: string;
  status: 'passed' | 'failed' | 'skipped';
  message?: string;
}

export interface ConsumerRunResult {
  ok: boolean;
  pactFiles: string[];
  /** Interactions in the pact files after the run. */
  interactions: number;
  tests: ContractTest[];
  output: string;
}

/** Runs the Pact consumer tests and returns each test's status and the pact files written. */
export async function runConsumerContracts(
  options: { pactDir?: string; timeoutMs?: number } = {},
): Promise<ConsumerRunResult> {
  const dir = await mkdtemp(join(tmpdir(), 'directearn-consumer-'));
  const report = join(dir, 'vitest.json');
  try {
    const r = await runTool(
      toolPath('vitest'),
      ['run', '--config', 'vitest.pact.config.ts', '--reporter=json', `--outputFile=${report}`],
      options.timeoutMs ?? 180_000,
      {
        ...process.env,
        NO_COLOR: '1',
        FORCE_COLOR: '0',
        ...(options.pactDir === undefined ? {} : { DIRECTEARN_PACT_DIR: options.pactDir }),
      },
    );
    const tests: ContractTest[] = [];
    try {
      const json = JSON.parse(await readFile(report, 'utf8')) as {
        testResults?: {
          assertionResults?: { title: string; status: string; failureMessages?: string[] }[];
        }[];
      };
      for (const file of json.testResults ?? []) {
        for (const a of file.assertionResults ?? []) {
          const status = a.status === 'passed' ? 'passed' : a.status === 'failed' ? 'failed' : 'skipped';
          const message = a.failureMessages?.join('\n').split('\n').slice(0, 20).join('\n');
          tests.push({ name: a.title, status, ...(message ? { message } : {}) });
        }
      }
    } catch {
      // No report: vitest itself failed (config, syntax); the output says why.
    }
    const files = pactFiles(options.pactDir ?? PACT_DIR);
    const count = files.reduce((n, f) => n + readPact(f).json.interactions.length, 0);
    const ok =
      r.code === 0 &&
      tests.length > 0 &&
      tests.every((t) => t.status !== 'failed') &&
      count === tests.filter((t) => t.status === 'passed').length;
    return { ok, pactFiles: files, interactions: count, tests, output: `${r.stdout}${r.stderr}` };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
